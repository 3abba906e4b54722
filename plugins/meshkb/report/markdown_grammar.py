"""The Markdown fill-in report's line grammar: the patterns, and what each line is.

The patterns are also the page's (`site.page_data` passes them to the script), so the CLI
and the page read a report by the same rules. The functions here say where an item's lines
end and why a line outside the grammar is refused; `report.markdown_read` builds the report.
"""

from __future__ import annotations

import re

from meshkb.core.errors import Problem

ITEM_RE = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\][ \t]+\**([A-Z]{3}-[0-9]{4})\**(.*)$")
"""An item's task-list line: the box, the item ID and the rest (title and meta)."""


TASK_RE = re.compile(r"^[ \t]*[-*+][ \t]+\[[^\]]*\]")
"""Anything that looks like a task-list line; at the top level it must be an item."""


FIELD_RE = re.compile(
    r"^( {1,3})[-*+][ \t]+([A-Za-z][A-Za-z ]*?(?: \((?:probe|person)\))?):[ \t]*(.*)$"
)


LIST_RE = re.compile(r"^ {1,3}[-*+](?:[ \t]|$)")
"""A list line at field indentation: a field, or a mistake (never a note's line)."""


REV_RE = re.compile(r"\*\((?:[a-z]+), rev ([0-9]+)\)\*")
"""An item line's meta, `*(blocker, rev 2)*`: the last one on the line counts, so a
title cannot fake it (the meta follows the title) and `rev 2` in a title is words."""


META_RE = re.compile(r"\*\([^()]*, rev[^()]*\)\*")
"""What looks like a meta; one that REV_RE cannot read is refused, not skipped."""


MAX_REV = 999_999
"""The highest rev a report may carry (the schema's maximum): both readers count it exactly."""


TOP_LEVEL_RE = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|\||[-*+][ \t]+\*\*.*:\*\*(?:[ \t]|$))")
"""The lines outside items that every export recomputes: headings, the summary table and
the summary's `- **Gate:** ...` lines."""


KNOWN_FIELDS = {
    "state",
    "note",
    "reason",
    "owner",
    "evidence",
    "evidence (probe)",
    "evidence (person)",
}


FREE_TEXT = frozenset({"note", "reason", "owner"})
"""Fields whose text may go on over later lines, indented by four spaces."""


def split_indent(line: str) -> tuple[int, str]:
    """The indent in columns (a tab goes to the next multiple of four), up to four, and
    the rest: a note's lines keep whatever follows their four-column indent."""
    columns = 0
    for index, char in enumerate(line):
        if columns >= 4 or char not in " \t":
            return columns, line[index:]
        columns = columns + 1 if char == " " else columns + 4 - columns % 4
    return columns, ""


def is_blank(line: str) -> bool:
    return not line.strip()


def _bad_item_line(line: str) -> tuple[str, int]:
    """Why a task-list line is not an item line, in words, and the column to look at."""
    match = re.match(r"^([ \t]*)[-*+][ \t]+\[([^\]]*)\][ \t]*\**([^*\s]*)", line)
    if match is None:  # TASK_RE matched, so this does too
        return "not an item line", 1
    if match.group(2) not in (" ", "x", "X"):
        return f"the box {'[' + match.group(2) + ']'!r} is neither [ ] nor [x]", match.start(2)
    if "\t" in match.group(1) or len(match.group(1)) > 3:
        return "an item line is not indented (a task list inside a note is)", 1
    word = match.group(3)
    for index, char in enumerate(word):
        if not (char.isascii() and (char.isupper() or char.isdigit() or char == "-")):
            return (
                f"the item ID {word!r} has {_char_name(char)}; an ID is three capitals A-Z,"
                " '-' and four digits 0-9"
            ), match.start(3) + index + 1
    return f"{word!r} is not an item ID (three capitals A-Z, '-', four digits)", match.start(3) + 1


def _char_name(char: str) -> str:
    import unicodedata

    return f"U+{ord(char):04X} {unicodedata.name(char, 'a control character')}"


def column_of(line: str, pattern: str) -> int:
    found = re.search(pattern, line)
    return found.start() + 1 if found else 1


def body_end(lines: list[str], i: int) -> int:
    """Where the lines under an item line end: its indented lines, and the runs of blank
    lines that an indented line follows, belong to it."""
    while i < len(lines) and (is_blank(lines[i]) or lines[i][:1] in (" ", "\t")):
        if is_blank(lines[i]):
            after = i
            while after < len(lines) and is_blank(lines[after]):
                after += 1
            if after >= len(lines) or lines[after][:1] not in (" ", "\t"):
                break
            i = after
        else:
            i += 1
    return i


UNCLOSED_COMMENT = "an HTML comment ('<!--') is not closed with '-->'"


def top_level(lines: list[str], i: int, file: str) -> Problem | int:
    """A line outside every item: the index after it (and after an HTML comment it
    opens), or the problem with it."""
    line = lines[i]
    if is_blank(line) or TOP_LEVEL_RE.match(line):
        return i + 1
    if line.lstrip(" ").startswith("<!--") and len(line) - len(line.lstrip(" ")) <= 3:
        end = i
        while (
            end < len(lines)
            and "-->" not in lines[end][(line.index("<!--") + 4 if end == i else 0) :]
        ):
            end += 1
        if end >= len(lines):
            return Problem(
                file,
                UNCLOSED_COMMENT,
                i + 1,
                line.index("<!--") + 1,
            )
        return end + 1
    if TASK_RE.match(line):
        message, column = _bad_item_line(line)
        return Problem(file, message, i + 1, column)
    return Problem(
        file,
        "text outside an item would be lost: write it in an item's Note (later lines"
        " indented by four spaces)",
        i + 1,
        len(line) - len(line.lstrip()) + 1,
    )


def stray_line(item_id: str, line: str, in_text: bool) -> str:
    """Why a line under an item belongs to none of its fields."""
    field = FIELD_RE.match("  " + line.lstrip(" \t"))
    if field and field.group(2).strip().lower() in KNOWN_FIELDS and not in_text:
        spaces = len(line) - len(line.lstrip(" "))
        how = "a tab" if line[spaces : spaces + 1] == "\t" else f"{spaces} spaces"
        return (
            f"{item_id}: this {field.group(2).strip()} line is indented by {how}; fields are"
            " indented by two spaces, e.g. '  - State: fail'"
        )
    if in_text:
        return (
            f"{item_id}: a list line indented by fewer than four spaces is neither a field nor"
            " part of the text above it; indent a note's lines by four spaces"
        )
    return (
        f"{item_id}: this line belongs to no field; a Note's later lines follow its"
        " '  - Note:' line, indented by four spaces"
    )
