"""`meshkb scan`, `meshkb cost` and `checklist --scan` on the real fixture manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import CHECKLISTS, MANIFESTS, run_cli

FIXTURES = MANIFESTS
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
        "MIG-0003": ("pass", ["Namespace default"]),
        "MIG-0007": ("pass", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "MIG-0017": ("fail", ["Namespace default"]),
        "MIG-0018": ("unknown", []),
        "MIG-0019": ("unknown", []),
        "RMV-0002": ("pass", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "TRP-0001": ("unknown", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "TRP-0003": ("pass", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "TRP-0005": ("pass", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "TRP-0007": ("unknown", []),
        "TRP-0008": ("fail", [f"Deployment default/{w}" for w in BOOKINFO_WORKLOADS]),
        "TRP-0013": ("unknown", ["Namespace default"]),
        "TRP-0017": ("unknown", []),
        "TRP-0018": ("unknown", []),
    },
    "emojivoto": {
        "ADP-0001": (
            "fail",
            [f"Service emojivoto/{s}" for s in ("emoji-svc", "voting-svc", "web-svc")],
        ),
        "MIG-0003": ("pass", []),
        "MIG-0007": ("pass", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "MIG-0017": ("fail", ["Namespace emojivoto"]),
        "MIG-0018": ("unknown", []),
        "MIG-0019": ("unknown", []),
        "RMV-0002": ("pass", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "TRP-0001": ("unknown", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "TRP-0003": ("pass", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "TRP-0005": ("pass", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "TRP-0007": ("unknown", []),
        "TRP-0008": ("fail", [f"Deployment emojivoto/{w}" for w in EMOJIVOTO_WORKLOADS]),
        "TRP-0013": ("pass", ["Namespace emojivoto"]),
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
    requests = next(r for r in data["results"] if r["id"] == "TRP-0008")  # type: ignore[attr-defined]
    emoji = requests["evidence"][0]
    assert emoji["line"] == 12
    assert (
        "spec.template.spec.containers[0].resources.requests.memory is absent (name: emoji-svc)"
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
    assert rules["TRP-0008"] == "https://meshkb.example/go/TRP-0008/"
    failures = {r["ruleId"] for r in sarif["runs"][0]["results"] if r["level"] != "none"}
    assert {"ADP-0001", "MIG-0017", "TRP-0008"} <= failures


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
    assert (
        result.err.splitlines()[-1]
        == "meshkb: error: scan: no manifest could be read (see the warnings above)"
    )


def test_gate_fails_on_a_failed_probe() -> None:
    result = run_cli(
        "--checklists",
        str(CHECKLISTS),
        "scan",
        str(FIXTURES / "bookinfo"),
        "--checklist",
        "removal",
        "--gate",
    )
    assert result.code == 0
    result = run_cli(
        "--checklists",
        str(CHECKLISTS),
        "scan",
        str(FIXTURES / "bookinfo"),
        "--checklist",
        "traps",
        "--gate",
    )
    assert result.code == 1


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
    assert (
        "  - State: fail (probe: confirm)\n  - Evidence (probe): fail: Workloads whose containers all request CPU and memory: 0 of 6 match"
        in text
    )
    assert (
        "  - Evidence (probe): unknown: Workloads protected against the app-before-proxy start-up race"
        in text
    )
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
    assert data["progress"]["required"]["fail"] >= 1


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


def test_cost_needs_pods() -> None:
    result = run_cli("cost")
    assert result.code == 2
    assert result.err == "meshkb: error: cost: give --pods N (or --scan PATH)\n"
