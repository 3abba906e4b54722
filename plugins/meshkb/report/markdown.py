"""The Markdown fill-in report: render and parse.

The Markdown form is the contract shared with the page's JavaScript, which must
produce the same bytes: keep every rule here simple and spelled out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from meshkb.core import validate
from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.model import (
    DONE_STATES,
    FILL_IN_HELP,
    REPORT_FORMAT,
    STATES,
    Answer,
    AnswerEvidence,
    Checklist,
    Item,
    Report,
)
from meshkb.core.score import Score, score
from meshkb.core.yaml_policy import load_yaml_text
from meshkb.report.build import (
    PROBE_MARK,
    SCOPE_MARK,
    STATE_ALIASES,
    YAML_UNSAFE,
    check_answer,
    checklist_for,
    normalize,
    one_line,
)

FRONT_KEYS = (
    "format",
    "checklist",
    "checklist_version",
    "system",
    "mesh",
    "dataplane",
    "date",
    "reviewers",
)


def _clean_block(text: str) -> list[str]:
    """Normalize free text: no trailing spaces, no leading or trailing blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if lines:
        lines[0] = lines[0].strip()
    return lines


def _field(name: str, text: str) -> list[str]:
    lines = _clean_block(text)
    if not lines:
        return [f"  - {name}:"]
    out = [f"  - {name}: {lines[0]}"]
    out.extend(f"    {line}" if line else "" for line in lines[1:])
    return out


def _item_lines(item: Item, answer: Answer, current_rev: int | None) -> list[str]:
    # A probe's answer counts as open until a person deletes its mark, so its box stays
    # empty (reports written before this had it ticked: both read the same).
    box = "x" if answer.state in DONE_STATES and not answer.prefilled else " "
    meta = (
        f"{item.severity}, rev {answer.rev}" if not item.retired else f"retired, rev {answer.rev}"
    )
    head = f"- [{box}] **{item.id}** {one_line(item.title)} *({meta})*"
    lines = [head]
    if item.retired:
        lines.append(
            f"  > Retired: {f'replaced by {item.replaced_by}' if item.replaced_by else one_line(item.reason or '')}"
        )
    else:
        if current_rev is not None and answer.rev != current_rev:
            lines.append(
                f"  > Re-verify: answered for rev {answer.rev}; the item is now rev {current_rev}."
            )
        lines.extend(f"  > {line}" if line else "  >" for line in _clean_block(item.check))
    state = answer.state + (f" {PROBE_MARK}" if answer.prefilled else "")
    state += f" {SCOPE_MARK}" if answer.automatic else ""
    lines.append(f"  - State: {state}")
    # A blank reason or owner reads back as empty, so only non-blank ones earn a line.
    if answer.reason.strip() or answer.state in ("na", "waived"):
        lines.extend(_field("Reason", answer.reason))
    if answer.owner.strip() or answer.state == "waived":
        lines.extend(_field("Owner", answer.owner))
    for evidence in answer.evidence:
        label = "Evidence (probe)" if evidence.source == "probe" else "Evidence"
        lines.append(f"  - {label}: {one_line(evidence.text)}")
    lines.extend(_field("Note", answer.note))
    return lines


def _front_matter(report: Report) -> list[str]:
    def q(value: str) -> str:
        text = json.dumps(value, ensure_ascii=False)
        return YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

    return [
        "---",
        f"format: {REPORT_FORMAT}",
        f"checklist: {report.checklist}",
        f"checklist_version: {q(report.checklist_version)}",
        f"system: {q(report.system)}",
        f"mesh: {q(report.mesh)}",
        f"dataplane: {q(report.dataplane)}",
        f"date: {q(report.date)}",
        f"reviewers: [{', '.join(q(r) for r in report.reviewers)}]",
        "---",
    ]


def summary_lines(checklist: Checklist, result: Score) -> list[str]:
    """Progress per severity, the gate and the outcomes, as Markdown."""
    lines = ["| Severity | Done | Open | Failed | N/A | Waived |", "|---|---|---|---|---|---|"]
    for p in result.progress:
        c = p.counts
        lines.append(
            f"| {p.severity} | {p.done} of {p.total} | {c['open']} | {c['fail']} | {c['na']} | {c['waived']} |"
        )
    lines.append("")
    if result.gate:
        lines.append("- **Gate:** passed — no blocker is open or failed.")
    else:
        lines.append(
            f"- **Gate:** not passed — open or failed blockers: {', '.join(result.blocking)}."
        )
    for outcome in result.outcomes:
        lines.append(
            f"- **{one_line(outcome.title)}:** {one_line(outcome.label)} — {one_line(outcome.reason)}"
        )
    if result.reverify:
        lines.append(
            f"- **Re-verify:** {', '.join(result.reverify)} (the item changed since it was answered)."
        )
    if result.unconfirmed:
        lines.append(
            f"- **Confirm:** {', '.join(result.unconfirmed)} (set by a probe; a person must confirm)."
        )
    return lines


