"""What `report check` says about a filled report, and the reporters that print it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from meshkb.core.model import Answer, Checklist, Report
from meshkb.core.score import Score, score, score_to_data
from meshkb.core.terminal import color, visible


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A report read back and scored against the current checklist."""

    file: str
    """Where the report came from (`<stdin>` for standard input)."""
    checklist: Checklist
    """The checklist the report is for, as it is now."""
    report: Report
    """The report as read."""
    score: Score
    """Progress, gate and outcomes."""
    retired: tuple[Answer, ...]
    """Answers to items that have been retired since."""
    missing: tuple[str, ...] = ()
    """Live items the report does not list (cut short, or made from an older version
    without `--from`): they count as open, and the gate fails until they are there."""

    @property
    def gate(self) -> bool:
        """No open or failed blocker, and no item missing from the report."""
        return self.score.gate and not self.missing

    def gate_failures(self, name: Callable[[str], str] = str) -> str:
        """Why the gate is not passed, each item ID written by `name` ('' when it is)."""
        reasons = []
        if self.score.blocking:
            reasons.append("open or failed blockers: " + ", ".join(map(name, self.score.blocking)))
        if self.missing:
            reasons.append("items missing from the report: " + ", ".join(map(name, self.missing)))
        return "; ".join(reasons)

    def groups(self) -> dict[str, tuple[str, ...]]:
        """The items to act on, by group, in checklist order; an item is in one group at most.

        `missing`: live items the report has no line for (they count as open); `reverify`:
        answered for an older rev; `to_confirm`: set by a probe, not yet confirmed; `open`:
        the other open items; `failed`, `waived`: by their state.
        """
        scored = self.score
        missing = self.missing
        special = {*missing, *scored.reverify, *scored.unconfirmed}
        states = scored.states
        return {
            "failed": tuple(i for i, s in states.items() if s == "fail"),
            "open": tuple(i for i, s in states.items() if s == "open" and i not in special),
            "missing": missing,
            "reverify": scored.reverify,
            "to_confirm": scored.unconfirmed,
            "waived": tuple(i for i, s in states.items() if s == "waived"),
        }


def check_report(checklist: Checklist, report: Report, file: str) -> CheckResult:
    items = checklist.item_by_id()
    retired = tuple(a for a in report.answers if items[a.id].retired)
    given = report.answer_by_id()
    missing = tuple(item.id for item in checklist.active_items() if item.id not in given)
    return CheckResult(file, checklist, report, score(checklist, report), retired, missing)


def _entry(result: CheckResult, item_id: str) -> dict[str, object]:
    """One item of a group as data: what it is, and what the report says about it."""
    item = result.checklist.item_by_id()[item_id]
    entry: dict[str, object] = {
        "id": item.id,
        "title": item.title,
        "severity": item.severity,
        "rev": item.rev,
    }
    answer = result.report.answer_by_id().get(item_id)
    if answer is not None:
        entry.update(
            state=answer.state,
            answered_rev=answer.rev,
            note=answer.note,
            reason=answer.reason,
            owner=answer.owner,
            evidence=[{"source": e.source, "text": e.text} for e in answer.evidence],
        )
    return entry


def render_check_json(result: CheckResult, out: TextIO) -> str:
    checklist, items = result.checklist, result.checklist.item_by_id()
    data = {
        "file": result.file,
        "checklist": checklist.id,
        "checklist_version": checklist.version,
        "report_version": result.report.checklist_version,
        **score_to_data(result.score),
        "gate": result.gate,
        "missing": list(result.missing),
        "retired": {a.id: items[a.id].replaced_by or "" for a in result.retired},
        "items": {
            group: [_entry(result, item_id) for item_id in ids]
            for group, ids in result.groups().items()
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_check_junit(result: CheckResult, out: TextIO) -> str:
    """The review as JUnit XML, the same as `meshkb checklist NAME --from FILE -f junit`."""
    from meshkb.report.junit import render_junit

    return render_junit(result.checklist, result.report)


def render_check_text(result: CheckResult, out: TextIO) -> str:
    """The summary a person reads; `out` decides whether the gate is coloured."""
    checklist, report, scored = result.checklist, result.report, result.score
    lines = []
    head = f"{checklist.title} {checklist.version}"
    if report.checklist_version != checklist.version:
        head += f" (report made from {report.checklist_version})"
    lines.append(head + (f" — {report.system}" if report.system else ""))
    lines.append("")
    for p in scored.progress:
        lines.append(
            f"  {p.severity:<12} {p.done:>3} of {p.total:<3} done   open {p.counts['open']}, failed {p.counts['fail']}, n/a {p.counts['na']}, waived {p.counts['waived']}"
        )
    answers = report.answer_by_id()
    titles = {item.id: item.title for item in checklist.all_items()}
    for group, ids in result.groups().items():
        if ids:
            lines += ["", f"{GROUP_LABELS[group]}:"]
            for item_id in ids:
                extra = ""
                if group == "waived":
                    extra = f" — owner {answers[item_id].owner}: {answers[item_id].reason}"
                lines.append(f"  {item_id}  {titles[item_id]}{extra}")
    if result.retired:
        lines += ["", "Retired items answered in the report:"]
        items = checklist.item_by_id()
        for answer in result.retired:
            item = items[answer.id]
            where = (
                f"replaced by {item.replaced_by}"
                if item.replaced_by
                else (item.reason or "retired")
            )
            lines.append(f"  {item.id}  {item.title} — {where}")
    why = []
    if scored.blocking:
        why.append(f"open or failed blockers: {', '.join(scored.blocking)}")
    if result.missing:
        why.append(f"{len(result.missing)} item(s) missing from the report")
    # Every line is made visible on its own: a newline or an escape sequence in a title,
    # a system, a reason or an owner cannot fake a line (`Gate: passed`) or drive the terminal.
    shown = [visible(line) for line in lines]
    gate = color("passed", "32", out) if result.gate else color("NOT passed", "31", out)
    shown += ["", f"Gate: {gate}" + (visible(f" ({'; '.join(why)})") if why else "")]
    shown.extend(visible(f"{o.title}: {o.label} — {o.reason}") for o in scored.outcomes)
    return "\n".join(shown) + "\n"


GROUP_LABELS = {
    "failed": "Failed",
    "open": "Open",
    "missing": "Missing from the report (they count as open; the gate fails)",
    "reverify": "Re-verify (item changed since answered)",
    "to_confirm": "To confirm (set by a probe)",
    "waived": "Waived",
}
"""How the text summary heads each group of `CheckResult.groups`."""

REPORTERS: dict[str, Callable[[CheckResult, TextIO], str]] = {
    "text": render_check_text,
    "json": render_check_json,
    "junit": render_check_junit,
}
"""`report check --format NAME` -> the reporter that writes the result."""
