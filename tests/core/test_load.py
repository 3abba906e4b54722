"""Checklist files: the valid and invalid cases, and the rules across files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from meshkb.core.errors import MeshkbError
from meshkb.core.load import load_all, load_checklist
from meshkb.core.yaml_policy import load_yaml_text

from ..conftest import CASES, CHECKLISTS

INVALID = sorted((CASES / "invalid").glob("*.yaml"))


def expected_error(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# error: "), f"{path.name} must start with '# error: <message>'"
    return first.removeprefix("# error: ")


@pytest.mark.parametrize("path", sorted((CASES / "valid").glob("*.yaml")), ids=lambda p: p.name)
def test_valid_cases_load(path: Path) -> None:
    checklist = load_checklist(path)
    assert checklist.id == path.stem
    assert checklist.active_items()


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_case_gives_its_located_error(path: Path) -> None:
    with pytest.raises(MeshkbError) as caught:
        load_checklist(path)
    lines = str(caught.value).splitlines()
    assert any(expected_error(path) in line for line in lines), lines
    for line in lines:
        # file:line:col: on every line, so editors can jump to it
        assert line.startswith(f"{path}:"), line
        assert line.split(":")[1].isdigit(), line


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = (CASES / "valid" / "sample.yaml").read_text(encoding="utf-8")
    text = text.replace("severity: blocker", "severity: urgent").replace("rev: 2", "rev: two")
    text = text.replace("title: Signal two", "title: Signal two\n        colour: red")
    bad = tmp_path / "sample.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(MeshkbError) as caught:
        load_checklist(bad)
    messages = str(caught.value).splitlines()
    assert len(messages) == 3
    assert any("severity: 'urgent'" in m for m in messages)
    assert any(".rev: expected an integer" in m for m in messages)
    assert any("unknown field 'colour'" in m for m in messages)


def _copy_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    target = tmp_path / name
    target.write_text(
        (CASES / "valid" / "sample.yaml").read_text(encoding="utf-8").replace(old, new),
        encoding="utf-8",
    )
    return target


def test_item_ids_must_be_unique_across_checklists(tmp_path: Path) -> None:
    shutil.copy(CASES / "valid" / "sample.yaml", tmp_path / "sample.yaml")
    other = _copy_with(tmp_path, "other.yaml", "id: sample", "id: other")
    with pytest.raises(MeshkbError) as caught:
        load_all([tmp_path / "sample.yaml", other])
    text = str(caught.value)
    assert "prefix 'SMP' is already used by" in text
    assert "'SMP-0001' is also used in" in text
    assert text.splitlines()[0].startswith(f"{other}:")


def test_tombstones_must_point_to_existing_live_items(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "sample.yaml", "replaced_by: SMP-0004", "replaced_by: SMP-0042")
    with pytest.raises(MeshkbError, match=r"replaced_by 'SMP-0042' does not exist"):
        load_all([path])


def test_the_shipped_checklists_are_valid_together() -> None:
    checklists = load_all(sorted(CHECKLISTS.glob("*.yaml")))
    assert {c.id for c in checklists} == {"adoption", "migration", "traps", "removal"}
    for checklist in checklists:
        assert len(checklist.active_items()) >= 8, checklist.id
        for item in checklist.active_items():
            assert any(ref.page for ref in item.refs), f"{item.id} has no page reference"
            assert any(ref.url for ref in item.refs), f"{item.id} has no primary source"


# What the YAML loader refuses, each with the line, column and JSON path it names. The
# path is worked out only when a value is refused, so each shape of refusal is pinned.
REFUSED_YAML = {
    "a: 1\nb:\n  c: 2\n  c: 3\n": (4, 3, "$.b.c", "duplicate key 'c' (first at line 3)"),
    "x:\n  - y: 1\n  - y: 2\n    z: [1, {q: 1, 'a b': 2, 'a b': 3}]\n": (
        4,
        29,
        "$.x[1].z[1]['a b']",
        "duplicate key 'a b' (first at line 4)",
    ),
    "c:\n  d: 1\n  <<: {d: 1}\n": (3, 3, "$.c", "merge keys (<<) are not allowed"),
    "a:\n  ? [1, 2]\n  : 3\n": (2, 3, "$.a", "mapping keys must be plain strings"),
    "a:\n  b: !!omap [{x: 1}]\n": (
        2,
        6,
        "$.a.b",
        "tag !!omap is not allowed; use plain YAML values",
    ),
    "a: !!set {x, y}\n": (1, 4, "$.a", "tag !!set is not allowed; use plain YAML values"),
    "a:\n  - !!python/tuple [1]\n": (
        2,
        5,
        "$.a[0]",
        "tag !!python/tuple is not allowed; use plain YAML values",
    ),
    "a: !foo bar\n": (1, 4, "$.a", "tag !foo is not allowed; use plain YAML values"),
    "l: [1, 2, !!bool maybe]\n": (1, 11, "$.l[2]", "'maybe' is not a valid !!bool value"),
    "a: &x 1\nb: *x\n": (1, 4, None, "anchors and aliases (&, *) are not allowed"),
    "a:\n- " + "[" * 70 + "]" * 70 + "\n": (
        2,
        # The root is depth 0 and `a`'s list depth 1; the first "[" (column 3) is
        # $.a[0] at depth 2, so the 63rd, in column 65, is the first too deep.
        2 + 63,
        "$.a" + "[0]" * 63,
        "nested more than 64 levels deep",
    ),
}


@pytest.mark.parametrize("text", sorted(REFUSED_YAML))
def test_refused_yaml_names_line_column_and_path(text: str) -> None:
    with pytest.raises(MeshkbError) as caught:
        load_yaml_text(text, "f.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.path, problem.message) == REFUSED_YAML[text]


def test_marks_place_values_and_mapping_entries_at_their_keys() -> None:
    located = load_yaml_text("a: 1\nb:\n  - c: 2\n    'd e': [x, y]\n  - 2020-01-01\n", "f.yaml")
    assert located.data == {"a": 1, "b": [{"c": 2, "d e": ["x", "y"]}, "2020-01-01"]}
    assert located.marks == {
        "$": (1, 1),
        "$.a": (1, 1),
        "$.b": (2, 1),
        "$.b[0]": (3, 5),
        "$.b[0].c": (3, 5),
        "$.b[0]['d e']": (4, 5),
        "$.b[0]['d e'][0]": (4, 13),
        "$.b[0]['d e'][1]": (4, 16),
        "$.b[1]": (5, 5),
    }
    problem = located.at("$.b[0].zz", "m")  # not in the file: its nearest parent
    assert (problem.line, problem.column, problem.path) == (3, 5, "$.b[0].zz")


def test_a_problem_about_a_key_that_is_not_an_identifier_names_its_own_line(
    tmp_path: Path,
) -> None:
    # The loader and the validator spell a path to such a key the same way (`$['-x']`).
    text = (CASES / "valid" / "sample.yaml").read_text(encoding="utf-8") + "-extra: 1\n"
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MeshkbError) as caught:
        load_checklist(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.path) == (text.count("\n"), "$['-extra']")


@pytest.mark.parametrize(
    "url",
    [
        'https://example.com/"><svg onload=alert(1)>',
        "https://example.com/)<svg/onload=alert(1)>",
        "https://example.com/x){: onclick=alert(1) }",
        "https://example.com/a'onmouseover='alert(1)",
        "https://example.com/a`b",
        "https://example.com/a\\\\b",
        "https://trusted.example@evil.example/",
        "https://exa mple.com/",
        "https://example.com/\u0430",
        "https://example.com/%zz",
        "https://",
        "http://example.com/",
        "javascript:alert(1)//https://example.com/",
        "HTTPS://example.com/",
    ],
)
def test_a_source_url_that_could_end_its_link_is_refused_where_it_stands(
    tmp_path: Path, url: str
) -> None:
    quoted = url.replace("\\", "\\\\").replace('"', '\\"')
    path = _copy_with(
        tmp_path,
        "sample.yaml",
        "url: https://istio.io/latest/docs/reference/config/labels/",
        f'url: "{quoted}"',
    )
    with pytest.raises(MeshkbError) as caught:
        load_checklist(path)
    (line,) = str(caught.value).splitlines()
    assert line.startswith(f"{path}:30:"), line
    assert ".refs[1].url: " in line and "does not match the expected form (An https URL" in line


@pytest.mark.parametrize(
    "url",
    [
        "https://istio.io/latest/docs/reference/config/labels/",
        "https://example.com/a_(b)?q=x&y=1#frag",
        "https://example.com:8443/%E2%9C%93/~user/@scope;v=1,2*+!$",
    ],
)
def test_ordinary_source_urls_are_accepted(tmp_path: Path, url: str) -> None:
    path = _copy_with(
        tmp_path,
        "sample.yaml",
        "url: https://istio.io/latest/docs/reference/config/labels/",
        f'url: "{url}"',
    )
    assert load_checklist(path).id == "sample"
