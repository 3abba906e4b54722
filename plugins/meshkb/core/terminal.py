"""Text meant for a terminal: colour only where it helps, and only when wanted."""

from __future__ import annotations

import os
from typing import TextIO


def color(text: str, code: str, stream: TextIO) -> str:
    """ANSI colour only for a terminal and when NO_COLOR is unset (no-color.org)."""
    if os.environ.get("NO_COLOR") or not getattr(stream, "isatty", lambda: False)():
        return text
    return f"\033[{code}m{text}\033[0m"
