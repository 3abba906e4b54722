"""The compiled evaluator's two ways of answering agree, and the direct writers match."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st
from meshkb.core.load import checklist_files, load_all
from meshkb.scan.access import Scope
from meshkb.scan.compile import compile_condition
from meshkb.scan.evaluate import select_subjects
from meshkb.scan.inventory import build_inventory
from meshkb.scan.manifests import parse_manifests
from meshkb.scan.prefill import probe_items
from meshkb.scan.probe_model import Probe
from meshkb.scan.probe_parse import parse_probe
from meshkb.scan.read import read_manifests
from meshkb.scan.run import load_probe_proposals

from ..conftest import CHECKLISTS, MANIFESTS
from .test_parallel import mixed_text
from .test_probe import WORKLOADS

FIXTURES = MANIFESTS


def every_probe() -> list[tuple[str, Probe]]:
    items = probe_items(load_all(checklist_files(CHECKLISTS)))
    probes = [(item.item_id, item.probe) for item in items]
    probes += [(item.item_id, item.probe) for item in load_probe_proposals()]
    # A few that reach what the checklists do not: namespaces, positions, quantities.
    extra: list[dict[str, Any]] = [
        {
            "summary": "s",
            "select": {"kind": ["Deployment", "Pod", "Namespace", "Service"]},
            "where": {"path": "namespaceMetadata.labels.istio-injection", "exists": True},
            "expect": {
                "any": [
                    {"path": "podSpec.containers[0].resources.requests.cpu", "at_least": "100m"},
                    {"every": "spec.ports[*]", "check": {"path": "port", "in": [80, "8080"]}},
                    {"not": {"namespace_has": {"kind": "NetworkPolicy"}}},
                    {"path": "metadata.name", "not_equals": "x"},
                ]
            },
        },
        {
            "summary": "s",
            "select": {"kind": "Namespace"},
            "expect": {"some": "metadata.labels[*]", "check": {"path": "x", "exists": False}},
            "pass_when": "any",
        },
    ]
    probes += [(f"extra-{n}", parse_probe(probe)) for n, probe in enumerate(extra)]
    return probes


INPUTS = {
    "fixtures": lambda: read_manifests([FIXTURES]),
    "workloads": lambda: parse_manifests(WORKLOADS, "w.yaml"),
    "mixed": lambda: parse_manifests(mixed_text(60), "m.yaml"),
}


@pytest.mark.parametrize("name", list(INPUTS))
def test_answers_alone_agree_with_answers_explained(name: str) -> None:
    inventory = build_inventory(INPUTS[name]().resources)
    checked = 0
    for item_id, probe in every_probe():
        scope = Scope(inventory)
        for condition in (probe.where, probe.expect):
            if condition is None:
                continue
            compiled = compile_condition(condition, scope)
            for subject in select_subjects(probe.select, inventory):
                truth = compiled.truth(subject, None)
                answer, notes = compiled.explain(subject, "", None)
                assert truth is answer, (item_id, subject.ref)
                assert notes and len(set(notes)) == len(notes), (item_id, subject.ref)
                checked += 1
    assert checked > 50


TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
