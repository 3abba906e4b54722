"""The Markdown fill-in report read back: its line grammar and `parse_markdown`.

The patterns below are also the page's (`site.page_data` passes them to the script), so
the CLI and the page read a report by the same rules. Every line keeps its meaning or is
refused with its place: a reader that skipped a line would lose what a person wrote.
"""

from __future__ import annotations

import re
from typing import Any

from meshkb.core import validate
from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.model import (
    DONE_STATES,
    REPORT_FORMAT,
    STATES,
    Answer,
    AnswerEvidence,
    Checklist,
    Report,
)
from meshkb.core.yaml_policy import load_yaml_text
from meshkb.report.build import (
    FORBIDDEN_TEXT,
    PROBE_MARK,
    SCOPE_MARK,
    STATE_ALIASES,
    check_answer,
    checklist_for,
    forbidden_text,
    text_problems,
)
from meshkb.report.markdown import FRONT_KEYS, clean_block

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


def _split_indent(line: str) -> tuple[int, str]:
    """The indent in columns (a tab goes to the next multiple of four), up to four, and
    the rest: a note's lines keep whatever follows their four-column indent."""
    columns = 0
    for index, char in enumerate(line):
        if columns >= 4 or char not in " \t":
            return columns, line[index:]
        columns = columns + 1 if char == " " else columns + 4 - columns % 4
    return columns, ""


def _is_blank(line: str) -> bool:
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


def _column_of(line: str, pattern: str) -> int:
    found = re.search(pattern, line)
    return found.start() + 1 if found else 1


