"""The probe language: its schema, its parser, and what each construct means."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
import yaml
from meshkb.core import validate
from meshkb.core.errors import MeshkbError
from meshkb.scan.evaluate import evaluate_probe
from meshkb.scan.inventory import build_inventory
from meshkb.scan.manifests import parse_manifests
from meshkb.scan.probe_model import Each, Key, Position, ProbeResult
from meshkb.scan.probe_parse import (
    parse_path,
    parse_probe,
    parse_quantity,
)
from meshkb.scan.run import PROPOSED_PROBES_PATH

WORKLOADS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      labels: {sidecar.istio.io/inject: "false"}
    spec:
      containers:
      - name: app
        resources: {requests: {cpu: 100m, memory: 64Mi}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
      - name: log
        resources: {requests: {cpu: 10m}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {sidecar.istio.io/inject: "false"}
        spec:
          initContainers:
          - {name: wait-db, image: busybox}
          containers:
          - {name: job, resources: {requests: {cpu: "1", memory: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: tools
  labels: {sidecar.istio.io/inject: "true"}
spec:
  initContainers:
  - {name: istio-proxy, restartPolicy: Always}
  - {name: setup}
  containers:
  - {name: shell}
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled, istio.io/rev: canary}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
"""


def run(probe: dict[str, Any], text: str = WORKLOADS) -> ProbeResult:
    manifests = parse_manifests(text, "t.yaml")
    assert manifests.problems == ()
    return evaluate_probe(parse_probe(probe), build_inventory(manifests.resources))


def findings(result: ProbeResult) -> list[tuple[str, tuple[str, ...]]]:
    return [(evidence.resource, evidence.notes) for evidence in result.evidence]


def workloads(**rest: Any) -> dict[str, Any]:
    return {
        "summary": "s",
        "select": {"kind": ["Deployment", "CronJob", "Pod"]},
        "pass_when": "all",
        **rest,
    }


def object_schemas(node: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from object_schemas(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from object_schemas(value, f"{where}[{index}]")


def test_schema_is_valid_draft_2020_12_and_strict() -> None:
    schema = validate.schema("probe")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for where, node in object_schemas(schema):
        extra = node.get("additionalProperties")
        # Label and annotation maps take any key; everything else is closed.
        assert extra is False or extra == {"type": "string"}, where
        for name, prop in node.get("properties", {}).items():
            assert prop.get("description"), f"{where}.properties.{name} has no description"


def proposals() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PROPOSED_PROBES_PATH.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("key", list(proposals()))
def test_every_proposed_probe_validates_and_parses(key: str) -> None:
    proposal = proposals()[key]
    assert proposal["checklist"] in {"adoption", "migration", "traps", "removal"}
    assert proposal["item"] and proposal["item_id"][:4] in {"ADP-", "MIG-", "TRP-", "RMV-"}
    jsonschema.Draft202012Validator(validate.schema("probe")).validate(proposal["probe"])
    parse_probe(proposal["probe"])


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("spec.selector", (Key("spec"), Key("selector"))),
        (
            'podMetadata.labels["sidecar.istio.io/inject"]',
            (Key("podMetadata"), Key("labels"), Key("sidecar.istio.io/inject")),
        ),
        (
            "podSpec.containers[*].readinessProbe.httpGet",
            (Key("podSpec"), Key("containers"), Each(), Key("readinessProbe"), Key("httpGet")),
        ),
        ("spec.metrics[0].type", (Key("spec"), Key("metrics"), Position(0), Key("type"))),
        ('["a.b"][*]', (Key("a.b"), Each())),
        (
            "metadata.labels.istio-injection",
            (Key("metadata"), Key("labels"), Key("istio-injection")),
        ),
    ],
)
def test_paths_parse(text: str, steps: tuple[object, ...]) -> None:
    assert parse_path(text).steps == steps


@pytest.mark.parametrize(
    "text", ["", ".a", "a.", "a..b", "a[", "a[x]", "a[-1]", 'a["b]', "a]b", 'a"b', "a[*]b"]
)
def test_bad_paths_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_path(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100m", Decimal("0.1")),
        ("128Mi", Decimal(128 * 2**20)),
        ("1Gi", Decimal(2**30)),
        ("2", Decimal(2)),
        (2, Decimal(2)),
        (0.5, Decimal("0.5")),
        ("1e3", Decimal(1000)),
        ("1E", Decimal(10**18)),
        ("1k", Decimal(1000)),
        ("1.5G", Decimal("1.5e9")),
    ],
)
def test_quantities(value: object, expected: Decimal) -> None:
    assert parse_quantity(value) == expected


