"""Reports <-> Markdown fill-in, JSON, YAML; and JUnit XML for CI.

The Markdown form is the contract shared with the page's JavaScript, which must
produce the same bytes: keep every rule here simple and spelled out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from . import validate
from .errors import MeshkbError, Problem
from .model import (
    DONE_STATES,
    FILL_IN_HELP,
    REPORT_FORMAT,
    STATES,
    Answer,
    Checklist,
    Evidence,
    Item,
    Report,
)
from .record import replace
from .score import Score, score
from .yamlload import load_yaml_text

_FRONT_KEYS = (
    "format",
    "checklist",
    "checklist_version",
    "system",
    "mesh",
    "dataplane",
    "date",
    "reviewers",
)
_STATE_ALIASES = {
    "n/a": "na",
    "passed": "pass",
    "failed": "fail",
    "waive": "waived",
    "todo": "open",
}
_PROBE_MARK = "(probe: confirm)"


def new_report(
    checklist: Checklist,
    *,
    system: str = "",
    mesh: str = "",
    dataplane: str = "",
    date: str = "",
    reviewers: Iterable[str] = (),
    carry: Report | None = None,
) -> Report:
    """A fill-in report; items that do not apply to `mesh`/`dataplane` start as n/a.

    With `carry`, answers from an earlier report are kept, including those for an
    older rev (flagged for re-verification) and for retired items.
    """
    previous = carry.answer_by_id() if carry else {}
    answers: list[Answer] = []
    for item in checklist.active_items():
        if item.id in previous:
            answers.append(previous[item.id])
        elif not item.applies_when.matches(mesh or None, dataplane or None):
            chosen = f"{mesh} ({dataplane})" if mesh and dataplane else (mesh or dataplane)
            answers.append(
                Answer(
                    item.id,
                    item.rev,
                    "na",
                    reason=f"Applies only to {item.applies_when.describe()}; this system runs {chosen}.",
                )
            )
        else:
            answers.append(Answer(item.id, item.rev))
    retired = {item.id for item in checklist.all_items() if item.retired}
    answers.extend(a for a in previous.values() if a.id in retired)
    return Report(
        checklist=checklist.id,
        checklist_version=checklist.version,
        system=system,
        mesh=mesh,
        dataplane=dataplane,
        date=date,
        reviewers=tuple(reviewers),
        answers=tuple(answers),
    )


def normalize(checklist: Checklist, report: Report) -> Report:
    """Answers in checklist order, one per live item (missing ones open), retired ones last."""
    by_id = report.answer_by_id()
    answers = [by_id.get(item.id) or Answer(item.id, item.rev) for item in checklist.active_items()]
    retired = {item.id for item in checklist.all_items() if item.retired}
    answers.extend(
        a for a in (by_id.get(item.id) for item in checklist.all_items() if item.id in retired) if a
    )
    return replace(report, answers=tuple(answers))


# ---- Markdown -------------------------------------------------------------------


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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _item_lines(item: Item, answer: Answer, current_rev: int | None) -> list[str]:
    box = "x" if answer.state in DONE_STATES else " "
    meta = (
        f"{item.severity}, rev {answer.rev}" if not item.retired else f"retired, rev {answer.rev}"
    )
    head = f"- [{box}] **{item.id}** {_one_line(item.title)} *({meta})*"
    lines = [head]
    if item.retired:
        lines.append(
            f"  > Retired: {f'replaced by {item.replaced_by}' if item.replaced_by else _one_line(item.reason or '')}"
        )
    else:
        if current_rev is not None and answer.rev != current_rev:
            lines.append(
                f"  > Re-verify: answered for rev {answer.rev}; the item is now rev {current_rev}."
            )
        lines.extend(f"  > {line}" if line else "  >" for line in _clean_block(item.check))
    state = answer.state + (f" {_PROBE_MARK}" if answer.prefilled else "")
    lines.append(f"  - State: {state}")
    # A blank reason or owner reads back as empty, so only non-blank ones earn a line.
    if answer.reason.strip() or answer.state in ("na", "waived"):
        lines.extend(_field("Reason", answer.reason))
    if answer.owner.strip() or answer.state == "waived":
        lines.extend(_field("Owner", answer.owner))
    for evidence in answer.evidence:
        label = "Evidence (probe)" if evidence.source == "probe" else "Evidence"
        lines.append(f"  - {label}: {_one_line(evidence.text)}")
    lines.extend(_field("Note", answer.note))
    return lines


_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
"""Characters JSON leaves raw but YAML folds as line breaks or refuses; escaped in front matter."""


def _front_matter(report: Report) -> list[str]:
    def q(value: str) -> str:
        text = json.dumps(value, ensure_ascii=False)
        return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

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
            f"- **{_one_line(outcome.title)}:** {_one_line(outcome.label)} — {_one_line(outcome.reason)}"
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
    title = checklist.title + (f": {_one_line(report.system)}" if report.system.strip() else "")
    lines = [*_front_matter(report), "", f"# {title}", "", FILL_IN_HELP, ""]
    lines.extend(summary_lines(checklist, score(checklist, report)))
    for number, section in enumerate(checklist.sections, start=1):
        live = [item for item in section.items if not item.retired]
        if not live:
            continue
        lines.extend(["", f"## {number}. {_one_line(section.title)}", ""])
        for item in live:
            lines.extend(_item_lines(item, by_id[item.id], item.rev))
    retired = [item for item in checklist.all_items() if item.retired and item.id in by_id]
    if retired:
        lines.extend(["", "## Retired items", ""])
        for item in retired:
            lines.extend(_item_lines(item, by_id[item.id], None))
    return "\n".join(lines) + "\n"


_ITEM_RE = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\][ \t]+\**([A-Z]{3}-[0-9]{4})\**(.*)$")
_FIELD_RE = re.compile(
    r"^( {1,3})[-*+][ \t]+([A-Za-z][A-Za-z ]*?(?: \((?:probe|person)\))?):[ \t]*(.*)$"
)
_REV_RE = re.compile(r"\brev (\d+)\b")
_KNOWN_FIELDS = {
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
    checklist = _checklist_for(front, file, checklists, 1)
    known = checklist.item_by_id()
    answers: dict[str, Answer] = {}
    problems: list[Problem] = []
    i = body_start
    while i < len(lines):
        match = _ITEM_RE.match(lines[i])
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
        rev_match = _REV_RE.search(rest)
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
        if key not in _FRONT_KEYS:
            raise MeshkbError(
                located.at(
                    f"$.{key}",
                    f"unknown front-matter field {key!r} (allowed: {', '.join(_FRONT_KEYS)})",
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


def _checklist_for(
    front: dict[str, Any], file: str, checklists: dict[str, Checklist], line: int
) -> Checklist:
    name = front["checklist"]
    if name not in checklists:
        known = ", ".join(sorted(checklists)) or "none"
        raise MeshkbError(
            Problem(
                file,
                f"report is for unknown checklist {name!r} (known: {known})",
                line,
                1,
                "$.checklist",
            )
        )
    return checklists[name]


def _parse_state(value: str, file: str, line: int) -> tuple[str, bool]:
    prefilled = _PROBE_MARK in value
    word = value.replace(_PROBE_MARK, "").strip().lower()
    word = _STATE_ALIASES.get(word, word)
    if word not in STATES:
        raise MeshkbError(
            Problem(
                file, f"unknown state {value.strip()!r} (use one of: {', '.join(STATES)})", line, 1
            )
        )
    return word, prefilled


def _parse_answer(
    item_id: str, rev: int, ticked: bool, body: list[tuple[int, str]], file: str, start: int
) -> Answer:
    fields: dict[str, list[str]] = {}
    evidence: list[Evidence] = []
    state_line = start + 1
    current: list[str] | None = None
    for number, line in body:
        match = _FIELD_RE.match(line)
        key = match.group(2).strip().lower() if match else ""
        if match and key in _KNOWN_FIELDS:
            value = match.group(3).strip()
            if key.startswith("evidence"):
                evidence.append(Evidence(value, "probe" if "probe" in key else "person"))
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
    state, prefilled = (
        _parse_state(fields["state"][0], file, state_line) if "state" in fields else ("open", False)
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
    elif not ticked and state in DONE_STATES:
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
    )
    check_answer(answer, file, state_line)
    return answer


def check_answer(
    answer: Answer, file: str, line: int | None = None, path: str | None = None
) -> None:
    """n/a needs a reason; waived needs an owner and a reason."""
    if answer.state == "na" and not answer.reason.strip():
        raise MeshkbError(
            Problem(file, f"{answer.id} is n/a but has no Reason", line, 1 if line else None, path)
        )
    if answer.state == "waived" and not (answer.reason.strip() and answer.owner.strip()):
        raise MeshkbError(
            Problem(
                file,
                f"{answer.id} is waived but lacks an Owner and a Reason",
                line,
                1 if line else None,
                path,
            )
        )


# ---- JSON and YAML --------------------------------------------------------------


def report_to_data(report: Report) -> dict[str, Any]:
    """Plain data in the key order of the report schema."""
    return {
        "format": REPORT_FORMAT,
        "checklist": report.checklist,
        "checklist_version": report.checklist_version,
        "system": report.system,
        "mesh": report.mesh,
        "dataplane": report.dataplane,
        "date": report.date,
        "reviewers": list(report.reviewers),
        "answers": [
            {
                "id": a.id,
                "rev": a.rev,
                "state": a.state,
                "note": a.note,
                "reason": a.reason,
                "owner": a.owner,
                "evidence": [{"source": e.source, "text": e.text} for e in a.evidence],
                "prefilled": a.prefilled,
            }
            for a in report.answers
        ],
    }


def render_json(checklist: Checklist, report: Report) -> str:
    """The report as JSON (2-space indent, UTF-8, trailing newline)."""
    return (
        json.dumps(report_to_data(normalize(checklist, report)), indent=2, ensure_ascii=False)
        + "\n"
    )


def render_yaml(checklist: Checklist, report: Report) -> str:
    """The report as YAML, same content as JSON."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        # Single-quoted and plain scalars carry NEL, LS and PS raw, and a reader folds
        # them; double quotes escape them (\N, \L, \P) and the other characters in
        # _YAML_UNSAFE, so the text comes back as it was.
        style = '"' if _YAML_UNSAFE.search(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    data = report_to_data(normalize(checklist, report))
    return str(yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100))


