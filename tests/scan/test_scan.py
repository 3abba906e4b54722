"""`meshkb scan`: the proposed probes on real manifests, bad input, and the three renderings."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from meshkb.core.errors import EXIT_OK, EXIT_USAGE, MeshkbError
from meshkb.scan.output import (
    group_evidence,
    render_scan_json,
    render_scan_text,
    select_states,
    shorten,
)
from meshkb.scan.probe_model import ScanEvidence
from meshkb.scan.read import read_manifests
from meshkb.scan.resources import Origin
from meshkb.scan.results import ItemResult, ScanOutcome
from meshkb.scan.run import load_probe_proposals, parse_probe_proposals, run_scan, scan_exit_code
from meshkb.scan.sarif import render_scan_sarif

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "manifests"
BOOKINFO = FIXTURES / "bookinfo" / "bookinfo.yaml"
EMOJIVOTO = FIXTURES / "emojivoto" / "emojivoto.yml"

BOOKINFO_DEPLOYMENTS = [
    "Deployment default/details-v1",
    "Deployment default/ratings-v1",
    "Deployment default/reviews-v1",
    "Deployment default/reviews-v2",
    "Deployment default/reviews-v3",
    "Deployment default/productpage-v1",
]
EMOJIVOTO_DEPLOYMENTS = [
    "Deployment emojivoto/emoji",
    "Deployment emojivoto/voting",
    "Deployment emojivoto/web",
    "Deployment emojivoto/vote-bot",
]


def scan(*paths: Path) -> ScanOutcome:
    return run_scan(read_manifests(list(paths)), load_probe_proposals())


def by_id(outcome: ScanOutcome) -> dict[str, ItemResult]:
    return {result.item_id: result for result in outcome.results}


def table(outcome: ScanOutcome) -> dict[str, tuple[str, list[str]]]:
    return {r.item_id: (r.state, [e.resource for e in r.evidence]) for r in outcome.results}


def test_bookinfo_findings_resource_by_resource() -> None:
    outcome = scan(BOOKINFO)
    assert outcome.problems == () and outcome.notices == ()
    assert table(outcome) == {
        "in-cluster-services": (
            "fail",
            [
                "Service default/details",
                "Service default/ratings",
                "Service default/reviews",
                "Service default/productpage",
            ],
        ),
        "namespace-networkpolicy": ("fail", ["Namespace default"]),
        # Zero namespaces enrolled is not "exactly one": never a pass (it was one).
        "enrolled-namespaces": ("unknown", ["Namespace default"]),
        "istio-inject-annotation": ("unknown", BOOKINFO_DEPLOYMENTS),
        # The default namespace is only implied: it may carry an opt-out label.
        "injection-opt-outs": ("unknown", ["Namespace default"]),
        "revision-label-conflict": ("unknown", ["Namespace default"]),
        "startup-ordering": ("unknown", BOOKINFO_DEPLOYMENTS),
        "init-containers-network": ("pass", BOOKINFO_DEPLOYMENTS),
        "http-probes": ("pass", BOOKINFO_DEPLOYMENTS),
        "hpa-pod-resource": ("unknown", []),
        "container-requests": ("fail", BOOKINFO_DEPLOYMENTS),
        "limitrange-below-proxy": ("unknown", []),
        "quota-headroom": ("unknown", []),
    }
    results = by_id(outcome)
    assert results["in-cluster-services"].summary == (
        "Services that route to pods inside the cluster: 4 counted of 4 selected; expected at least 15"
    )
    assert results["enrolled-namespaces"].summary.endswith(
        "; cannot tell from manifests that exactly one namespace is in the mesh with only one or"
        " two services enrolled, and that injection is not on for the whole cluster (pod-level"
        " labels and mesh-wide settings)"
    )
    # bookinfo sets no requests at all: each Deployment lacks both, on its only container.
    requests = results["container-requests"]
    assert requests.summary == "Workloads whose containers all request CPU and memory: 0 of 6 match"
    names = ["details", "ratings", "reviews", "reviews", "reviews", "productpage"]
    assert [e.notes for e in requests.evidence] == [
        (
            f"spec.template.spec.containers[0].resources.requests.cpu is absent (name: {name})",
            f"spec.template.spec.containers[0].resources.requests.memory is absent (name: {name})",
        )
        for name in names
    ]
    assert [(e.origin.document, e.origin.line) for e in requests.evidence] == [
        (3, 53),
        (6, 104),
        (9, 155),
        (10, 200),
        (11, 241),
        (14, 310),
    ]
    # bookinfo has no probes: no HTTP probe for the mesh to break.
    assert results["http-probes"].evidence[0].notes == tuple(
        f"spec.template.spec.containers[0].{probe}.{kind} is absent (name: details)"
        for probe in ("livenessProbe", "readinessProbe", "startupProbe")
        for kind in ("httpGet", "tcpSocket", "grpc")
    )
    # The default namespace is only implied, so its labels cannot be known.
    assert results["namespace-networkpolicy"].evidence[0].notes == (
        "not in the input (named by Service default/details)",
        "no NetworkPolicy or CiliumNetworkPolicy in namespace default",
    )
    assert results["revision-label-conflict"].evidence[0].notes == (
        "not in the input (named by Service default/details)",
        "so its labels, annotations and other fields are unknown",
    )
    assert (
        results["startup-ordering"]
        .evidence[0]
        .notes[-1]
        .startswith("cannot tell from manifests whether mesh-wide settings protect this workload")
    )
    # 4 Services are fewer than 15 (a fail, but a signal: it does not gate); 15 would not
    # pass either, as Services are not calls between them.
    assert results["in-cluster-services"].failure == "signal"
    assert not results["in-cluster-services"].gates


def test_emojivoto_findings_resource_by_resource() -> None:
    outcome = scan(EMOJIVOTO)
    assert outcome.problems == () and outcome.notices == ()
    assert table(outcome) == {
        "in-cluster-services": (
            "fail",
            [
                "Service emojivoto/emoji-svc",
                "Service emojivoto/voting-svc",
                "Service emojivoto/web-svc",
            ],
        ),
        "namespace-networkpolicy": ("fail", ["Namespace emojivoto"]),
        "enrolled-namespaces": ("unknown", []),
        "istio-inject-annotation": ("unknown", EMOJIVOTO_DEPLOYMENTS),
        "injection-opt-outs": ("pass", ["Namespace emojivoto", *EMOJIVOTO_DEPLOYMENTS]),
        "revision-label-conflict": ("unknown", ["Namespace emojivoto"]),
        "startup-ordering": ("unknown", EMOJIVOTO_DEPLOYMENTS),
        "init-containers-network": ("pass", EMOJIVOTO_DEPLOYMENTS),
        "http-probes": ("pass", EMOJIVOTO_DEPLOYMENTS),
        "hpa-pod-resource": ("unknown", []),
        "container-requests": ("fail", EMOJIVOTO_DEPLOYMENTS),
        "limitrange-below-proxy": ("unknown", []),
        "quota-headroom": ("unknown", []),
    }
    results = by_id(outcome)
    # emojivoto requests CPU (100m, 100m, 100m, 10m) but no memory.
    assert [e.notes for e in results["container-requests"].evidence] == [
        (f"spec.template.spec.containers[0].resources.requests.memory is absent (name: {name})",)
        for name in ("emoji-svc", "voting-svc", "web-svc", "vote-bot")
    ]
    assert results["namespace-networkpolicy"].evidence[0].notes == (
        "no NetworkPolicy or CiliumNetworkPolicy in namespace emojivoto",
    )
    assert "0 counted of 1 selected; expected at most 1; cannot tell" in (
        results["enrolled-namespaces"].summary
    )


CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata:
  name: pay
  labels: {istio-injection: enabled, istio.io/rev: canary}
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio.io/dataplane-mode: ambient}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: pay}
spec: {podSelector: {}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: pay}
spec:
  template:
    metadata:
      annotations:
        sidecar.istio.io/inject: "false"
        sidecar.istio.io/rewriteAppHTTPProbers: "false"
    spec:
      initContainers:
      - {name: migrate, image: flyway}
      containers:
      - name: api
        resources: {requests: {cpu: 200m, memory: 256Mi}}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: pay}
spec:
  template:
    metadata:
      annotations:
        proxy.istio.io/config: '{ "holdApplicationUntilProxyStarts": true }'
    spec:
      containers:
      - {name: db, resources: {requests: {cpu: "1", memory: 2Gi}}, readinessProbe: {httpGet: {port: 5432}}}
---
apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: shop}
spec:
  initContainers:
  - {name: linkerd-proxy, restartPolicy: Always}
  - {name: fetch}
  containers:
  - {name: run, resources: {requests: {cpu: 1, memory: 1Gi}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: pay}
spec:
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: db, namespace: pay}
spec:
  metrics:
  - type: ContainerResource
    containerResource: {name: cpu, container: db, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: small, namespace: shop}
spec:
  limits:
  - type: Container
    max: {memory: 512Mi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: pay}
spec:
  hard: {requests.cpu: "10", pods: "50"}
"""


