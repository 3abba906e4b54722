"""The benchmark cannot rot: `bench/run.py --quick` runs and reports every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

FIGURES = (
    "site_build_with_s",
    "site_build_without_s",
    "site_build_ratio",
    "site_size_mb",
    "cold_start_meshkb_s",
    "cold_start_import_yaml_s",
    "cold_start_ratio",
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
    for key in ("cold_start_ratio", "scale_load_growth", "report_parse_growth"):
        assert isinstance(figures[key]["value"], float), (key, figures[key]["note"])
    # The table is printed too: bench/results/ is not committed.
    assert "cold start meshkb / import yaml" in result.stdout
