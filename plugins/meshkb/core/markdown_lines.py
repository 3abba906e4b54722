"""Which lines of a Markdown page are fenced code: directives and references stay as written there."""

from __future__ import annotations

import re
from collections.abc import Sequence

FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
"""A fence opens or closes a code block, also indented (in a list item or a content tab)."""


def fenced(lines: Sequence[str]) -> list[bool]:
    """For each line, whether it opens, closes or lies inside a fenced code block.

    A block closes at a fence of the same character, at least as long as its opener, with
    nothing after it (CommonMark); an unclosed block runs to the end.
    """
    marks: list[bool] = []
    fence: str | None = None
    for line in lines:
        opener = FENCE.match(line)
        if fence is None:
            if opener:
                fence = opener.group(1)
            marks.append(fence is not None)
            continue
        marks.append(True)
        if (
            opener
            and opener.group(1)[0] == fence[0]
            and len(opener.group(1)) >= len(fence)
            and not line.strip(" \t`~")
        ):
            fence = None
    return marks