@pytest.mark.parametrize("value", ["", "abc", "NaN", "Infinity", "1_000", "1Xi", True, None, [1]])
def test_not_quantities(value: object) -> None:
    assert parse_quantity(value) is None


def test_pod_spec_reaches_every_workload_kind() -> None:
    result = run(
        workloads(
            expect={
                "every": "podSpec.containers[*]",
                "check": {"path": "resources.requests.memory", "exists": True},
            }
        )
    )
    assert result.state == "fail"
    assert result.summary == "s: 1 of 3 match"
    assert findings(result) == [
        (
            "Deployment shop/web",
            ("spec.template.spec.containers[1].resources.requests.memory is absent (name: log)",),
        ),
        (
            "Pod tools/debug",
            ("spec.containers[0].resources.requests.memory is absent (name: shell)",),
        ),
    ]
    passing = run(
        workloads(
            select={"kind": ["CronJob", "Pod"]},
            expect={
                "every": "podSpec.containers[*]",
                "check": {"path": "name", "exists": True},
            },
        )
    )
    assert passing.state == "pass"
    assert findings(passing) == [
        (
            "CronJob shop/nightly",
            ('spec.jobTemplate.spec.template.spec.containers[0].name = "job" (name: job)',),
        ),
        ("Pod tools/debug", ('spec.containers[0].name = "shell" (name: shell)',)),
    ]


def test_pod_metadata_is_the_template_or_the_pod_itself() -> None:
    result = run(
        workloads(
            expect={"path": 'podMetadata.labels["sidecar.istio.io/inject"]', "exists": True},
            pass_when="none",
        )
    )
    assert result.state == "fail"
    assert findings(result) == [
        (
            "Deployment shop/web",
            ('spec.template.metadata.labels["sidecar.istio.io/inject"] = "false"',),
        ),
        ("Pod tools/debug", ('metadata.labels["sidecar.istio.io/inject"] = "true"',)),
    ]


def test_equals_compares_a_string_with_a_boolean_spelling() -> None:
    result = run(
        workloads(
            expect={"path": 'podMetadata.labels["sidecar.istio.io/inject"]', "equals": False},
            pass_when="any",
        )
    )
    assert result.state == "pass"
    assert [e.resource for e in result.evidence] == ["Deployment shop/web"]


def test_not_equals_needs_a_value() -> None:
    result = run(
        workloads(
            expect={"path": 'podMetadata.labels["sidecar.istio.io/inject"]', "not_equals": "false"}
        )
    )
    assert result.state == "fail"
    assert result.summary == "s: 1 of 3 match"  # only the Pod: the CronJob has no label at all


def test_in_contains_and_quantities() -> None:
    assert (
        run(workloads(expect={"path": "metadata.namespace", "in": ["shop", "tools"]})).state
        == "pass"
    )
    assert run(workloads(expect={"path": "kind", "contains": "o"})).state == "pass"
    at_least = run(
        workloads(
            expect={
                "some": "podSpec.containers[*]",
                "check": {"path": "resources.requests.cpu", "at_least": "100m"},
            }
        )
    )
    assert at_least.summary == "s: 2 of 3 match"
    below = run(
        workloads(
            select={"kind": "Deployment"},
            expect={
                "some": "podSpec.containers[*]",
                "check": {"path": "resources.requests.cpu", "less_than": 0.05},
            },
        )
    )
    assert below.state == "pass"
    assert findings(below) == [
        (
            "Deployment shop/web",
            ('spec.template.spec.containers[1].resources.requests.cpu = "10m" (name: log)',),
        )
    ]


