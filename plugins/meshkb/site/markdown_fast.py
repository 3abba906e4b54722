"""The HTML markdown-it gives for simple prose, without importing markdown-it.

The shipped checklists' fields are paragraphs and tight lists of words, `code` and
**strong** words; writing those directly keeps the plugin's cost in a site build low
(importing markdown-it alone is about 3% of a build). Anything else returns None and
goes to markdown-it. `tests/site/test_markdown_fast.py` holds the two equal.
"""

from __future__ import annotations

import re

_INLINE_SYNTAX = re.compile(r"[\\_\[\]<>&~]")


# A line that could start a block: anywhere, or (only those that can interrupt a
# paragraph) on a paragraph's later lines. An ordered list interrupts one only from 1.
_BLOCK_START = re.compile(r"[-+=#*]|\d{1,9}[.)](?:\s|$)")


_BLOCK_INTERRUPT = re.compile(r"[-+=#*]|0{0,8}1[.)](?:\s|$)")


_FENCE = re.compile(r"```([a-z]*)")


_STRONG_AFTER = frozenset(" \n.,;:!?)")


_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def plain_paragraphs(text: str) -> str | None:
    """The HTML markdown-it gives for simple prose, or None to leave the text to it.

    Checklist fields are mostly paragraphs and tight bullet lists ("- ", continued by
    lines indented two spaces) of words with `code` spans and **strong** words, and the
    odd fenced example; rendering those here skips the parser, and its import, for all
    of the shipped checklists. Anything that might be other syntax is left to
    markdown-it: emphasis other than simple `**words**`, links, entities or autolinks
    outside code, a line that could start another block (ordered list, heading, setext
    underline, nested list, indented code), whitespace at either end of a line, tabs, a
    fence with blank lines or anything after it, and two lists separated by a blank line
    (one loose list). Property tests hold the result equal to markdown-it's wherever it
    is not None.
    """
    if "\t" in text or "\r" in text:
        return None
    html: list[str] = []
    after_list = False
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if _FENCE.fullmatch(lines[0]):
            rendered, after_list = _fenced(lines), False
        else:
            first_item = next((i for i, line in enumerate(lines) if line.startswith("- ")), None)
            if first_item == 0 and after_list:
                return None
            if first_item is None:
                rendered, after_list = _paragraph(lines), False
            elif first_item == 0:
                rendered, after_list = _tight_list(lines), True
            else:  # a list right after a paragraph's lines interrupts it
                paragraph, items = _paragraph(lines[:first_item]), _tight_list(lines[first_item:])
                rendered = None if paragraph is None or items is None else paragraph + items
                after_list = True
        if rendered is None:
            return None
        html.append(rendered)
    return "".join(html)


def _plain_line(line: str) -> bool:
    return bool(line) and not line[0].isspace() and not line[-1].isspace()


def _block_lines(lines: list[str]) -> bool:
    """Lines that make one paragraph: plain, and none starting another block."""
    return (
        all(_plain_line(line) for line in lines)
        and not _BLOCK_START.match(lines[0])
        and not any(_BLOCK_INTERRUPT.match(line) for line in lines[1:])
    )


def _paragraph(lines: list[str]) -> str | None:
    if not _block_lines(lines):
        return None
    inline = _inline("\n".join(lines))
    return None if inline is None else f"<p>{inline}</p>\n"


def _tight_list(lines: list[str]) -> str | None:
    items: list[list[str]] = []
    for line in lines:
        if line.startswith("- "):
            items.append([])
        elif not line.startswith("  "):
            return None
        items[-1].append(line[2:])
    if not all(_block_lines(item) for item in items):
        return None
    rendered = [_inline("\n".join(item)) for item in items]
    if any(item is None for item in rendered):
        return None
    return "<ul>\n" + "".join(f"<li>{item}</li>\n" for item in rendered) + "</ul>\n"


def _fenced(lines: list[str]) -> str | None:
    """A fenced code block that is all of its block: no blank line inside, none after."""
    if len(lines) < 2 or lines[-1] != "```" or any("```" in line for line in lines[1:-1]):
        return None
    info = lines[0][3:]
    attribute = f' class="language-{info}"' if info else ""
    code = "".join(line + "\n" for line in lines[1:-1]).translate(_HTML_ESCAPES)
    return f"<pre><code{attribute}>{code}</code></pre>\n"


def _inline(text: str) -> str | None:
    """Words, `code` spans and **strong** words; None for anything else."""
    if "``" in text:
        return None  # a run of backticks opens or closes only a run of the same length
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return None  # an unmatched backtick
    html = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            words = _words(part, first=index == 0, last=index == len(parts) - 1)
            if words is None:
                return None
            html.append(words)
        elif "\n" in part or part[0] == " " or part[-1] == " ":
            return None  # a span across lines, or spaces CommonMark would strip
        else:
            html.append(f"<code>{part.translate(_HTML_ESCAPES)}</code>")
    return "".join(html)


def _words(text: str, *, first: bool, last: bool) -> str | None:
    """Text between code spans, with `**strong**` runs that open after a space (or at the
    start) and close before a space, line end or closing punctuation; `first`/`last` say
    whether the text starts or ends the paragraph rather than touching a code span."""
    if _INLINE_SYNTAX.search(text):
        return None
    pieces = text.split("**")
    if len(pieces) % 2 == 0 or any("*" in piece for piece in pieces):
        return None  # an unmatched `**`, or a single or triple star
    html = []
    for index, piece in enumerate(pieces):
        piece = piece.replace('"', "&quot;")
        if index % 2 == 0:
            html.append(piece)
            continue
        before, after = pieces[index - 1], pieces[index + 1]
        opens = before.endswith(" ") or (not before and index == 1 and first)
        closes = after[:1] in _STRONG_AFTER if after else last and index == len(pieces) - 2
        if not (opens and closes and piece[:1].isalnum() and piece[-1:].isalnum()):
            return None
        if "\n" in piece:
            return None
        html.append(f"<strong>{piece}</strong>")
    return "".join(html)