def report_from_data(
    data: Any,
    file: str,
    checklists: dict[str, Checklist],
    marks: dict[str, tuple[int, int]] | None = None,
) -> Report:
    """Validate plain data (from JSON or YAML) and build a Report."""

    def at(path: str, message: str) -> Problem:
        line, column = (marks or {}).get(path, (None, None))
        return Problem(file, message, line, column, path)

    problems = [at(path, message) for path, message in validate.errors(data, "report")]
    if problems:
        raise MeshkbError(problems)
    checklist = _checklist_for(data, file, checklists, 1)
    known = checklist.item_by_id()
    answers: list[Answer] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["answers"]):
        path = f"$.answers[{index}]"
        if raw["id"] not in known:
            problems.append(
                at(
                    path + ".id",
                    f"{raw['id']} is not an item of checklist {checklist.id!r} {checklist.version}",
                )
            )
            continue
        if raw["id"] in seen:
            problems.append(at(path + ".id", f"{raw['id']} appears twice"))
            continue
        seen.add(raw["id"])
        answer = Answer(
            raw["id"],
            raw["rev"],
            raw["state"],
            raw["note"],
            raw["reason"],
            raw["owner"],
            tuple(Evidence(e["text"], e["source"]) for e in raw["evidence"]),
            raw["prefilled"],
        )
        try:
            check_answer(answer, file, path=path)
        except MeshkbError as exc:
            problems.extend(exc.problems)
        answers.append(answer)
    if problems:
        raise MeshkbError(problems)
    return Report(
        data["checklist"],
        data["checklist_version"],
        data["system"],
        data["mesh"],
        data["dataplane"],
        data["date"],
        tuple(data["reviewers"]),
        tuple(answers),
    )


