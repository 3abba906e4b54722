"""New, normalized and checked reports: the rules every form of a report shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from meshkb.core import validate
from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.model import (
    REPORT_FORMAT,
    Answer,
    Checklist,
    Item,
    Report,
)

STATE_ALIASES = {
    "n/a": "na",
    "passed": "pass",
    "failed": "fail",
    "waive": "waived",
    "todo": "open",
}


PROBE_MARK = "(probe: confirm)"


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
    items = checklist.item_by_id()

    def chosen_by_hand(answer: Answer) -> bool:
        # An open answer nobody wrote anything in, or the n/a the scope set, is no
        # answer: the item starts afresh, so a mesh chosen now (on resume, say) decides.
        if answer.note or answer.owner or answer.evidence or answer.prefilled:
            return True
        if answer.state == "open":
            return bool(answer.reason)
        item = items.get(answer.id)
        return not (
            item is not None
            and carry is not None
            and answer.state == "na"
            and answer.reason == _scope_reason(item, carry.mesh, carry.dataplane)
        )

    previous = {a.id: a for a in (carry.answers if carry else ()) if chosen_by_hand(a)}
    answers: list[Answer] = []
    for item in checklist.active_items():
        if item.id in previous:
            answers.append(previous[item.id])
        elif not item.applies_when.matches(mesh or None, dataplane or None):
            reason = _scope_reason(item, mesh, dataplane)
            answers.append(Answer(item.id, item.rev, "na", reason=reason))
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


def _scope_reason(item: Item, mesh: str, dataplane: str) -> str:
    """The reason of the n/a an item gets when it does not apply to the system's mesh."""
    chosen = f"{mesh} ({dataplane})" if mesh and dataplane else (mesh or dataplane)
    return f"Applies only to {item.applies_when.describe()}; this system runs {chosen}."


def normalize(checklist: Checklist, report: Report) -> Report:
    """Answers in checklist order, one per live item (missing ones open), retired ones last."""
    by_id = report.answer_by_id()
    answers = [by_id.get(item.id) or Answer(item.id, item.rev) for item in checklist.active_items()]
    retired = {item.id for item in checklist.all_items() if item.retired}
    answers.extend(
        a for a in (by_id.get(item.id) for item in checklist.all_items() if item.id in retired) if a
    )
    return replace(report, answers=tuple(answers))


def one_line(text: str) -> str:
    return " ".join(text.split())


YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
"""Characters JSON leaves raw but YAML folds as line breaks or refuses; escaped in front matter."""


def checklist_for(
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


FORBIDDEN_TEXT = re.compile(r"[\x00\ud800-\udfff]")
"""What no text in a report may hold: NUL (a reader takes the file for binary) and lone
surrogates (not encodable as UTF-8). Every other character is kept as written."""


def forbidden_text(text: str) -> str:
    """Why `text` cannot go into a report, or "" when it can."""
    found = FORBIDDEN_TEXT.search(text)
    if found is None:
        return ""
    what = "a NUL character" if found.group() == "\x00" else "a lone surrogate"
    return f"has {what} (U+{ord(found.group()):04X}) at character {found.start() + 1}"


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


def text_problems(data: Any, path: str = "$") -> list[tuple[str, str]]:
    """(JSON path, message) for every string in plain report data that cannot be kept."""
    if isinstance(data, str):
        why = forbidden_text(data)
        return [(path, f"the text {why}")] if why else []
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in text_problems(value, f"{path}.{key}")]
    if isinstance(data, list):
        return [
            p for index, value in enumerate(data) for p in text_problems(value, f"{path}[{index}]")
        ]
    return []


def report_problems(report: Report, file: str) -> list[Problem]:
    """Everything our own readers would refuse in `report`: checked before writing it.

    One schema guards every entry: the CLI's options, files in every form, and (through
    the page contract) the page's import and share links.
    """
    data = report_to_data(report)
    found = validate.errors(data, "report") + text_problems(data)
    problems = [Problem(file, message, path=path) for path, message in found]
    for index, answer in enumerate(report.answers):
        try:
            check_answer(answer, file, path=f"$.answers[{index}]")
        except MeshkbError as exc:
            problems.extend(exc.problems)
    return problems


def check_answer(
    answer: Answer, file: str, line: int | None = None, path: str | None = None
) -> None:
    """n/a needs a reason; waived needs an owner and a reason; evidence says something."""
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
    for evidence in answer.evidence:
        if not one_line(evidence.text):
            raise MeshkbError(
                Problem(
                    file,
                    f"{answer.id} has an Evidence that says nothing",
                    line,
                    1 if line else None,
                    path,
                )
            )
