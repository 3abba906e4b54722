"""Golden files: the checklist page fragment, the Markdown report, JUnit and SARIF.

Each output is compared byte for byte with its file in tests/goldens/. After a deliberate
change, rewrite them with `pytest tests/test_goldens.py --update-goldens` (or with
MESHKB_UPDATE_GOLDENS=1) and review the diff like any other change.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from meshkb.core.load import load_checklist, load_checklist_text
from meshkb.core.model import AnswerEvidence, Checklist, Report
from meshkb.report.build import new_report
from meshkb.report.junit import render_junit
from meshkb.report.markdown import render_markdown
from meshkb.scan.manifests import parse_manifests
from meshkb.scan.prefill import probe_items
from meshkb.scan.run import evaluate_items
from meshkb.scan.sarif import render_scan_sarif
from meshkb.site.fragment import render_checklist

from .conftest import CASES, MANIFESTS

GOLDENS = Path(__file__).parent / "goldens"

PROBED = """\
format: meshkb/checklist/v1
id: probed
prefix: PRB
version: 1.0.0
title: Probed sample
summary: Two probes over the bookinfo sample.
last_reviewed: "2026-12-01"
sections:
  - id: workloads
    title: Workloads
    items:
      - id: PRB-0001
        rev: 1
        title: Every Deployment sets resource requests
        check: Each container of each Deployment has CPU and memory requests.
        why: The scheduler counts requests, so a sidecar's share is visible.
        how: Read `spec.template.spec.containers[*].resources.requests`.
        severity: required
        refs:
          - page: cost.md
        probe:
          summary: Deployments whose containers all request CPU
          select: {kind: Deployment}
          expect:
            path: spec.template.spec.containers[*].resources.requests.cpu
            exists: true
      - id: PRB-0002
        rev: 1
        title: There are services to mesh
        check: At least one Service routes to pods.
        why: A mesh needs something to connect.
        how: "`kubectl get svc -A`"
        severity: recommended
        refs:
          - page: decide.md
        probe:
          summary: Services
          select: {kind: Service}
          count: {at_least: 1}
"""


def _sample() -> Checklist:
    return load_checklist(CASES / "valid" / "sample.yaml")


def _filled(checklist: Checklist) -> Report:
    report = new_report(
        checklist, system="shop", mesh="linkerd", date="2026-12-01", reviewers=["ana", "bo"]
    )
    answers = list(report.answers)
    answers[0] = replace(
        answers[0],
        state="pass",
        note="Checked on staging.\n\n\nAnd again in prod: `ok`.",
        evidence=(AnswerEvidence("Deployment shop/web: requests set", "probe"),),
    )
    answers[1] = replace(answers[1], state="waived", owner="ana", reason="Risk accepted")
    answers[-1] = replace(answers[-1], state="fail", note="See ticket OPS-1")
    return replace(report, answers=tuple(answers))


def _sarif() -> str:
    checklist, _ = load_checklist_text(PROBED, "probed.yaml")
    path = MANIFESTS / "bookinfo" / "bookinfo.yaml"
    manifests = parse_manifests(
        path.read_bytes(), "tests/fixtures/manifests/bookinfo/bookinfo.yaml"
    )
    items = probe_items([checklist])
    results = evaluate_items(items, manifests.resources)
    return render_scan_sarif(
        results,
        items=items,
        site_url="https://docs.example.org/platform/meshkb/",
        tool_version="0.0.0",
    )


CASES_BY_NAME = {
    "sample-fragment.html": lambda: render_checklist(_sample()),
    "sample-report.md": lambda: render_markdown(_sample(), _filled(_sample())),
    "sample-junit.xml": lambda: render_junit(
        _sample(), _filled(_sample()), timestamp="2026-12-01T09:30:00", hostname="ci-runner"
    ),
    "probed-bookinfo.sarif": _sarif,
}


@pytest.mark.parametrize("name", sorted(CASES_BY_NAME))
def test_output_matches_its_golden_file(name: str, request: pytest.FixtureRequest) -> None:
    produced = CASES_BY_NAME[name]()
    golden = GOLDENS / name
    update = request.config.getoption("--update-goldens") or os.environ.get("MESHKB_UPDATE_GOLDENS")
    if update:
        golden.write_text(produced, encoding="utf-8", newline="")
    assert golden.is_file(), f"{golden} is missing: run pytest {__file__} --update-goldens"
    expected = golden.read_text(encoding="utf-8")
    assert produced == expected, f"{name} differs from its golden file (--update-goldens)"