def parse_markdown(text: str, file: str, checklists: dict[str, Checklist]) -> Report:
    """Read a Markdown fill-in report; every line is kept or refused with its place.

    Raises MeshkbError listing every problem found.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    bad = FORBIDDEN_TEXT.search(text)
    if bad:
        row = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        why = forbidden_text(bad.group())
        raise MeshkbError(
            Problem(file, f"the line {why.replace(' at character 1', '')}", row, column)
        )
    lines = text.split("\n")
    front, body_start = _parse_front(lines, file)
    checklist = checklist_for(front, file, checklists, 1)
    known = checklist.item_by_id()
    answers: dict[str, Answer] = {}
    problems: list[Problem] = []
    i = body_start
    while i < len(lines):
        line = lines[i]
        match = ITEM_RE.match(line)
        if not match:
            problem = _top_level(lines, i, file)
            if isinstance(problem, Problem):
                problems.append(problem)
                # One problem for a broken item, not one a line; an unclosed comment
                # runs to the end.
                unclosed = problem.message.startswith(UNCLOSED_COMMENT)
                i = len(lines) if unclosed else _body_end(lines, i + 1)
            else:
                i = problem
            continue
        start = i
        ticked, item_id, rest = match.group(1) != " ", match.group(2), match.group(3)
        i += 1
        end = _body_end(lines, i)
        body = [(number, lines[number]) for number in range(i, end)]
        i = end
        if item_id not in known:
            problems.append(
                Problem(
                    file,
                    f"{item_id} is not an item of checklist {checklist.id!r} {checklist.version}",
                    start + 1,
                    _column_of(line, item_id),
                )
            )
            continue
        if item_id in answers:
            problems.append(
                Problem(file, f"{item_id} appears twice", start + 1, _column_of(line, item_id))
            )
            continue
        metas = list(REV_RE.finditer(rest))
        rev_match = metas[-1] if metas else None
        digits = rev_match.group(1) if rev_match else str(known[item_id].rev)
        try:
            if rev_match is None and META_RE.search(rest):
                raise MeshkbError(
                    Problem(
                        file,
                        f"{item_id}: the meta is not '*(severity, rev N)*' with N in digits 0-9",
                        start + 1,
                        len(line) - len(rest) + META_RE.search(rest).start() + 1,  # type: ignore[union-attr]
                    )
                )
            if not (len(digits) <= len(str(MAX_REV)) and 1 <= int(digits) <= MAX_REV):
                column = len(line) - len(rest) + (rev_match.start(1) if rev_match else 0) + 1
                raise MeshkbError(
                    Problem(
                        file, f"{item_id}: rev {digits} is not 1 to {MAX_REV}", start + 1, column
                    )
                )
            rev = int(digits)
            answers[item_id] = _parse_answer(item_id, rev, ticked, body, file, start)
        except MeshkbError as exc:
            problems.extend(exc.problems)
    if problems:
        raise MeshkbError(_at_most(problems, file))
    report = Report(
        checklist=checklist.id,
        checklist_version=front["checklist_version"],
        system=front.get("system") or "",
        mesh=front.get("mesh") or "",
        dataplane=front.get("dataplane") or "",
        date=front.get("date") or "",
        reviewers=tuple(front.get("reviewers") or ()),
        answers=tuple(answers.values()),
    )
    return report


def _body_end(lines: list[str], i: int) -> int:
    """Where the lines under an item line end: its indented lines, and the runs of blank
    lines that an indented line follows, belong to it."""
    while i < len(lines) and (_is_blank(lines[i]) or lines[i][:1] in (" ", "\t")):
        if _is_blank(lines[i]):
            after = i
            while after < len(lines) and _is_blank(lines[after]):
                after += 1
            if after >= len(lines) or lines[after][:1] not in (" ", "\t"):
                break
            i = after
        else:
            i += 1
    return i


UNCLOSED_COMMENT = "an HTML comment ('<!--') is not closed with '-->'"


MAX_PROBLEMS = 20
"""A report refused for more reasons than this lists the first ones and a count."""


def _at_most(problems: list[Problem], file: str) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem(file, f"and {more} more problem(s)")]


def _top_level(lines: list[str], i: int, file: str) -> Problem | int:
    """A line outside every item: the index after it (and after an HTML comment it
    opens), or the problem with it."""
    line = lines[i]
    if _is_blank(line) or TOP_LEVEL_RE.match(line):
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


def _parse_front(lines: list[str], file: str) -> tuple[dict[str, Any], int]:
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].strip() != "---":
        raise MeshkbError(
            Problem(
                file,
                "no front matter: a report starts with a '---' block naming its checklist",
                start + 1,
                1,
            )
        )
    end = next(
        (j for j in range(start + 1, len(lines)) if lines[j].strip() in ("---", "...")), None
    )
    if end is None:
        raise MeshkbError(Problem(file, "front matter is not closed with '---'", start + 1, 1))
    located = load_yaml_text("\n" * (start + 1) + "\n".join(lines[start + 1 : end]) + "\n", file)
    data = located.data
    if not isinstance(data, dict):
        raise MeshkbError(Problem(file, "front matter must be a mapping", start + 2, 1))
    for key in data:
        if key not in FRONT_KEYS:
            raise MeshkbError(
                located.at(
                    f"$.{key}",
                    f"unknown front-matter field {key!r} (allowed: {', '.join(FRONT_KEYS)})",
                )
            )
    if isinstance(data.get("reviewers"), str):
        data["reviewers"] = [part.strip() for part in data["reviewers"].split(",") if part.strip()]
    for key in ("format", "checklist", "checklist_version", "system", "mesh", "dataplane", "date"):
        if data.get(key) is not None and not isinstance(data[key], str):
            # YAML reads `system: 0x1F` as 31 and `[a, b]` as a list: the text as written
            # is not what a reader would get back, so it must be quoted.
            raise MeshkbError(
                located.at(
                    f"$.{key}",
                    f"{key} must be text; put the value in double quotes",
                )
            )
    data.setdefault("format", REPORT_FORMAT)
    partial = {
        "answers": [],
        "system": "",
        "mesh": "",
        "dataplane": "",
        "date": "",
        "reviewers": [],
        **{k: v for k, v in data.items() if v is not None},
    }
    found = validate.errors(partial, "report") or text_problems(partial)
    problems = [located.at(path, message) for path, message in found]
    if problems:
        raise MeshkbError(problems)
    return partial, end + 1


def _parse_state(value: str, file: str, line: int) -> tuple[str, bool, bool]:
    """The state, whether a probe set it, and whether meshkb set it from the scope."""
    prefilled = PROBE_MARK in value
    automatic = SCOPE_MARK in value
    word = value.replace(PROBE_MARK, "").replace(SCOPE_MARK, "").strip().lower()
    word = STATE_ALIASES.get(word, word)
    if word not in STATES:
        raise MeshkbError(
            Problem(
                file, f"unknown state {value.strip()!r} (use one of: {', '.join(STATES)})", line, 1
            )
        )
    return word, prefilled, automatic and word == "na"


def _parse_answer(
    item_id: str, rev: int, ticked: bool, body: list[tuple[int, str]], file: str, start: int
) -> Answer:
    fields: dict[str, list[str]] = {}
    evidence: list[AnswerEvidence] = []
    state_line = start + 1
    current: list[str] | None = None  # the free-text field later lines go on
    for number, line in body:
        where = number + 1
        if _is_blank(line):
            if current is not None:
                current.append("")
            continue
        columns, content = _split_indent(line)
        match = FIELD_RE.match(line)
        key = match.group(2).strip().lower() if match else ""
        if match and key in KNOWN_FIELDS:
            value = match.group(3).strip()
            if key.startswith("evidence"):
                if not value:
                    raise MeshkbError(
                        Problem(file, f"{item_id}: an Evidence line says nothing", where, 1)
                    )
                evidence.append(AnswerEvidence(value, "probe" if "probe" in key else "person"))
                current = None
                continue
            if key in fields:
                raise MeshkbError(
                    Problem(file, f"{item_id}: {key.capitalize()} is given twice", where, 1)
                )
            if key == "state":
                state_line = where
            fields[key] = [value]
            current = fields[key] if key in FREE_TEXT else None
        elif match:
            raise MeshkbError(
                Problem(
                    file,
                    f"{item_id}: unknown field {match.group(2)!r} (use State, Note, Reason, Owner or Evidence)",
                    where,
                    len(match.group(1)) + 1,
                )
            )
        elif current is not None and columns >= 4:
            current.append(content)
        elif current is not None and not LIST_RE.match(line):
            current.append(line.lstrip(" "))  # a follow-on line indented by one to three spaces
        elif current is None and columns < 4 and content.startswith(">"):
            continue  # the item's check statement, recomputed from the checklist
        else:
            raise MeshkbError(
                Problem(file, _stray_line(item_id, line, current is not None), where, 1)
            )
    state, prefilled, automatic = (
        _parse_state(fields["state"][0], file, state_line)
        if "state" in fields
        else ("open", False, False)
    )

    if ticked and state == "open":
        state = "pass"
    elif ticked and state == "fail":
        raise MeshkbError(
            Problem(
                file,
                f"{item_id}: the box is ticked but State says fail; untick it or change State",
                start + 1,
                1,
            )
        )
    elif not ticked and state in DONE_STATES and not prefilled:
        raise MeshkbError(
            Problem(
                file,
                f"{item_id}: State says {state} but the box is not ticked; tick it or change State",
                start + 1,
                1,
            )
        )
    text = {
        key: "\n".join(clean_block("\n".join(value)))
        for key, value in fields.items()
        if key != "state"
    }
    answer = Answer(
        item_id,
        rev,
        state,
        text.get("note", ""),
        text.get("reason", ""),
        text.get("owner", ""),
        tuple(evidence),
        prefilled,
        automatic,
    )
    check_answer(answer, file, state_line)
    return answer


def _stray_line(item_id: str, line: str, in_text: bool) -> str:
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
