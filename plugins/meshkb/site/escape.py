"""Text from a checklist, a report or a manifest is data: escape it for HTML."""

from __future__ import annotations

import re
from html import escape

_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_TEXT_TO_CHANGE = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""What `escape_html` escapes or cleans; most IDs, titles and labels hold none of it."""


def replace_controls(text: str) -> str:
    """Drop control characters HTML cannot carry (they also collide with Markdown's stash)."""
    return _CONTROL_CHARS.sub("\ufffd", text)


def escape_html(text: str) -> str:
    if _TEXT_TO_CHANGE.search(text) is None:
        return text
    return escape(replace_controls(text), quote=True)