def test_every_proposed_probe_reaches_its_other_states(tmp_path: Path) -> None:
    file = tmp_path / "cluster.yaml"
    file.write_text(CLUSTER)
    outcome = scan(file)
    assert outcome.problems == ()
    assert table(outcome) == {
        "in-cluster-services": ("unknown", []),
        "namespace-networkpolicy": ("fail", ["Namespace shop"]),
        "enrolled-namespaces": ("fail", ["Namespace pay", "Namespace shop"]),
        "istio-inject-annotation": ("unknown", ["Deployment pay/api"]),
        "injection-opt-outs": ("unknown", ["Deployment pay/api"]),
        "revision-label-conflict": ("fail", ["Namespace pay"]),
        "startup-ordering": ("unknown", ["Deployment pay/api"]),
        # Whether `fetch` runs after the native linkerd-proxy cannot be told from order alone.
        "init-containers-network": ("unknown", ["Deployment pay/api", "Pod shop/batch"]),
        "http-probes": ("fail", ["Deployment pay/api", "StatefulSet pay/db"]),
        "hpa-pod-resource": ("fail", ["HorizontalPodAutoscaler pay/api"]),
        "container-requests": (
            "pass",
            ["Deployment pay/api", "StatefulSet pay/db", "Pod shop/batch"],
        ),
        "limitrange-below-proxy": ("fail", ["LimitRange shop/small"]),
        "quota-headroom": ("unknown", ["ResourceQuota pay/quota"]),
    }
    results = by_id(outcome)
    assert results["hpa-pod-resource"].evidence[0].notes == (
        'spec.metrics[0].type = "Resource"',
        'spec.metrics[0].resource.name = "cpu"',
    )
    assert results["limitrange-below-proxy"].evidence[0].notes == (
        'spec.limits[0].type = "Container"',
        'spec.limits[0].max.memory = "512Mi"',
    )
    assert results["init-containers-network"].evidence[0].notes == (
        "spec.template.spec.initContainers[0].restartPolicy is absent (name: migrate)",
        "cannot tell from manifests whether these init containers call the network, run after"
        " a native-sidecar proxy or are excluded from capture",
    )
    assert results["injection-opt-outs"].evidence[0].notes == (
        'spec.template.metadata.annotations["sidecar.istio.io/inject"] = "false"',
        "cannot tell from manifests whether each opt-out is a documented, reviewed exception",
    )
    assert results["quota-headroom"].evidence[0].notes == (
        'spec.hard["requests.cpu"] = "10"',
        "cannot tell from manifests whether the quota leaves room for one proxy per pod",
    )
    # The StatefulSet holds its app for the proxy; the Pod runs a native sidecar.
    assert results["startup-ordering"].summary.endswith("2 of 3 match, 1 unknown")
    assert results["http-probes"].evidence[0].notes == (
        'spec.template.spec.containers[0].livenessProbe.httpGet = {"path": "/healthz", "port": 8080} (name: api)',
        'spec.template.metadata.annotations["sidecar.istio.io/rewriteAppHTTPProbers"] = "false"',
        'spec.template.metadata.annotations["traffic.sidecar.istio.io/excludeInboundPorts"] is absent',
    )
    assert (
        results["http-probes"]
        .evidence[1]
        .notes[-1]
        .startswith("cannot tell from manifests how the mesh treats these probes")
    )