def parse_report(text: str, file: str, checklists: dict[str, Checklist]) -> Report:
    """Read a report in any of its forms, chosen by extension, else by content."""
    lowered = file.lower()
    stripped = text.lstrip("\ufeff \n\r\t")
    if lowered.endswith(".json") or (
        not lowered.endswith((".md", ".markdown", ".yaml", ".yml")) and stripped.startswith("{")
    ):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MeshkbError(
                Problem(file, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno)
            ) from None
        except RecursionError:  # the decoder's own limit, near a thousand levels
            raise MeshkbError(Problem(file, "not valid JSON: nested too deeply")) from None
        return report_from_data(data, file, checklists)
    if lowered.endswith((".yaml", ".yml")):
        located = load_yaml_text(text, file)
        return report_from_data(located.data, file, checklists, located.marks)
    return parse_markdown(text, file, checklists)


# ---- JUnit ----------------------------------------------------------------------


def render_junit(checklist: Checklist, report: Report) -> str:
    """One testcase per live item: fail and open blockers fail, open and n/a skip."""
    from xml.etree import ElementTree as ET

    report = normalize(checklist, report)
    result = score(checklist, report)
    by_id = report.answer_by_id()
    numbers = checklist.display_numbers()
    items = checklist.active_items()
    failures = sum(
        1 for item in items if result.states[item.id] == "fail" or item.id in result.blocking
    )
    skipped = sum(
        1
        for item in items
        if result.states[item.id] in ("open", "na") and item.id not in result.blocking
    )
    suites = ET.Element("testsuites", name=f"meshkb {checklist.id} {checklist.version}")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"{checklist.id}{': ' + report.system if report.system else ''}",
        tests=str(len(items)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    props = ET.SubElement(suite, "properties")
    for key in ("checklist_version", "system", "mesh", "dataplane", "date"):
        ET.SubElement(props, "property", name=key, value=str(getattr(report, key)))
    ET.SubElement(props, "property", name="gate", value="passed" if result.gate else "not passed")
    for outcome in result.outcomes:
        ET.SubElement(props, "property", name=f"outcome.{outcome.id}", value=outcome.result)
    for section in checklist.sections:
        for item in section.items:
            if item.retired:
                continue
            state = result.states[item.id]
            answer = by_id[item.id]
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"meshkb.{checklist.id}.{section.id}",
                name=f"{item.id} {numbers[item.id]} {_one_line(item.title)} [{item.severity}]",
            )
            detail = "\n".join(part for part in (answer.note, answer.reason) if part)
            if state == "fail":
                ET.SubElement(case, "failure", message=f"{item.id} failed", type="fail").text = (
                    detail or None
                )
            elif item.id in result.blocking:
                ET.SubElement(
                    case, "failure", message=f"blocker {item.id} is not answered", type="open"
                ).text = detail or None
            elif state in ("open", "na"):
                ET.SubElement(
                    case,
                    "skipped",
                    message="n/a: " + answer.reason if state == "na" else "not answered yet",
                )
            elif state == "waived":
                ET.SubElement(
                    case, "system-out"
                ).text = f"waived by {answer.owner}: {answer.reason}"
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