def render_markdown(checklist: Checklist, report: Report) -> str:
    """The fill-in report. `parse_markdown` reads it back; export -> parse -> export is stable."""
    report = normalize(checklist, report)
    by_id = report.answer_by_id()
    title = checklist.title + (f": {one_line(report.system)}" if report.system.strip() else "")
    lines = [*_front_matter(report), "", f"# {title}", "", FILL_IN_HELP, ""]
    lines.extend(summary_lines(checklist, score(checklist, report)))
    for number, section in enumerate(checklist.sections, start=1):
        live = [item for item in section.items if not item.retired]
        if not live:
            continue
        lines.extend(["", f"## {number}. {one_line(section.title)}", ""])
        for item in live:
            lines.extend(_item_lines(item, by_id[item.id], item.rev))
    retired = [item for item in checklist.all_items() if item.retired and item.id in by_id]
    if retired:
        lines.extend(["", "## Retired items", ""])
        for item in retired:
            lines.extend(_item_lines(item, by_id[item.id], None))
    return "\n".join(lines) + "\n"


ITEM_RE = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\][ \t]+\**([A-Z]{3}-[0-9]{4})\**(.*)$")


FIELD_RE = re.compile(
    r"^( {1,3})[-*+][ \t]+([A-Za-z][A-Za-z ]*?(?: \((?:probe|person)\))?):[ \t]*(.*)$"
)


REV_RE = re.compile(r"\brev (\d+)\b")


KNOWN_FIELDS = {
    "state",
    "note",
    "reason",
    "owner",
    "evidence",
    "evidence (probe)",
    "evidence (person)",
}


def parse_markdown(text: str, file: str, checklists: dict[str, Checklist]) -> Report:
    """Read a Markdown fill-in report, tolerating hand edits; raise MeshkbError."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    front, body_start = _parse_front(lines, file)
    checklist = checklist_for(front, file, checklists, 1)
    known = checklist.item_by_id()
    answers: dict[str, Answer] = {}
    problems: list[Problem] = []
    i = body_start
    while i < len(lines):
        match = ITEM_RE.match(lines[i])
        if not match:
            i += 1
            continue
        start = i
        ticked, item_id, rest = match.group(1) != " ", match.group(2), match.group(3)
        i += 1
        body: list[tuple[int, str]] = []
        while i < len(lines) and (
            not lines[i].strip() or lines[i].startswith(" ") or lines[i].startswith("\t")
        ):
            if not lines[i].strip() and (
                i + 1 >= len(lines) or not lines[i + 1].startswith((" ", "\t"))
            ):
                break
            body.append((i, lines[i]))
            i += 1
        if item_id not in known:
            problems.append(
                Problem(
                    file,
                    f"{item_id} is not an item of checklist {checklist.id!r} {checklist.version}",
                    start + 1,
                    1,
                )
            )
            continue
        if item_id in answers:
            problems.append(Problem(file, f"{item_id} appears twice", start + 1, 1))
            continue
        rev_match = REV_RE.search(rest)
        rev = int(rev_match.group(1)) if rev_match else known[item_id].rev
        try:
            answers[item_id] = _parse_answer(item_id, rev, ticked, body, file, start)
        except MeshkbError as exc:
            problems.extend(exc.problems)
    if problems:
        raise MeshkbError(problems)
    return Report(
        checklist=checklist.id,
        checklist_version=front["checklist_version"],
        system=front.get("system") or "",
        mesh=front.get("mesh") or "",
        dataplane=front.get("dataplane") or "",
        date=front.get("date") or "",
        reviewers=tuple(front.get("reviewers") or ()),
        answers=tuple(answers.values()),
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
    for key in ("checklist_version", "system", "mesh", "dataplane", "date"):
        if data.get(key) is not None and not isinstance(data[key], str):
            data[key] = str(data[key])
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
    problems = [located.at(path, message) for path, message in validate.errors(partial, "report")]
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
    current: list[str] | None = None
    for number, line in body:
        match = FIELD_RE.match(line)
        key = match.group(2).strip().lower() if match else ""
        if match and key in KNOWN_FIELDS:
            value = match.group(3).strip()
            if key.startswith("evidence"):
                evidence.append(AnswerEvidence(value, "probe" if "probe" in key else "person"))
                current = None
                continue
            if key in fields:
                raise MeshkbError(
                    Problem(file, f"{item_id}: {key.capitalize()} is given twice", number + 1, 1)
                )
            if key == "state":
                state_line = number + 1
            fields[key] = [value]
            current = fields[key] if key != "state" else None
        elif line.lstrip().startswith(">") and current is None:
            continue
        elif current is not None:
            indent = len(line) - len(line.lstrip(" "))
            current.append(line[min(indent, 4) :] if line.strip() else "")
        elif match:
            raise MeshkbError(
                Problem(
                    file,
                    f"{item_id}: unknown field {match.group(2)!r} (use State, Note, Reason, Owner or Evidence)",
                    number + 1,
                    1,
                )
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
        key: "\n".join(_clean_block("\n".join(value)))
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