def test_bad_input_is_reported_and_the_rest_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "a-broken.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
    (tmp_path / "b-binary.yaml").write_bytes(b"\x00\x01\x02")
    outcome = run_scan(read_manifests([tmp_path, EMOJIVOTO]), load_probe_proposals())
    broken, binary = outcome.problems
    assert str(broken).startswith(
        f"{tmp_path / 'a-broken.yaml'}:4:1: document 1: is not valid YAML ("
    )
    assert str(binary) == (
        f"{tmp_path / 'b-binary.yaml'}: contains NUL bytes: binary data (or UTF-16 text), "
        "not a UTF-8 manifest"
    )
    assert by_id(outcome)["container-requests"].state == "fail"
    assert scan_exit_code(outcome) == EXIT_OK


def test_exit_code_is_2_only_when_nothing_could_be_read(tmp_path: Path) -> None:
    nothing = run_scan(read_manifests([tmp_path / "missing.yaml"]), load_probe_proposals())
    assert scan_exit_code(nothing) == EXIT_USAGE
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing here\n---\n")
    # No document at all (what `kubectl get ... | meshkb scan -` reads when kubectl fails).
    assert scan_exit_code(run_scan(read_manifests([empty]), load_probe_proposals())) == EXIT_USAGE
    # An empty List is an answer (no such resources in the cluster), not an empty input.
    none_found = tmp_path / "none.yaml"
    none_found.write_text("apiVersion: v1\nkind: List\nitems: []\n")
    found = read_manifests([none_found])
    assert found.problems == ()
    assert scan_exit_code(run_scan(found, load_probe_proposals())) == EXIT_OK


