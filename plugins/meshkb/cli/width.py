"""The terminal's width for help text, by `shutil.get_terminal_size`'s rule, without shutil.

A second implementation, kept for start-up time: `shutil` loads `bz2` and `lzma` (and
their shared libraries) when it is imported, about a tenth of what `import yaml` costs,
and argparse imports it for every help formatter it makes unless it is given a width.
`tests/cli/test_width.py` holds it to shutil's answer.
"""

from __future__ import annotations

import os
import sys
from functools import cache

FALLBACK = 80


@cache
def columns() -> int:
    """$COLUMNS when it is a positive number, else stdout's terminal, else 80."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        width = 0
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            width = 0
    return width or FALLBACK
