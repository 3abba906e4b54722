"""The compiled evaluator's two ways of answering agree, and the direct writers match."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from meshkb import scan
from meshkb.cli import load_every
from meshkb.cli_scan import probe_items
from meshkb.jsonwrite import nested_text
from meshkb.manifests import STDIN_NAME, Origin, parse_manifests, read_manifests
from meshkb.probe import Evidence, Probe, build_inventory, parse_probe
from meshkb.probe_eval import Scope, compile_condition, select_subjects
from meshkb.scan import ItemResult, load_probe_proposals, render_result, render_scan_json

from .conftest import CHECKLISTS, SHARED
from .test_parallel import mixed_text
from .test_probe import WORKLOADS

FIXTURES = SHARED / "fixtures" / "manifests"


def every_probe() -> list[tuple[str, Probe]]:
    args = argparse.Namespace(checklists=str(CHECKLISTS), checklist=[])
    items = probe_items(list(load_every(args).values()))
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
EVIDENCE = st.builds(
    Evidence,
    TEXT,
    st.builds(
        Origin,
        st.sampled_from([STDIN_NAME, "a b/c.yaml", "/abs/ü.yaml", "x%y.yml"]) | TEXT,
        st.integers(min_value=1, max_value=10**6),
        st.integers(min_value=1, max_value=10**6),
        st.none() | st.integers(min_value=1, max_value=100),
    ),
    st.lists(TEXT, max_size=4).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(EVIDENCE, st.sampled_from(["\n", "\n    ", "\n          "]))
def test_direct_evidence_writers_match_the_general_writer(evidence: Evidence, newline: str) -> None:
    expected = nested_text(scan._evidence_json(evidence), newline)
    assert scan._json_evidence(evidence, newline) == expected
    expected = nested_text(scan._sarif_location(evidence), newline)
    assert scan._sarif_location_text(evidence, newline) == expected


def test_nested_text_is_json_dumps_indented_in_place() -> None:
    value = {"a": [1, {"b": None, "c": 1.5}], "d": "é\n"}  # a float: json.dumps writes it
    text = nested_text(value, "\n    ")
    assert text == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n    ")


def test_results_written_for_one_format_are_refused_by_another() -> None:
    manifests = parse_manifests(WORKLOADS, "w.yaml")
    probe = yaml.safe_load("{summary: s, select: {kind: Service}, count: {at_least: 1}}")
    (result,) = scan.run_scan(manifests, [("X-1", "t", probe)]).results
    assert isinstance(result, ItemResult)
    written = render_result(result, 0, "text")
    assert render_scan_json([result]) == render_scan_json([render_result(result, 0, "json")])
    with pytest.raises(ValueError, match="written as text, not json"):
        render_scan_json([written])
