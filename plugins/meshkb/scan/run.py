"""Run checklist probes over manifests: the items with probes, one or two processes.

Pure functions: `run_scan` takes what `scan.read.read_manifests` read and the probes, and
returns results and problems; `scan.output` and `scan.sarif` write them. Only the CLI prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from meshkb.core.errors import EXIT_OK, EXIT_USAGE, MeshkbError, Problem
from meshkb.core.yaml_policy import load_yaml_text
from meshkb.scan import forked
from meshkb.scan.evaluate import evaluate_probe
from meshkb.scan.inventory import build_inventory
from meshkb.scan.manifests import gc_paused
from meshkb.scan.probe_model import (
    AllOf,
    AnyOf,
    Condition,
    Failure,
    Inventory,
    Not,
    Probe,
    ProbeState,
    Quantified,
    ScanEvidence,
)
from meshkb.scan.probe_parse import parse_probe
from meshkb.scan.resources import ManifestSet, Resource
from meshkb.scan.results import ItemResult, ScanItem, ScanOutcome

PROPOSED_PROBES_PATH = Path(__file__).resolve().parents[1] / "data" / "proposed-probes.yaml"
"""Probes proposed for the checklists, runnable before they are attached to items."""


PARALLEL_EVAL_RESOURCES = 2000
"""Fewest resources for which two processes evaluate the probes (see `evaluate_rendered`)."""


def to_scan_items(
    items: Iterable[ScanItem | tuple[str, str, Probe | Mapping[str, Any]]],
) -> tuple[ScanItem, ...]:
    """Accept `ScanItem`s or `(item_id, title, probe)` tuples, probes parsed or not."""
    scan_items = []
    for item in items:
        if isinstance(item, ScanItem):
            scan_items.append(item)
            continue
        item_id, title, probe = item
        if not isinstance(probe, Probe):
            probe = parse_probe(probe, at=f"{item_id}.probe")
        scan_items.append(ScanItem(item_id, title, probe))
    return tuple(scan_items)


def evaluate_items(
    items: Iterable[ScanItem | tuple[str, str, Probe | Mapping[str, Any]]],
    resources: Sequence[Resource],
) -> tuple[ItemResult, ...]:
    """Run each item's probe over the resources.

    With many resources (see `forked`), a forked child evaluates some of the items, the
    most costly first, while this process does the others; the results are the same
    either way.
    """
    scan_items = to_scan_items(items)
    # Evaluating makes many small objects that all stay alive until the output is written.
    with gc_paused():
        inventory = build_inventory(resources)

        def run(index: int) -> ItemResult:
            item = scan_items[index]
            found = evaluate_probe(item.probe, inventory)
            return ItemResult(
                item.item_id,
                item.title,
                found.state,
                found.summary,
                found.evidence,
                item.severity,
                item.failure,
            )

        if len(scan_items) < 2 or not forked.wanted(len(resources), PARALLEL_EVAL_RESOURCES):
            return tuple(run(index) for index in range(len(scan_items)))
        costs = [_expected_cost(item.probe, inventory) for item in scan_items]
        order = sorted(range(len(scan_items)), key=lambda index: -costs[index])
        sent = _SentResults(inventory.resources)
        done = forked.share(
            len(order), lambda piece: run(order[piece]), pack=sent.pack, unpack=sent.unpack
        )
        results = dict(zip(order, done, strict=True))
        return tuple(results[index] for index in range(len(scan_items)))


_Packed = tuple[
    str, str, ProbeState, str, list[tuple[str, int, tuple[str, ...]]], str | None, Failure
]


class _SentResults:
    """Results as the forked child sends them: each origin by its resource's position.

    Both processes hold the same resources (the child is a fork), so an origin needs no
    pickling: its position in the inventory names it (most of what a result weighs).
    Every evidence names a resource's own origin (an implied namespace, that of the
    resource naming it); were one not found, the child would fail and this process
    evaluate its items itself (see `forked`).
    """

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.origins = tuple(resource.origin for resource in resources)
        # The resources live through the scan: their origins' ids stay theirs.
        self.positions = {id(origin): position for position, origin in enumerate(self.origins)}

    def pack(self, result: ItemResult) -> _Packed:
        positions = self.positions
        evidence = [
            (found.resource, positions[id(found.origin)], found.notes) for found in result.evidence
        ]
        return (
            result.item_id,
            result.title,
            result.state,
            result.summary,
            evidence,
            result.severity,
            result.failure,
        )

    def unpack(self, packed: _Packed) -> ItemResult:
        item_id, title, state, summary, evidence, severity, failure = packed
        origins = self.origins
        found = tuple(
            ScanEvidence(ref, origins[position], notes) for ref, position, notes in evidence
        )
        return ItemResult(item_id, title, state, summary, found, severity, failure)


def _expected_cost(probe: Probe, inventory: Inventory) -> int:
    """Roughly how long a probe takes: resources selected times conditions per resource."""
    if inventory.by_kind is None:
        selected = len(inventory.resources)
    else:
        selected = sum(len(inventory.by_kind.get(kind, ())) for kind in set(probe.select.kinds))
    size = _condition_size(probe.where) + _condition_size(probe.expect)
    # Notes are written only for the resources a result shows: few, when a count or a
    # `none` probe passes.
    shown = 1 if probe.count is not None or probe.pass_when == "none" else 3
    return 1 + selected * size * shown


def _condition_size(condition: Condition | None) -> int:
    if condition is None:
        return 0
    if isinstance(condition, (AllOf, AnyOf)):
        return 1 + sum(_condition_size(part) for part in condition.conditions)
    if isinstance(condition, Not):
        return 1 + _condition_size(condition.condition)
    if isinstance(condition, Quantified):
        return 1 + 2 * _condition_size(condition.check)
    return 1


def run_scan(
    manifests: ManifestSet,
    items: Iterable[ScanItem | tuple[str, str, Probe | Mapping[str, Any]]],
) -> ScanOutcome:
    """Run the probes over everything read; problems pass through untouched."""
    return ScanOutcome(
        results=evaluate_items(items, manifests.resources),
        problems=manifests.problems,
        notices=manifests.notices,
        resources_read=len(manifests.resources),
    )


def scan_exit_code(outcome: ScanOutcome) -> int:
    """2 when nothing could be read at all (only problems); otherwise 0.

    A failed probe is a finding for a person to confirm, not an error; a CLI gate option
    may turn failures into exit code 1.
    """
    if outcome.resources_read == 0 and outcome.problems:
        return EXIT_USAGE
    return EXIT_OK


def parse_probe_proposals(text: str, file: str = "proposed-probes.yaml") -> tuple[ScanItem, ...]:
    """Read a proposals file (key -> {checklist, item_id, item, probe}) into scan items.

    The key becomes the result ID, since several proposals may suggest one item.
    """
    data = load_yaml_text(text, file).data
    if not isinstance(data, dict):
        raise MeshkbError(Problem(file, "is not a mapping of key -> proposal"))
    items = []
    for key, proposal in data.items():
        if not isinstance(proposal, dict) or "probe" not in proposal:
            raise MeshkbError(Problem(file, "has no probe", path=f"$.{key}"))
        probe = parse_probe(proposal["probe"], file=file, at=f"$.{key}.probe")
        items.append(ScanItem(str(key), str(proposal.get("item", key)), probe))
    return tuple(items)


def load_probe_proposals() -> tuple[ScanItem, ...]:
    """The proposals shipped with meshkb."""
    text = PROPOSED_PROBES_PATH.read_text(encoding="utf-8")
    return parse_probe_proposals(text, PROPOSED_PROBES_PATH.name)