def test_some_and_every_over_init_containers() -> None:
    native = {"path": "restartPolicy", "equals": "Always"}
    result = run(
        workloads(expect={"some": "podSpec.initContainers[*]", "check": native}, pass_when="any")
    )
    assert result.state == "pass"
    assert findings(result) == [
        (
            "Pod tools/debug",
            ('spec.initContainers[0].restartPolicy = "Always" (name: istio-proxy)',),
        )
    ]
    every = run(workloads(expect={"every": "podSpec.initContainers[*]", "check": native}))
    # No init containers at all satisfies `every`: the Deployment holds vacuously.
    assert every.summary == "s: 1 of 3 match"


def test_namespace_metadata_is_unknown_when_the_namespace_is_not_in_the_input() -> None:
    result = run(
        workloads(
            expect={"path": 'namespaceMetadata.labels["istio-injection"]', "equals": "enabled"}
        )
    )
    assert result.state == "unknown"
    assert result.summary == "s: 2 of 3 match, 1 unknown"
    assert findings(result) == [
        (
            "Pod tools/debug",
            ("Namespace tools is not in the input, so its labels and annotations are unknown",),
        )
    ]


def test_namespace_selection_includes_namespaces_only_named_by_others() -> None:
    result = run(
        {
            "summary": "s",
            "select": {"kind": "Namespace"},
            "expect": {"namespace_has": {"kind": "Service"}},
        }
    )
    assert result.state == "fail"
    assert findings(result) == [
        (
            "Namespace tools",
            ("not in the input (named by Pod tools/debug)", "no Service in namespace tools"),
        ),
    ]
    labels = run(
        {
            "summary": "s",
            "select": {"kind": "Namespace"},
            "expect": {"path": 'metadata.labels["istio.io/rev"]', "exists": True},
        }
    )
    assert labels.state == "unknown"
    assert findings(labels) == [
        (
            "Namespace tools",
            (
                "not in the input (named by Pod tools/debug)",
                "so its labels, annotations and other fields are unknown",
            ),
        )
    ]


def test_cannot_tell_turns_a_finding_into_a_question() -> None:
    probe = workloads(
        expect={
            "all": [
                {
                    "some": "podSpec.initContainers[*]",
                    "check": {"not": {"path": "restartPolicy", "equals": "Always"}},
                },
                {"cannot_tell": "whether they call the network"},
            ]
        },
        pass_when="none",
    )
    result = run(probe)
    assert result.state == "unknown"
    assert findings(result) == [
        (
            "CronJob shop/nightly",
            (
                "spec.jobTemplate.spec.template.spec.initContainers[0].restartPolicy is absent (name: wait-db)",
                "cannot tell from manifests whether they call the network",
            ),
        ),
        (
            "Pod tools/debug",
            (
                "spec.initContainers[1].restartPolicy is absent (name: setup)",
                "cannot tell from manifests whether they call the network",
            ),
        ),
    ]
    clean = run(
        probe, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n"
    )
    assert clean.state == "pass"
    assert findings(clean) == [("Pod default/p", ())]


def test_where_filters_and_count_counts() -> None:
    probe: dict[str, Any] = {
        "summary": "Enrolled namespaces",
        "select": {"kind": "Namespace"},
        "where": {"path": 'metadata.labels["istio-injection"]', "equals": "enabled"},
        "count": {"at_most": 1},
    }
    result = run(probe)
    # shop counts; tools is not in the input, so it may count too.
    assert result.state == "unknown"
    assert (
        result.summary
        == "Enrolled namespaces: 1 counted of 2 selected, 1 unknown; expected at most 1"
    )
    assert findings(result) == [
        ("Namespace shop", ()),
        (
            "Namespace tools",
            (
                "not in the input (named by Pod tools/debug)",
                "so its labels, annotations and other fields are unknown",
            ),
        ),
    ]
    for bounds, state in [
        ({"at_most": 0}, "fail"),
        ({"at_most": 2}, "pass"),
        ({"at_least": 1}, "pass"),
        ({"at_least": 2}, "unknown"),
        ({"at_least": 3}, "fail"),
        ({"at_least": 1, "at_most": 2}, "pass"),
    ]:
        probe["count"] = bounds
        assert run(probe).state == state, bounds


