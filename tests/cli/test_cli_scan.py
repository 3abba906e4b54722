"""`meshkb scan`, `meshkb cost` and `checklist --scan` on the real fixture manifests."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import CHECKLISTS, MANIFESTS, ROOT, run_cli

FIXTURES = MANIFESTS
PROBES = MANIFESTS.parent / "probes"
BOOKINFO_WORKLOADS = [
    "details-v1",
    "ratings-v1",
    "reviews-v1",
    "reviews-v2",
    "reviews-v3",
    "productpage-v1",
]
EMOJIVOTO_WORKLOADS = ["emoji", "voting", "web", "vote-bot"]

# item -> (state, the resources named as evidence), resource by resource.
EXPECTED = {
    "bookinfo": {
        "ADP-0001": (
            "fail",
            [f"Service default/{s}" for s in ("details", "ratings", "reviews", "productpage")],
        ),
        # No namespace is known to be enrolled: never a pass (MIG-0003 checks "exactly one").
        "MIG-0003": ("unknown", ["Namespace default"]),
        "MIG-0007": ("unknown", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "MIG-0017": ("unknown", ["Namespace default"]),
        "MIG-0018": ("unknown", []),
        "MIG-0019": ("unknown", []),
        "RMV-0002": ("unknown", ["Namespace default"]),
        "TRP-0001": ("unknown", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "TRP-0003": ("pass", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "TRP-0005": ("pass", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "TRP-0007": ("unknown", []),
        "TRP-0013": ("unknown", ["Namespace default"]),
        "TRP-0017": ("unknown", []),
        "TRP-0018": ("unknown", []),
    },
    "emojivoto": {
        "ADP-0001": (
            "fail",
            [f"Service emojivoto/{s}" for s in ("emoji-svc", "voting-svc", "web-svc")],
        ),
        "MIG-0003": ("unknown", []),
        "MIG-0007": ("unknown", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "MIG-0017": ("unknown", []),
        "MIG-0018": ("unknown", []),
        "MIG-0019": ("unknown", []),
        "RMV-0002": (
            "pass",
            ["Namespace emojivoto", *[f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]],
        ),
        "TRP-0001": ("unknown", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "TRP-0003": ("pass", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "TRP-0005": ("pass", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "TRP-0007": ("unknown", []),
        "TRP-0013": ("unknown", ["Namespace emojivoto"]),
        "TRP-0017": ("unknown", []),
        "TRP-0018": ("unknown", []),
    },
}


def scan_json(*paths: str) -> dict[str, object]:
    result = run_cli("--checklists", str(CHECKLISTS), "scan", *paths, "--format", "json")
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_scan_findings_resource_by_resource(app: str) -> None:
    data = scan_json(str(FIXTURES / app))
    got = {r["id"]: (r["state"], [e["resource"] for e in r["evidence"]]) for r in data["results"]}  # type: ignore[attr-defined]
    assert got == EXPECTED[app]


def test_evidence_names_the_field() -> None:
    data = scan_json(str(FIXTURES / "emojivoto"))
    ordering = next(r for r in data["results"] if r["id"] == "TRP-0001")  # type: ignore[attr-defined]
    emoji = ordering["evidence"][0]
    assert emoji["line"] == 12
    assert (
        'spec.template.metadata.annotations["config.linkerd.io/proxy-await"] is absent'
        in emoji["notes"]
    )


def test_sarif_rules_are_item_ids_with_go_links() -> None:
    result = run_cli(
        "--checklists",
        str(CHECKLISTS),
        "scan",
        str(FIXTURES / "bookinfo"),
        "--format",
        "sarif",
        "--site-url",
        "https://meshkb.example/",
    )
    sarif = json.loads(result.out)
    rules = {r["id"]: r["helpUri"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["TRP-0005"] == "https://meshkb.example/go/TRP-0005/"
    assert "TRP-0008" not in rules  # its probe checked app requests, not the proxies'
    failures = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"] if r["kind"] == "fail"}
    assert failures == {"ADP-0001": "note"}


def test_a_bad_document_is_reported_and_the_rest_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        (FIXTURES / "emojivoto" / "emojivoto.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "broken.yaml").write_text(
        "kind: Deployment\nmetadata: [unclosed\n", encoding="utf-8"
    )
    (tmp_path / "garbage.json").write_bytes(b"\x00\x01binary")
    (tmp_path / "tags.yaml").write_text(
        "kind: Service\napiVersion: v1\nmetadata: {name: a}\nspec:\n  port: !!int\n",
        encoding="utf-8",
    )
    result = run_cli("--checklists", str(CHECKLISTS), "scan", str(tmp_path))
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if line.startswith("meshkb: warning:")]
    assert len(warnings) == 3
    assert any(f"{tmp_path / 'broken.yaml'}:" in w and "document 1" in w for w in warnings)
    assert any(f"{tmp_path / 'garbage.json'}" in w and "binary" in w for w in warnings)
    assert any(
        f"{tmp_path / 'tags.yaml'}" in w and "does not fit its explicit tag" in w for w in warnings
    )
    assert "ADP-0001  fail" in result.out


def test_nothing_readable_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "only.yaml"
    bad.write_bytes(b"\xff\xfe not utf-8")
    result = run_cli("--checklists", str(CHECKLISTS), "scan", str(bad))
    assert result.code == 2
    assert result.out == ""
    # The reason is the error itself, on its one line: nothing was scanned.
    assert result.err == f"meshkb: error: {bad}:1:1: is not valid UTF-8 (byte 0xff)\n"


def test_gate_fails_only_where_the_manifests_break_a_check() -> None:
    def gate(*paths: Path, only: str | None = None) -> tuple[int, str]:
        extra = ["--only", only] if only else []
        result = run_cli(
            "--checklists", str(CHECKLISTS), "scan", *map(str, paths), "--gate", *extra
        )
        return result.code, result.out

    # A small app fails ADP-0001 ("15 or more services"): a signal, not a broken manifest.
    code, out = gate(FIXTURES / "bookinfo")
    assert code == 0
    assert out.splitlines()[-1] == "14 items: 1 fail, 11 unknown, 2 pass"
    # A selector-based L7 policy in an ambient namespace breaks MIG-0019's check.
    code, out = gate(PROBES / "MIG-0019" / "fail.yaml", only="fail")
    assert code == 1
    assert [line.split()[:2] for line in out.splitlines() if line[:1].isupper() and "  " in line][
        :2
    ] == [["MIG-0017", "fail"], ["MIG-0019", "fail"]]
    assert out.splitlines()[-1] == (
        "2 of 14 items: 2 fail, 0 unknown, 0 pass; the manifests break the check of MIG-0019 "
        "(--gate fails)"
    )


def test_only_takes_states_and_refuses_others() -> None:
    result = run_cli("--checklists", str(CHECKLISTS), "scan", str(FIXTURES), "--only", "review")
    assert result.code == 0
    states = {line.split()[1] for line in result.out.splitlines()[:-1] if line[:1].isupper()}
    assert states == {"unknown"}
    bad = run_cli("--checklists", str(CHECKLISTS), "scan", str(FIXTURES), "--only", "failed")
    assert bad.code == 2
    assert "'failed' is not a state (choose from fail, review, unknown, pass)" in bad.err


def test_checklist_scan_prefills_a_report_a_reviewer_finishes_by_hand(tmp_path: Path) -> None:
    report = tmp_path / "traps.md"
    made = run_cli(
        "--checklists",
        str(CHECKLISTS),
        "checklist",
        "traps",
        "--scan",
        str(FIXTURES / "bookinfo"),
        "--mesh",
        "istio",
        "--dataplane",
        "sidecar",
        "-o",
        str(report),
    )
    assert made.code == 0, made.err
    text = report.read_text(encoding="utf-8")
    bookinfo = FIXTURES / "bookinfo" / "bookinfo.yaml"
    assert (
        "  - State: pass (probe: confirm)\n  - Evidence (probe): pass: Workloads with init "
        "containers that start before a sidecar proxy: 0 of 6 match\n"
        "  - Evidence (probe): Deployment default/details-v1 (line 53), Deployment "
        f"default/ratings-v1 (line 104), Deployment default/reviews-v1 (line 155) and 3 more in {bookinfo}\n"
    ) in text
    assert (
        "  - Evidence (probe): unknown: Workloads protected against the app-before-proxy start-up race"
        in text
    )
    # Evidence is grouped and shortened: no 600-character lines.
    evidence = [line for line in text.splitlines() if line.startswith("  - Evidence (probe)")]
    assert max(len(line) for line in evidence) < 350 + len(str(bookinfo))
    check = run_cli("--checklists", str(CHECKLISTS), "report", "check", str(report))
    assert "To confirm (set by a probe):\n  TRP-0003" in check.out
    # A probe's pass is not shown as a ticked box while it counts as open.
    blocks = text.split("\n- [")
    assert not any(b.startswith("x]") and "(probe: confirm)" in b for b in blocks)
    # The reviewer confirms the probe results: deletes the marks, ticks the passes.
    blocks = ["x" + b[1:] if "  - State: pass (probe: confirm)" in b else b for b in blocks]
    report.write_text("\n- [".join(blocks).replace(" (probe: confirm)", ""), encoding="utf-8")
    check = run_cli(
        "--checklists", str(CHECKLISTS), "report", "check", str(report), "--format", "json"
    )
    data = json.loads(check.out)
    assert data["unconfirmed"] == []
    assert data["progress"]["required"]["pass"] >= 2


def test_cost_for_200_pods_with_istio_defaults() -> None:
    result = run_cli(
        "cost", "--pods", "200", "--nodes", "10", "--mesh", "istio", "--format", "json"
    )
    rows = {row["id"]: row for row in json.loads(result.out)["rows"]}
    assert rows["istio-sidecar"]["reserved"]["cpu_cores"] == 20.0
    assert rows["istio-sidecar"]["reserved"]["memory_gib"] == 25.0
    assert rows["istio-sidecar"]["reserved"]["source"]["url"].startswith("https://")


def test_cost_counts_pods_from_manifests() -> None:
    result = run_cli(
        "cost",
        "--scan",
        str(FIXTURES / "bookinfo"),
        "--nodes",
        "3",
        "--mesh",
        "istio",
        "--format",
        "json",
    )
    data = json.loads(result.out)
    assert data["inputs"]["pods"] == 6
    assert data["inputs"]["nodes"] == 3


GET_ALL = """\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop, uid: d-1}
  spec:
    replicas: 12
    template:
      spec:
        containers:
        - name: web
          resources: {requests: {cpu: 250m, memory: 256Mi}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: web-5d4f
    namespace: shop
    ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true}]
  spec:
    replicas: 12
    template:
      spec:
        containers:
        - name: web
          resources: {requests: {cpu: 250m, memory: 256Mi}}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-5d4f-a
    namespace: shop
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4f, controller: true}]
  spec:
    containers:
    - name: web
      resources: {requests: {cpu: 250m, memory: 256Mi}}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-5d4f-b
    namespace: shop
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4f, controller: true}]
  spec:
    containers:
    - name: web
      resources: {requests: {cpu: 250m, memory: 256Mi}}
