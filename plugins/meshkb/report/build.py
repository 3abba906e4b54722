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
SCOPE_MARK = "(from scope)"
"""After `State: na`: meshkb set it from the mesh and data plane; delete the mark to keep
the answer as a person's when the scope changes."""


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

    Those n/a answers are marked `automatic`. With `carry`, answers from an earlier report
    are kept, including those for an older rev (flagged for re-verification) and for
    retired items; its automatic answers are not kept but derived again from this scope,
    so an item of the new mesh starts open.
    """
    # An open answer nobody wrote anything in, or an n/a the old scope set, is no
    # answer: the item starts afresh, so a mesh chosen now (on resume, say) decides. The
    # `automatic` flag says which n/a the scope set; a person's own n/a in the same words
    # is kept.
    previous = {
        a.id: a for a in (carry.answers if carry else ()) if not a.automatic and not untouched(a)
    }
    answers: list[Answer] = []
    for item in checklist.active_items():
        kept = previous.get(item.id)
        if kept is not None:
            answers.append(kept)
        elif not item.applies_when.matches(mesh or None, dataplane or None):
            answers.append(scope_answer(item, mesh, dataplane))
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


def untouched(answer: Answer) -> bool:
    """Open with nothing written: an answer no person gave (the page's test too)."""
    return (
        answer.state == "open"
        and not (answer.note or answer.reason or answer.owner or answer.evidence)
        and not answer.prefilled
    )


def scope_answer(item: Item, mesh: str, dataplane: str) -> Answer:
    """The automatic n/a of an item that is for another mesh or data plane."""
    chosen = f"{mesh} ({dataplane})" if mesh and dataplane else (mesh or dataplane)
    return Answer(
        item.id,
        item.rev,
        "na",
        reason=f"Applies only to {item.applies_when.describe()}; this system runs {chosen}.",
        automatic=True,
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


def missing_field(answer: Answer) -> str:
    """What an n/a or waived answer lacks, as `is waived but has no Owner`; else ''.

    Only what is missing is named: a waiver with a reason and no owner lacks the owner.
    """
    if answer.state == "na" and not answer.reason.strip():
        return "is n/a but has no Reason"
    if answer.state == "waived":
        missing = [
            name for name in ("Owner", "Reason") if not getattr(answer, name.lower()).strip()
        ]
        if missing:
            return f"is waived but has no {' and no '.join(missing)}"
    return ""


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
                "automatic": a.automatic,
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
    missing = missing_field(answer)
    if missing:
        raise MeshkbError(Problem(file, f"{answer.id} {missing}", line, 1 if line else None, path))
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
