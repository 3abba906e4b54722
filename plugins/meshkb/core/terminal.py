"""Text meant for a terminal: colour only where it helps, and only when wanted."""

from __future__ import annotations

import os
from typing import TextIO


def color(text: str, code: str, stream: TextIO) -> str:
    """ANSI colour only for a terminal and when NO_COLOR is unset (no-color.org)."""
    if os.environ.get("NO_COLOR") or not getattr(stream, "isatty", lambda: False)():
        return text
    return f"\033[{code}m{text}\033[0m"


MAX_LINE = 2000
"""Longest message line `one_line` keeps; the middle of a longer one is cut."""


def visible(text: str) -> str:
    """`text` with every control or format character made visible, for a terminal.

    An escape sequence (`\\x1b[2J`), a newline, a carriage return, a bidirectional
    override (`\\u202e`) or a zero-width space (`\\u200b`) from a checklist, a report or a
    manifest is printed as its escape, so data can neither drive the terminal nor fake
    a line of output. Printable text, spaces included, is kept as it is.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """`visible(text)`, its middle cut when it is longer than `limit` characters.

    For messages that quote input: a 100,000-character ID is named by its start and end.
    """
    shown = visible(text)
    if len(shown) <= limit:
        return shown
    keep = limit // 2
    cut = len(shown) - 2 * keep
    return f"{shown[:keep]}…[{cut} characters cut]…{shown[-keep:]}"
