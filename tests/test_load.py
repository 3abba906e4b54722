"""Checklist files: the valid and invalid cases, and the rules across files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from meshkb.errors import MeshkbError
from meshkb.load import load_all, load_checklist

from .conftest import CASES, CHECKLISTS

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
