"""The benchmark cannot rot: `bench/run.py --quick` runs and reports every figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import ROOT

FIGURES = (
    "site_build_with_s",
    "site_build_without_s",
    "site_build_ratio",
    "site_build_cold_s",
    "site_build_cold_ratio",
    "site_build_bare_s",
    "site_build_bare_ratio",
    "site_instructions_ratio",
    "site_instructions_cold_ratio",
    "site_size_mb",
    "cold_start_meshkb_s",
    "cold_start_import_yaml_s",
    "cold_start_precommit_s",
    "cold_start_ratio",
    "cold_start_vs_precommit_ratio",
    "scale_load_half_s",
    "scale_load_full_s",
    "scale_load_growth",
    "scale_load_half_peak_mb",
    "scale_load_full_peak_mb",
    "scale_load_peak_growth",
    "scale_render_md_half_s",
    "scale_render_md_full_s",
    "scale_render_md_growth",
    "scale_render_md_full_peak_mb",
    "scale_render_html_half_s",
    "scale_render_html_full_s",
    "scale_render_html_growth",
    "scale_render_html_full_peak_mb",
    "report_parse_half_s",
    "report_parse_full_s",
    "report_parse_growth",
    "report_score_half_s",
    "report_score_full_s",
    "report_score_growth",
    "scan_s",
    "assets_gzip_kb",
    "assets_source_gzip_kb",
    "assets_cost_page_gzip_kb",
)


def test_quick_benchmark_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(out.read_text("utf-8"))
    assert data["meta"]["mode"] == "quick"
    figures = data["figures"]
    assert set(figures) == set(FIGURES)
    for key in FIGURES:
        value = figures[key]["value"]
        assert value == "n/a" or (isinstance(value, int | float) and value >= 0), (key, value)
        assert figures[key]["verdict"], key
        assert not str(figures[key].get("note", "")).startswith("error:"), (
            key,
            figures[key]["note"],
        )
    # The figures that need nothing but the core must always be measured.
    for key in (
        "cold_start_ratio",
        "cold_start_vs_precommit_ratio",
        "scale_load_growth",
        "report_parse_growth",
        "site_build_ratio",
        "site_build_cold_ratio",
        "site_build_bare_ratio",
    ):
        assert isinstance(figures[key]["value"], float), (key, figures[key]["note"])
    # The table is printed too: bench/results/ is not committed.
    assert "cold start meshkb / import yaml" in result.stdout


def test_site_baseline_is_the_same_site_without_the_plugin(tmp_path: Path) -> None:
    """The site-build goal's baseline: the plugin's output replayed by a lookup-only hook.

    Built strict without the plugin, it gives the real site byte for byte.
    """
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import sitecopy
    finally:
        sys.path.remove(str(ROOT / "bench"))
    config, changes, reference = sitecopy.config_replay_site(ROOT / "mkdocs.yml", tmp_path)
    assert "plugin meshkb removed" in changes
    plugins = yaml.load(config.read_text("utf-8"), Loader=_WithEnvTags)["plugins"]
    assert [p if isinstance(p, str) else next(iter(p)) for p in plugins] == ["search", "redirects"]
    site = tmp_path / "replayed-site"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "mkdocs"),
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(site),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"},
    )
    files = sorted(p.relative_to(reference) for p in reference.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert len(files) > 100
    different = [str(f) for f in files if (reference / f).read_bytes() != (site / f).read_bytes()]
    assert different in ([], ["sitemap.xml.gz"])  # gzip stamps the time


class _WithEnvTags(yaml.SafeLoader):
    """mkdocs.yml's `!ENV [VAR, default]` read as its list (only the plugins matter here)."""


_WithEnvTags.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node))
