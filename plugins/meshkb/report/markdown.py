"""The Markdown fill-in report, written (`render_markdown`); `report.markdown_read` reads it.

The Markdown form is the contract shared with the page's JavaScript, which must
produce the same bytes: keep every rule here simple and spelled out.
"""

from __future__ import annotations

import json

from meshkb.core.model import (
    DONE_STATES,
    FILL_IN_HELP,
    REPORT_FORMAT,
    Answer,
    Checklist,
    Item,
    Report,
)
from meshkb.core.score import Score, score
from meshkb.report.build import (
    PROBE_MARK,
    SCOPE_MARK,
    YAML_UNSAFE,
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


def clean_block(text: str) -> list[str]:
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
    lines = clean_block(text)
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
        lines.extend(f"  > {line}" if line else "  >" for line in clean_block(item.check))
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
