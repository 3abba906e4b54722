"""A Helm chart folder is not a set of manifests: say which files, and to render them first."""

from __future__ import annotations

from pathlib import Path

from meshkb.scan.read import read_manifests

from ..conftest import MANIFESTS, run_cli

CHART = MANIFESTS.parent / "helm" / "shop"


def test_a_chart_folder_names_each_template_and_says_render_it() -> None:
    found = read_manifests([CHART.parent])
    assert found.resources == ()
    assert [(Path(p.file).name, p.line) for p in found.problems] == [
        ("deployment.yaml", None),
        ("service.yaml", None),
    ]
    assert found.problems[0].message == (
        f"is a Helm template of the chart in {CHART}, not a manifest: render the chart "
        f"first, e.g. `helm template my-release {CHART} | meshkb scan -`"
    )
    # Chart.yaml, values.yaml and _helpers.tpl describe the chart: no "has no kind" noise.
    assert not any("has no kind" in p.message for p in found.problems)


def test_a_template_given_alone_says_it_holds_template_markup() -> None:
    (problem,) = read_manifests([CHART / "templates" / "service.yaml"]).problems
    assert problem.file.endswith("service.yaml") and problem.line == 10
    assert problem.message.endswith(
        "; it holds template markup ({{ ... }}): render it first "
        "(for a Helm chart, `helm template my-release CHART | meshkb scan -`)"
    )


def test_a_chart_beside_manifests_leaves_the_manifests_scanned(tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "shop"
    (chart / "templates").mkdir(parents=True)
    for file in ("Chart.yaml", "values.yaml", "templates/service.yaml"):
        (chart / file).write_bytes((CHART / file).read_bytes())
    (tmp_path / "app.yaml").write_bytes((MANIFESTS / "emojivoto" / "emojivoto.yml").read_bytes())
    result = run_cli("scan", str(tmp_path), "--only", "fail")
    assert result.code == 0
    assert result.err.splitlines() == [
        f"meshkb: warning: {chart / 'templates' / 'service.yaml'}: is a Helm template of the "
        f"chart in {chart}, not a manifest: render the chart first, e.g. "
        f"`helm template my-release {chart} | meshkb scan -`"
    ]
    assert result.out.startswith("ADP-0001  fail")