def test_items_may_be_tuples_with_raw_probes() -> None:
    probe = {"summary": "Services", "select": {"kind": "Service"}, "count": {"at_least": 1}}
    outcome = run_scan(read_manifests([BOOKINFO]), [("ADP-0001", "Count the services", probe)])
    assert [(r.item_id, r.title, r.state) for r in outcome.results] == [
        ("ADP-0001", "Count the services", "pass")
    ]
    with pytest.raises(MeshkbError) as caught:
        run_scan(read_manifests([BOOKINFO]), [("ADP-0001", "t", {"summary": "s"})])
    assert caught.value.problems[0].path == "ADP-0001.probe"


def test_proposals_file_errors_name_the_key() -> None:
    with pytest.raises(MeshkbError) as caught:
        parse_probe_proposals(
            "k:\n  item: x\n  probe: {summary: s, select: {kind: Pod}, expect: {path: 'a['}}\n"
        )
    problem = caught.value.problems[0]
    assert problem.path is not None and problem.path.startswith("$.k.probe")


def test_text_output_groups_evidence_by_what_was_seen() -> None:
    text = render_scan_text(scan(EMOJIVOTO).results)
    lines = text.splitlines()
    assert lines[0] == (
        "in-cluster-services  fail     Services that route to pods inside the cluster: "
        "3 counted of 3 selected; expected at least 15"
    )
    assert lines[1] == f"    Service emojivoto/emoji-svc   {EMOJIVOTO}:51"
    # The four Deployments lack memory requests alike: the note once, then the four.
    at = lines.index(
        "container-requests  fail     Workloads whose containers all request CPU and memory: "
        "0 of 4 match"
    )
    assert (
        lines[at + 1] == "    spec.template.spec.containers[*].resources.requests.memory is absent"
    )
    assert lines[at + 2] == f"      Deployment emojivoto/emoji [emoji-svc]    {EMOJIVOTO}:12"
    assert len([line for line in lines if "requests.memory is absent" in line]) == 1
    # A pass shows its summary only.
    passed = next(line for line in lines if line.startswith("http-probes"))
    assert not lines[lines.index(passed) + 1].startswith(" ")
    # The proposals carry no severity, so their failures are findings: none gates.
    assert lines[-1] == "13 items: 3 fail, 7 unknown, 3 pass"
    assert all(len(line) <= 200 for line in lines)
    headers = [line for line in lines[:-1] if not line.startswith(" ")]
    assert len(headers) == len(load_probe_proposals())