"""


def test_cost_counts_each_pod_once_and_shows_the_app_requests(tmp_path: Path) -> None:
    listing = tmp_path / "all.yaml"  # what `kubectl get all -o yaml` prints
    listing.write_text(GET_ALL)
    result = run_cli("cost", "--scan", str(listing), "--nodes", "1", "--mesh", "istio")
    assert result.code == 0, result.err
    # The ReplicaSet and the Pods belong to the Deployment: 12 pods, not 26.
    assert result.err == f"meshkb: from {listing}: 12 pods, no Node objects\n"
    lines = result.out.splitlines()
    assert lines[0] == "Proxy overhead for 12 pods, 1 node, 1000 RPS, 1 waypoint"
    own = next(line for line in lines if line.startswith("Application's own requests"))
    assert own.split()[-3:] == ["12", "3.0", "3.0"]
    sidecar = next(line for line in lines if line.startswith("Istio sidecar"))
    # 12 sidecars reserve 1.2 cores and 1.5 GiB: 40% and 50% of the app's 3.0 and 3.0.
    assert sidecar.split()[-2:] == ["40%", "50%"]
    data = json.loads(
        run_cli("cost", "--scan", str(listing), "--nodes", "1", "--format", "json").out
    )
    assert data["inputs"]["pods"] == 12
    assert data["application"]["cpu_cores"] == 3.0 and not data["application"]["floor"]


def test_cost_needs_pods() -> None:
    result = run_cli("cost")
    assert result.code == 2
    assert result.err == "meshkb: error: cost: give --pods N (or --scan PATH)\n"


def test_every_path_skipped_in_a_folder_is_named_and_a_fifo_never_hangs(tmp_path: Path) -> None:
    import os

    from .test_hostile import deep_folder

    deep_folder(tmp_path)  # tmp_path/k8s/d…/svc.yaml, past PATH_MAX: unreadable, even as root
    k8s = tmp_path / "k8s"
    shutil.copy(FIXTURES / "bookinfo" / "bookinfo.yaml", k8s / "bookinfo.yaml")
    os.mkfifo(k8s / "pipe.yaml")  # nothing ever writes to it
    (k8s / "linked").symlink_to(FIXTURES / "emojivoto", target_is_directory=True)
    locked = k8s / "locked"
    locked.mkdir()
    (locked / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n")
    locked.chmod(0)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "meshkb", "scan", str(k8s), "--checklist", "traps"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    finally:
        locked.chmod(0o755)
    assert result.returncode == 0, result.stderr
    err = result.stderr.splitlines()
    deep = [line for line in err if "folder cannot be read: File name too long" in line]
    assert len(deep) == 1 and deep[0].startswith(f"meshkb: warning: {k8s}/ddd")
    assert (
        f"meshkb: note: {k8s}/pipe.yaml: is a FIFO (named pipe), not a regular file: skipped" in err
    )
    assert f"meshkb: note: {k8s}/linked: is a link to a folder: not followed, skipped" in err
    if os.geteuid() != 0:  # root reads a folder of mode 000; everyone else is refused
        assert (
            f"meshkb: warning: {locked}: folder cannot be read: Permission denied; its manifests were skipped"
            in err
        )
    assert "Traceback" not in result.stderr
    assert "TRP-0001" in result.stdout  # bookinfo.yaml was still scanned
