"""Scan results as text and JSON, and the evidence grouped for people to read."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from meshkb.core.errors import Problem
from meshkb.core.terminal import visible
from meshkb.scan.probe_model import ScanEvidence
from meshkb.scan.resources import Origin
from meshkb.scan.results import ItemResult

SCAN_FORMAT = "meshkb/scan/v1"
"""Format tag of the JSON output."""
STATE_NAMES = {"pass": "pass", "fail": "fail", "unknown": "unknown", "review": "unknown"}
"""`--only` words -> result states (`review` is SARIF's word for unknown)."""
NOTE_WIDTH = 160
"""Longest note a person is shown; the JSON output keeps every note whole."""
GROUP_SHOWN = 20
"""Most resources listed under one group in the text output."""

_UNTOLD = "; cannot tell from manifests "
"""How `evaluate_probe` adds a probe's `cannot_confirm` to its summary."""
_NAME = re.compile(r" \(name: ([^()]*)\)$")
_POSITION = re.compile(r"\[\d+\]")


@dataclass(frozen=True, slots=True)
class EvidenceGroup:
    """Resources for which the probe saw the same thing."""

    notes: tuple[str, ...]
    """What was seen, once for the group: list positions as `[*]`, element names dropped."""
    members: tuple[tuple[ScanEvidence, tuple[str, ...]], ...]
    """Each resource, with the names of the elements (containers) its notes named."""


def shorten(text: str, width: int = NOTE_WIDTH) -> str:
    """`text` cut to `width` characters, ending in `…` when cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def group_evidence(evidence: Iterable[ScanEvidence]) -> list[EvidenceGroup]:
    """Evidence grouped by what was seen, groups and members in first-seen order."""
    groups: dict[tuple[str, ...], list[tuple[ScanEvidence, tuple[str, ...]]]] = {}
    for found in evidence:
        notes: list[str] = []
        names: list[str] = []
        for note in found.notes:
            named = _NAME.search(note)
            if named:
                names.append(named.group(1))
                note = note[: named.start()]
            notes.append(_POSITION.sub("[*]", note))
        key = tuple(dict.fromkeys(notes))
        groups.setdefault(key, []).append((found, tuple(dict.fromkeys(names))))
    return [EvidenceGroup(notes, tuple(members)) for notes, members in groups.items()]


def place(origin: Origin) -> str:
    """`file:line`, with the List item when there is one."""
    text = f"{origin.file}:{origin.line}"
    return f"{text} (item {origin.item})" if origin.item is not None else text


def evidence_lines(result: ItemResult, *, shown: int = 3) -> list[str]:
    """The evidence as a few lines for a report: one per group, at most `shown` names each.

    `Deployment a/x (line 53), Deployment a/y (line 104) and 4 more in k8s/app.yaml: notes`,
    the notes cut to `NOTE_WIDTH` in all.
    """
    lines = []
    for group in group_evidence(result.evidence):
        origins = [found.origin for found, _ in group.members]
        files = {origin.file for origin in origins}
        if len(files) == 1:
            names = [f"{found.resource} (line {found.origin.line})" for found, _ in group.members]
        else:
            names = [f"{found.resource} ({place(found.origin)})" for found, _ in group.members]
        listed = ", ".join(names[:shown])
        if len(names) > shown:
            listed += f" and {len(names) - shown} more"
        if len(files) == 1:
            listed += f" in {origins[0].file}"
        notes = shorten("; ".join(group.notes))
        lines.append(f"{listed}: {notes}" if notes else listed)
    return lines


def select_states(results: Sequence[ItemResult], only: Collection[str]) -> list[ItemResult]:
    """The results whose state is in `only` (`--only` words); all of them when empty."""
    if not only:
        return list(results)
    wanted = {STATE_NAMES[word] for word in only}
    return [result for result in results if result.state in wanted]


def render_scan_text(results: Sequence[ItemResult], *, total: int | None = None) -> str:
    """Per item: ID, state and summary; then its evidence grouped by what was seen.

    Each group's notes are printed once (shortened), then its resources with file and
    line, at most `GROUP_SHOWN` of them; a pass shows its summary only. The last line
    counts the states and names the failures that gate (`total`: how many items were
    scanned, when some are not shown).
    """
    lines = []
    for result in results:
        summary, _, untold = result.summary.partition(_UNTOLD)
        lines.append(f"{result.item_id}  {result.state:<7}  {summary}")
        if untold:
            lines.append(f"    {shorten(_UNTOLD[2:] + untold)}")
        if result.state == "pass":
            continue  # the summary says how many matched; --format json names them
        for group in group_evidence(result.evidence):
            indent = "    "
            if group.notes:
                lines.extend(f"    {shorten(note)}" for note in group.notes)
                indent = "      "
            members = [
                (found.resource + (f" [{', '.join(names)}]" if names else ""), found.origin)
                for found, names in group.members[:GROUP_SHOWN]
            ]
            width = min(max(len(name) for name, _ in members), 60)
            lines.extend(f"{indent}{name:<{width}}  {place(origin)}" for name, origin in members)
            hidden = len(group.members) - GROUP_SHOWN
            if hidden > 0:
                lines.append(f"{indent}… and {hidden} more (--format json lists them all)")
    lines.append(_tally(results, total))
    # Names and values come from the manifests: each line is made visible, so an escape
    # sequence or a newline in them cannot reach the terminal raw.
    return "\n".join(visible(line) for line in lines) + "\n"


def _tally(results: Sequence[ItemResult], total: int | None) -> str:
    counts = [
        f"{sum(r.state == state for r in results)} {state}" for state in ("fail", "unknown", "pass")
    ]
    shown = len(results)
    head = f"{shown} items" if total is None or total == shown else f"{shown} of {total} items"
    text = f"{head}: {', '.join(counts)}"
    gating = [result.item_id for result in results if result.gates]
    if gating:
        text += f"; the manifests break the check of {', '.join(gating)} (--gate fails)"
    return text


def evidence_data(evidence: ScanEvidence) -> dict[str, Any]:
    """One resource behind a result, with where it came from."""
    origin = evidence.origin
    return {
        "resource": evidence.resource,
        "file": origin.file,
        "document": origin.document,
        "item": origin.item,
        "line": origin.line,
        "notes": list(evidence.notes),
    }


def problem_data(problem: Problem) -> dict[str, Any]:
    """A file that could not be read, or a notice, as data."""
    return {"file": problem.file, "line": problem.line, "message": problem.message}


def render_scan_json(
    results: Sequence[ItemResult],
    problems: Sequence[Problem] = (),
    notices: Sequence[Problem] = (),
) -> str:
    """JSON with a fixed key order, on one line with a trailing newline."""
    counts = {
        state: sum(r.state == state for r in results) for state in ("pass", "fail", "unknown")
    }
    document = {
        "format": SCAN_FORMAT,
        "counts": counts,
        "results": [
            {
                "id": result.item_id,
                "title": result.title,
                "state": result.state,
                "failure": result.failure,
                "gates": result.gates,
                "summary": result.summary,
                "evidence": [evidence_data(evidence) for evidence in result.evidence],
            }
            for result in results
        ],
        "problems": [problem_data(problem) for problem in problems],
        "notices": [problem_data(notice) for notice in notices],
    }
    # Compact: json.dumps' C encoder; with an indent it runs in Python, ~4x slower on a
    # large scan (0.6 s of 10,000 resources' 2 s budget). `jq .` pretty-prints it.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