def test_text_output_of_twelve_deployments_stays_short(tmp_path: Path) -> None:
    # The case: 12 Deployments gave 18.8 kB and 600-character lines.
    twelve = tmp_path / "twelve.yaml"
    twelve.write_text(
        "\n---\n".join(
            (EMOJIVOTO.read_text(encoding="utf-8").split("\n---\n")[i])
            for i in range(len(EMOJIVOTO.read_text(encoding="utf-8").split("\n---\n")))
        )
        + "".join(
            f"\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{n}, namespace: x}}\n"
            f"spec:\n  template:\n    spec:\n      containers:\n      - {{name: app{n}, image: a}}\n"
            for n in range(8)
        )
    )
    outcome = run_scan(read_manifests([twelve]), load_probe_proposals())
    text = render_scan_text(outcome.results)
    assert len(text.encode()) < 9000
    assert max(len(line) for line in text.splitlines()) <= 200
    only = render_scan_text(select_states(outcome.results, ["fail"]), total=13)
    assert {line.split()[1] for line in only.splitlines()[:-1] if not line.startswith(" ")} == {
        "fail"
    }
    assert only.splitlines()[-1].startswith("3 of 13 items: 3 fail, 0 unknown, 0 pass")


def test_evidence_groups_drop_positions_and_names() -> None:
    origin = Origin("k8s/app.yaml", 1, 7)
    groups = group_evidence(
        [
            ScanEvidence("Deployment a/x", origin, ("c[0].cpu is absent (name: web)",)),
            ScanEvidence("Deployment a/y", origin, ("c[1].cpu is absent (name: api)",)),
            ScanEvidence("Deployment a/z", origin, ("c[0].memory is absent",)),
        ]
    )
    assert [(g.notes, [(e.resource, n) for e, n in g.members]) for g in groups] == [
        (("c[*].cpu is absent",), [("Deployment a/x", ("web",)), ("Deployment a/y", ("api",))]),
        (("c[*].memory is absent",), [("Deployment a/z", ())]),
    ]
    assert shorten("x" * 300) == "x" * 159 + "…"


def test_json_output_is_stable_and_complete() -> None:
    outcome = scan(BOOKINFO)
    text = render_scan_json(outcome.results, outcome.problems, outcome.notices)
    assert text == render_scan_json(scan(BOOKINFO).results, (), ())
    assert text.endswith("}\n") and text.startswith('{"format":"meshkb/scan/v1",')
    assert text.count("\n") == 1  # one line: json.dumps' C encoder
    data = json.loads(text)
    assert list(data) == ["format", "counts", "results", "problems", "notices"]
    assert data["counts"] == {"pass": 2, "fail": 3, "unknown": 8}
    first = data["results"][0]
    assert list(first) == ["id", "title", "state", "failure", "gates", "summary", "evidence"]
    assert (first["failure"], first["gates"]) == ("signal", False)
    assert first["evidence"][0] == {
        "resource": "Service default/details",
        "file": str(BOOKINFO),
        "document": 1,
        "item": None,
        "line": 32,
        "notes": [],
    }


def sarif_of(outcome: ScanOutcome, **options: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_scan_sarif(outcome.results, **options))
    return data


