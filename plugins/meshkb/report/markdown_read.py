"""The Markdown fill-in report read back (`parse_markdown`): front matter and item bodies.

Every line keeps its meaning or is refused with its place: a reader that skipped a line
would lose what a person wrote. The line grammar is `report.markdown_grammar`'s.
"""

from __future__ import annotations

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
from meshkb.report.markdown_grammar import (
    FIELD_RE,
    FREE_TEXT,
    ITEM_RE,
    KNOWN_FIELDS,
    LIST_RE,
    MAX_REV,
    META_RE,
    REV_RE,
    UNCLOSED_COMMENT,
    body_end,
    column_of,
    is_blank,
    split_indent,
    stray_line,
    top_level,
)


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
            problem = top_level(lines, i, file)
            if isinstance(problem, Problem):
                problems.append(problem)
                # One problem for a broken item, not one a line; an unclosed comment
                # runs to the end.
                unclosed = problem.message.startswith(UNCLOSED_COMMENT)
                i = len(lines) if unclosed else body_end(lines, i + 1)
            else:
                i = problem
            continue
        start = i
        ticked, item_id, rest = match.group(1) != " ", match.group(2), match.group(3)
        i += 1
        end = body_end(lines, i)
        body = [(number, lines[number]) for number in range(i, end)]
        i = end
        if item_id not in known:
            problems.append(
                Problem(
                    file,
                    f"{item_id} is not an item of checklist {checklist.id!r} {checklist.version}",
                    start + 1,
                    column_of(line, item_id),
                )
            )
            continue
        if item_id in answers:
            problems.append(
                Problem(file, f"{item_id} appears twice", start + 1, column_of(line, item_id))
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


MAX_PROBLEMS = 20
"""A report refused for more reasons than this lists the first ones and a count."""


def _at_most(problems: list[Problem], file: str) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem(file, f"and {more} more problem(s)")]


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
        if is_blank(line):
            if current is not None:
                current.append("")
            continue
        columns, content = split_indent(line)
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
                Problem(file, stray_line(item_id, line, current is not None), where, 1)
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
