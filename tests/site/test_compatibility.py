"""The compatibility matrix on docs/compatibility.md, generated from the facts files."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from markdown import Markdown
from meshkb.core import facts, validate
from meshkb.core.errors import MeshkbError
from meshkb.markdown_ext import MeshkbExtension
from meshkb.site import compatibility
from meshkb.site.compatibility import (
    NOT_STATED,
    OUTSIDE,
    YES,
    cell,
    load_matrix,
    parse_range,
    render_matrix_markdown,
)

from ..conftest import ROOT

BASE = facts.load_facts()

HAND_WRITTEN = """\
| Mesh version | Stated range | 1.31 | 1.32 | 1.33 | 1.34 | 1.35 | 1.36 | 1.37 |
|---|---|---|---|---|---|---|---|---|
| **Istio 1.31** (supported) | 1.32\u20131.36 | — | yes | yes | yes | yes | yes | not stated |
| **Istio 1.30** (supported) | 1.32\u20131.36 | — | yes | yes | yes | yes | yes | not stated |
| **Istio 1.29** (end of life 2026-10-12) | 1.31\u20131.35 | yes | yes | yes | yes | yes | — | — |
| **Linkerd 2.20** | 1.31\u20131.35 | yes | yes | yes | yes | yes | not stated | not stated |
| **Cilium 1.20** | Not confirmed on docs.cilium.io | not stated | not stated | not stated | not stated | not stated | not stated | not stated |
| **Consul on Kubernetes 2.0.x** | Kubernetes 1.30-1.34 | yes | yes | yes | yes | — | — | — |
| **AKS Istio add-on asm-1-28** | asm-1-28 (upstream Nov 2025, on AKS Jan 2026, EOL about Aug 2026, AKS 1.30-1.35) | yes | yes | yes | yes | yes | — | — |"""
"""The table docs/compatibility.md#matrix held when it was written by hand, its fact
references resolved to values (as of the facts of 2026-12-01)."""


def cells(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]


def resolved(markdown: str) -> str:
    return facts.resolve_text(BASE, markdown, None, lambda m, o: pytest.fail(m))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "compatibility.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped matrix ---------------------------------------------------------------------


def test_the_generated_table_equals_the_hand_written_one_cell_for_cell() -> None:
    assert cells(resolved(render_matrix_markdown(BASE))) == cells(HAND_WRITTEN)


def test_the_page_uses_the_directive_and_keeps_the_legend() -> None:
    page = (ROOT / "docs" / "compatibility.md").read_text(encoding="utf-8")
    matrix = page[page.index("{#matrix}") : page.index("{#reading-it}")]
    assert "[[meshkb:compatibility-matrix]]" in matrix
    assert "| Mesh version" not in page
    assert '"yes" = inside the range' in matrix and "Rows hold for the versions" in matrix


def test_the_built_table_has_source_marks_on_ranges_and_bare_headers() -> None:
    ext = MeshkbExtension()
    ext.context = type(ext.context)(source="compatibility.md")
    html = Markdown(extensions=[ext, "tables"]).convert("[[meshkb:compatibility-matrix]]")
    assert html.count("<tr>") == 1 + len(load_matrix().rows)
    assert html.count('class="meshkb-fact"') == 6 + 1  # every stated range, one label date
    assert "<th>1.31</th>" in html and "<td>not stated</td>" in html


def test_the_schema_is_valid_strict_and_described() -> None:
    text = resources.files("meshkb").joinpath("schema/compatibility.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert '"additionalProperties": true' not in text

    def undescribed(node: Any, path: str = "$") -> list[str]:
        found = []
        if isinstance(node, dict):
            found += [
                f"{path}.{k}"
                for k, s in node.get("properties", {}).items()
                if "description" not in s
            ]
            for key, sub in node.items():
                found += undescribed(sub, f"{path}.{key}")
        elif isinstance(node, list):
            for index, sub in enumerate(node):
                found += undescribed(sub, f"{path}[{index}]")
        return found

    assert undescribed(schema) == []
    data = load_matrix().located.data
    jsonschema.Draft202012Validator(schema).validate(data)
    assert validate.errors(data, "compatibility") == []


def test_the_data_file_ships_with_the_package() -> None:
    assert compatibility.DATA_PATH.parent.name == "data"
    assert '"data/*.yaml"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


# --- ranges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.32\u20131.36", ((1, 32), (1, 36))),
        ("Kubernetes 1.30-1.34", ((1, 30), (1, 34))),
        ("asm-1-28 (upstream Nov 2025, EOL about Aug 2026, AKS 1.30-1.35)", ((1, 30), (1, 35))),
        ("1.33\u20131.33", ((1, 33), (1, 33))),
    ],
)
def test_each_range_form_parses(text: str, expected: tuple[tuple[int, int], ...]) -> None:
    assert parse_range(text) == expected


def test_every_range_the_matrix_cites_is_in_a_known_form() -> None:
    for row in load_matrix().rows:
        if row.range is not None:
            parse_range(BASE.lookup(row.range).value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1.29+",
            "'1.29+' is not a Kubernetes range in a known form (1.32\u20131.36 (an en dash); ",
        ),
        ("1.30-1.34", "is not a Kubernetes range in a known form"),
        ("1.32 \u2013 1.36", "is not a Kubernetes range in a known form"),
        ("up to 1.35", "is not a Kubernetes range in a known form"),
        ("1.36\u20131.32", "'1.36\u20131.32' runs backwards (from 1.36 down to 1.32)"),
    ],
)
def test_any_other_range_is_refused(text: str, message: str) -> None:
    with pytest.raises(MeshkbError) as caught:
        parse_range(text)
    assert message in str(caught.value)


# --- supported and end of life ------------------------------------------------------------------


def test_below_the_range_is_outside_and_inside_is_yes() -> None:
    stated = ((1, 32), (1, 36))
    for supported in (True, False):
        assert cell((1, 31), stated, supported) == OUTSIDE
        assert cell((1, 32), stated, supported) == YES
        assert cell((1, 36), stated, supported) == YES


def test_above_the_range_a_supported_release_is_not_stated_an_ended_one_outside() -> None:
    stated = ((1, 31), (1, 35))
    assert cell((1, 36), stated, supported=True) == NOT_STATED
    assert cell((1, 36), stated, supported=False) == OUTSIDE
    assert cell((1, 31), None, supported=False) == NOT_STATED


def test_a_row_follows_its_supported_flag(tmp_path: Path) -> None:
    text = """\