def test_sarif_shape() -> None:
    outcome = scan(BOOKINFO)
    sarif = sarif_of(outcome, site_url="https://meshkb.example/", tool_version="0.1.0")
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "meshkb" and driver["version"] == "0.1.0"
    assert [rule["id"] for rule in driver["rules"]] == [r.item_id for r in outcome.results]
    rule = driver["rules"][0]
    assert rule["helpUri"] == "https://meshkb.example/go/in-cluster-services/"
    assert rule["shortDescription"]["text"].startswith("Count the services")
    assert rule["defaultConfiguration"] == {"level": "note"}  # failure: signal
    assert rule["properties"]["tags"] == ["meshkb", "kubernetes"]
    results = run["results"]
    # Failures and reviews only, each pointing at a resource; "nothing selected" is left out.
    by_rule = {r["ruleId"]: r for r in results}
    assert {r["kind"] for r in results} == {"fail", "review"}
    assert "http-probes" not in by_rule and "hpa-pod-resource" not in by_rule
    assert all(r["locations"] for r in results)
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert (by_rule["container-requests"]["kind"], by_rule["container-requests"]["level"]) == (
        "fail",
        "warning",
    )
    assert (by_rule["in-cluster-services"]["level"]) == "note"
    assert by_rule["startup-ordering"]["level"] == "none"
    location = by_rule["container-requests"]["locations"][2]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": BOOKINFO.as_uri()},
        "region": {"startLine": 155},
    }
    assert location["logicalLocations"] == [
        {"fullyQualifiedName": "Deployment default/reviews-v1", "kind": "resource"}
    ]
    assert location["message"]["text"].startswith(
        "spec.template.spec.containers[0].resources.requests.cpu is absent"
    )
    everything = sarif_of(outcome, states={"pass", "fail", "unknown"})
    assert {r["kind"] for r in everything["runs"][0]["results"]} == {"pass", "fail", "review"}


def test_sarif_locates_at_most_ten_and_places_a_count_on_the_first_file(tmp_path: Path) -> None:
    many = tmp_path / "many.yaml"
    many.write_text(
        "".join(
            f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{n}}}\n"
            "spec: {containers: [{name: c}]}\n"
            for n in range(12)
        )
    )
    requests = {
        "summary": "Pods with requests",
        "select": {"kind": "Pod"},
        "expect": {"path": "spec.containers[0].resources.requests.cpu", "exists": True},
    }
    services = {"summary": "Services", "select": {"kind": "Service"}, "count": {"at_least": 1}}
    pods = {"summary": "Pods", "select": {"kind": "Pod"}, "count": {"at_most": 3}}
    outcome = run_scan(
        read_manifests([many]),
        [("X-1", "requests", requests), ("X-2", "services", services), ("X-3", "pods", pods)],
    )
    sarif = json.loads(render_scan_sarif(outcome.results, files=[str(many)]))
    first, nothing, counted = (
        {r["ruleId"]: r for r in sarif["runs"][0]["results"]}.get(key)
        for key in ("X-1", "X-2", "X-3")
    )
    assert nothing is None  # no Service at all: unknown, nothing to point at
    assert len(first["locations"]) == 10
    assert first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "Pod default/p0"
    assert first["message"]["text"].endswith("(the first 10 of 12 resources are located)")
    assert len(counted["locations"]) == 10


def test_sarif_without_site_url_failure_levels_stdin_and_problems(tmp_path: Path) -> None:
    stdin = io.BytesIO(EMOJIVOTO.read_bytes())
    outcome = run_scan(
        read_manifests(["-", tmp_path / "gone.yaml"], stdin=stdin), load_probe_proposals()
    )
    results = [replace(r, failure="breaks") for r in outcome.results]
    sarif: dict[str, Any] = json.loads(render_scan_sarif(results, problems=outcome.problems))
    (run,) = sarif["runs"]
    assert all("helpUri" not in rule for rule in run["tool"]["driver"]["rules"])
    failing = next(r for r in run["results"] if r["kind"] == "fail")
    assert failing["level"] == "error"
    assert "physicalLocation" not in failing["locations"][0]  # stdin has no file to point at
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"] == "no such file or folder"
    assert (
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == (tmp_path / "gone.yaml").as_uri()
    )


def test_relative_paths_become_relative_uris(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "my manifests"
    folder.mkdir()
    (folder / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    monkeypatch.chdir(tmp_path)
    probe = {"summary": "s", "select": {"kind": "Service"}, "count": {"at_least": 2}}
    outcome = run_scan(read_manifests(["my manifests"]), [("X-1", "t", probe)])
    sarif = sarif_of(outcome)
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert uri == "my%20manifests/svc.yaml"
