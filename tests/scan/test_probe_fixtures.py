"""Every shipped probe on manifests where it must pass, fail and be unknown.

A probe may pre-fill `pass` only when the manifests establish the item's whole check;
otherwise it says `cannot_confirm` and a would-be pass is unknown. The file names under
tests/fixtures/probes/<ITEM-ID>/ say the state each file must give.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from meshkb.core.load import checklist_files, load_all
from meshkb.scan.prefill import probe_items
from meshkb.scan.read import read_manifests
from meshkb.scan.results import ScanItem
from meshkb.scan.run import evaluate_items

from ..conftest import CHECKLISTS, MANIFESTS

PROBES = MANIFESTS.parent / "probes"

# The states each shipped probe can reach, and why a missing one cannot happen.
REACHABLE = {
    "ADP-0001": {"fail", "unknown"},  # 15 Services do not show 15 that call each other
    "MIG-0003": {"fail", "unknown"},  # zero or one enrolled namespace is not "exactly one"
    "MIG-0007": {"unknown"},  # the item is a runbook; the annotation is only a hint
    "MIG-0017": {"fail", "unknown"},  # a policy's existence does not show what it limits
    "MIG-0018": {"fail", "unknown"},  # one cluster's CA does not show a shared root
    "MIG-0019": {"fail", "unknown"},  # blockers, waypoints and rollback are not in manifests
    "RMV-0002": {"pass", "unknown"},  # an opt-out may be a documented exception
    "TRP-0001": {"pass", "fail", "unknown"},
    "TRP-0003": {"pass", "unknown"},  # whether an init container calls the network
    "TRP-0005": {"pass", "fail", "unknown"},
    "TRP-0007": {"pass", "fail", "unknown"},
    "TRP-0013": {"fail", "unknown"},  # the canary practice is not in manifests
    "TRP-0017": {"unknown"},  # alerts may live elsewhere; "well before" is a judgement
    "TRP-0018": {"fail", "unknown"},  # which workloads must not reach arbitrary hosts
}


def shipped_items() -> dict[str, ScanItem]:
    checklists = load_all(checklist_files(CHECKLISTS))
    return {item.item_id: item for item in probe_items(checklists)}


def fixtures() -> list[tuple[str, str, Path]]:
    return [
        (folder.name, file.stem.split("-")[0], file)
        for folder in sorted(PROBES.iterdir())
        for file in sorted(folder.glob("*.yaml"))
    ]


def test_every_shipped_probe_has_fixtures_for_each_state_it_can_reach() -> None:
    items = shipped_items()
    assert set(REACHABLE) == set(items)
    found: dict[str, set[str]] = {}
    for item_id, state, _ in fixtures():
        found.setdefault(item_id, set()).add(state)
    assert found == REACHABLE
    # A probe that cannot establish the whole check says so, and then never passes.
    for item_id, item in items.items():
        assert ("pass" in REACHABLE[item_id]) == (item.probe.cannot_confirm is None), item_id
        assert item.probe.failure is not None, f"{item_id} does not say what a failure means"


@pytest.mark.parametrize(("item_id", "state", "file"), fixtures(), ids=lambda v: str(v)[-40:])
def test_probe_gives_the_state_its_fixture_names(item_id: str, state: str, file: Path) -> None:
    item = shipped_items()[item_id]
    manifests = read_manifests([file])
    assert manifests.problems == ()
    (result,) = evaluate_items([item], manifests.resources)
    assert result.state == state, result.summary
    if item.probe.cannot_confirm is not None and state == "unknown" and result.evidence:
        # A would-be pass says what the manifests cannot show.
        assert "cannot tell from manifests" in result.summary or any(
            "cannot tell" in note or "unknown" in note
            for found in result.evidence
            for note in found.notes
        )


def test_issue_cases() -> None:
    items = shipped_items()

    def state(item_id: str, file: str) -> str:
        (result,) = evaluate_items(
            [items[item_id]], read_manifests([PROBES / item_id / file]).resources
        )
        return result.state

    # MIG-0003: no namespace enrolled is not "exactly one" (it passed before).
    assert state("MIG-0003", "unknown.yaml") == "unknown"
    # TRP-0005: a TCP probe with rewriting switched off tests the proxy, not the app.
    assert state("TRP-0005", "fail.yaml") == "fail"
    assert state("TRP-0005", "fail-grpc.yaml") == "fail"
    assert state("TRP-0005", "unknown.yaml") == "unknown"  # gRPC, rewriting left to the mesh
    # TRP-0001: a log shipper run as a native sidecar is not the proxy.
    assert state("TRP-0001", "unknown-other-sidecar.yaml") == "unknown"
    assert state("TRP-0001", "unknown-hold-false.yaml") == "unknown"
    # TRP-0008 has no probe: app requests say nothing of the proxies' in capacity plans.
    assert "TRP-0008" not in items


def test_what_a_failure_means_sets_the_gate() -> None:
    items = shipped_items()
    assert items["ADP-0001"].failure == "signal"  # a fact about the system, not a defect
    gating = sorted(item_id for item_id, item in items.items() if item.failure == "breaks")
    assert gating == ["MIG-0019", "TRP-0001"]
    (small,) = evaluate_items(
        [items["ADP-0001"]], read_manifests([PROBES / "ADP-0001" / "fail.yaml"]).resources
    )
    assert small.state == "fail" and not small.gates
    (broken,) = evaluate_items(
        [items["MIG-0019"]], read_manifests([PROBES / "MIG-0019" / "fail.yaml"]).resources
    )
    assert broken.state == "fail" and broken.gates