columns: [kubernetes.version.1_35, kubernetes.version.1_36]
rows:
  - label: a
    range: linkerd.v2_20.kubernetes_range
    supported: {flag}
"""
    for flag, last in (("true", NOT_STATED), ("false", OUTSIDE)):
        table = render_matrix_markdown(BASE, load_matrix(write(tmp_path, text.format(flag=flag))))
        assert cells(table)[2][2:] == [YES, last]


# --- a bad data file ----------------------------------------------------------------------------


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(MeshkbError) as caught:
        render_matrix_markdown(BASE, load_matrix(write(tmp_path, text)))
    return [str(p) for p in caught.value.problems]


def test_a_schema_violation_is_located(tmp_path: Path) -> None:
    text = """\
columns: [kubernetes.version.1_31]
rows:
  - label: a
    range: istio.v1_31.kubernetes_range
"""
    found = problems(tmp_path, text)
    assert len(found) == 1 and ":3:" in found[0] and "'supported'" in found[0]
    assert found[0].startswith(str(tmp_path / "compatibility.yaml"))


def test_a_range_fact_in_an_unknown_form_is_located_at_its_row(tmp_path: Path) -> None:
    text = """\
columns: [kubernetes.version.1_31]
rows:
  - label: a
    range: istio.v1_31.kubernetes_range
    supported: true
  - label: b
    range: istio.support.supported_minors
    supported: true
"""
    found = problems(tmp_path, text)
    assert found == [
        f"{tmp_path / 'compatibility.yaml'}:7:5: $.rows[1].range: fact 'istio.support.supported_minors': "
        "'1.30 and 1.31' is not a Kubernetes range in a known form "
        "(1.32\u20131.36 (an en dash); Kubernetes 1.30-1.34; "
        "an AKS revision row, asm-1-28 (…, AKS 1.30-1.35))"
    ]


def test_unknown_facts_and_bad_columns_are_located(tmp_path: Path) -> None:
    text = """\
columns: [kubernetes.version.1_32, kubernetes.version.1_31, istio.support.window]
rows:
  - label: "**Istio [[fact:istio.version.9_99|bare]]**"
    range: istio.v9_99.kubernetes_range
    supported: true
"""
    found = problems(tmp_path, text)
    assert [f.split(": ", 1)[0].rsplit(":", 2)[1] for f in found] == ["1", "1", "3", "4"]
    assert "1.31 does not follow the column before" in found[0]
    assert "fact 'istio.support.window': " in found[1] and "not a Kubernetes minor" in found[1]
    assert "unknown fact 'istio.version.9_99'" in found[2]
    assert "unknown fact 'istio.v9_99.kubernetes_range'" in found[3]


def test_the_directive_reports_a_bad_data_file_at_the_data_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "columns: []\nrows: []\n")
    monkeypatch.setattr(compatibility, "DATA_PATH", path)
    reported: list[Any] = []
    ext = MeshkbExtension()
    ext.report = reported.append
    html = Markdown(extensions=[ext]).convert("[[meshkb:compatibility-matrix]]")
    assert "meshkb-error" in html
    assert [p.file for p in reported] == [str(path), str(path)]
    assert all(p.line is not None for p in reported)
