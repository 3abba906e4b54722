"""Pre-fill a report from scan results: a probe's answer, marked for a person to confirm."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from meshkb.core.model import Answer, AnswerEvidence, Checklist, Report
from meshkb.scan.output import evidence_lines
from meshkb.scan.probe_parse import parse_probe
from meshkb.scan.results import ItemResult, ScanItem


def probe_items(checklists: Iterable[Checklist]) -> list[ScanItem]:
    """Every live item that carries a probe, in checklist order."""
    items = []
    for checklist in checklists:
        for item in checklist.active_items():
            if item.probe is not None:
                # The loader already checked every probe against the checklist schema.
                probe = parse_probe(
                    item.probe, file=checklist.source, at=f"{item.id}.probe", checked=True
                )
                # The default advice, else each mesh's (MIG-0019 has Istio's only).
                how = dict(item.how).get("default") or "\n\n".join(
                    f"{mesh.capitalize()}: {text}" for mesh, text in item.how
                )
                items.append(
                    ScanItem(
                        item.id,
                        item.title,
                        probe,
                        item.severity,
                        checklist=checklist.id,
                        check=item.check,
                        how=how,
                    )
                )
    return items


def prefill(report: Report, results: Iterable[ItemResult]) -> Report:
    """Open answers take the probe's result, marked as not yet confirmed by a person."""
    by_item = {result.item_id: result for result in results}
    answers = []
    for answer in report.answers:
        result = by_item.get(answer.id)
        if result is None or answer.state != "open":
            answers.append(answer)
        else:
            answers.append(_prefilled(answer, result))
    return replace(report, answers=tuple(answers))


def _prefilled(answer: Answer, result: ItemResult) -> Answer:
    evidence = [AnswerEvidence(f"{result.state}: {result.summary}", "probe")]
    # Grouped by what was seen and shortened: a line per group, not per resource.
    evidence.extend(AnswerEvidence(line, "probe") for line in evidence_lines(result))
    if result.state in ("pass", "fail"):
        return replace(answer, state=result.state, evidence=tuple(evidence), prefilled=True)
    # Unknown: the manifests cannot tell; keep the item open and show what was seen.
    return replace(answer, evidence=tuple(evidence))