def test_nothing_selected_is_unknown() -> None:
    result = run(
        {
            "summary": "HPAs",
            "select": {"kind": "HorizontalPodAutoscaler"},
            "expect": {"path": "spec", "exists": True},
        }
    )
    assert result == ProbeResult(
        "unknown", "HPAs: nothing selected (no HorizontalPodAutoscaler in the input)", ()
    )
    filtered = run(
        {
            "summary": "s",
            "select": {"kind": "Service"},
            "where": {"path": "spec.type", "equals": "NodePort"},
            "expect": {"path": "spec", "exists": True},
        }
    )
    assert filtered.state == "unknown"
    assert filtered.summary == "s: nothing selected (1 Service, none kept by where)"


def test_select_by_namespace_name_labels_and_annotations() -> None:
    def picked(select: dict[str, Any]) -> list[str]:
        result = run({"summary": "s", "select": select, "expect": {"path": "kind", "exists": True}})
        return [e.resource for e in result.evidence]

    assert picked({"kind": ["Pod", "Deployment"], "namespace": "tools"}) == ["Pod tools/debug"]
    assert picked({"kind": ["Service", "Deployment"], "name": "web"}) == [
        "Deployment shop/web",
        "Service shop/web",
    ]
    assert picked({"kind": "Pod", "labels": {"sidecar.istio.io/inject": "true"}}) == [
        "Pod tools/debug"
    ]
    assert picked({"kind": "Namespace", "labels": {"istio.io/rev": "canary"}}) == ["Namespace shop"]
    assert picked({"kind": "Pod", "annotations": {"x": "y"}}) == []


def test_a_controller_in_the_input_stands_for_what_it_controls() -> None:
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec: {template: {spec: {containers: [{name: c}]}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d4
  namespace: a
  ownerReferences: [{kind: Deployment, name: web, controller: true}]
spec: {template: {spec: {containers: [{name: c}]}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d4-x1
  namespace: a
  ownerReferences: [{kind: ReplicaSet, name: web-5d4, controller: true}]
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: orphan
  namespace: a
  ownerReferences: [{kind: ReplicaSet, name: gone, controller: true}]
spec: {containers: [{name: c}]}
"""
    result = run(
        workloads(
            select={"kind": ["Deployment", "ReplicaSet", "Pod"]},
            expect={"path": "kind", "exists": True},
        ),
        text,
    )
    assert [e.resource for e in result.evidence] == ["Deployment a/web", "Pod a/orphan"]


def test_pass_when_any_and_none() -> None:
    has_http = {
        "some": "podSpec.containers[*]",
        "check": {"path": "readinessProbe.httpGet", "exists": True},
    }
    assert run(workloads(expect=has_http, pass_when="any")).state == "pass"
    none = run(workloads(expect=has_http, pass_when="none"))
    assert none.state == "fail"
    assert findings(none) == [
        (
            "Deployment shop/web",
            (
                'spec.template.spec.containers[0].readinessProbe.httpGet = {"path": "/ready", "port": 8080} (name: app)',
            ),
        )
    ]


@pytest.mark.parametrize(
    ("probe", "path", "message"),
    [
        (
            {"summary": "s", "select": {"kind": "Pod"}},
            "$.probe",
            "missing required field 'expect'",
        ),
        (
            {
                "summary": "s",
                "select": {"kind": "Pod"},
                "expect": {"path": "a", "exists": True},
                "run": "rm -rf /",
            },
            "$.probe.run",
            "unknown field 'run'",
        ),
        (
            {"summary": "s", "select": {"kind": "Pod"}, "expect": {"path": "a[", "exists": True}},
            "$.probe.expect.path",
            "bad path 'a[': '[' at 2 is not closed",
        ),
        (
            {
                "summary": "s",
                "select": {"kind": "Pod"},
                "expect": {"all": [{"path": "a", "at_least": "lots"}]},
            },
            "$.probe.expect.all[0].at_least",
            "'lots' is not a Kubernetes quantity",
        ),
        (
            {"summary": "s", "select": {"kind": "Pod"}, "expect": {"path": "a", "matches": ".*"}},
            "$.probe.expect.matches",
            "unknown field 'matches'",
        ),
    ],
)
def test_bad_probes_are_refused_with_their_place(
    probe: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(MeshkbError) as caught:
        parse_probe(probe, file="traps.yaml")
    problem = caught.value.problems[0]
    assert problem.file == "traps.yaml"
    assert problem.path == path
    assert message in problem.message
