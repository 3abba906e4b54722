"""A team's own checklists join the built-in ones: same schema, rules across both."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ..conftest import CASES, CHECKLISTS, run_cli

BUILTIN = sorted(p.stem for p in CHECKLISTS.glob("*.yaml"))


def _team(tmp_path: Path, name: str = "team") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(CASES / "valid" / "sample.yaml", folder / "sample.yaml")
    return folder


def _listed(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines()[1:]]


def test_team_checklists_are_added_to_the_built_in_ones(tmp_path: Path) -> None:
    result = run_cli("--checklists", str(_team(tmp_path)), "checklist", "list")
    assert result.code == 0, result.err
    assert _listed(result.out) == [*BUILTIN, "sample"]
    assert run_cli("--checklists", str(_team(tmp_path, "t2")), "checklist", "sample").code == 0


def test_no_builtin_uses_only_the_team_s(tmp_path: Path) -> None:
    result = run_cli("--no-builtin", "--checklists", str(_team(tmp_path)), "checklist", "list")
    assert _listed(result.out) == ["sample"]
    assert run_cli("--no-builtin", "checklist", "list").code == 2


def test_the_environment_variable_names_several_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    text = (CASES / "valid" / "sample.yaml").read_text(encoding="utf-8")
    text = text.replace("id: sample", "id: other", 1).replace("SMP", "OTH")
    (other / "other.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("MESHKB_CHECKLISTS", os.pathsep.join([str(_team(tmp_path)), str(other)]))
    result = run_cli("checklist", "list")
    assert _listed(result.out) == [*BUILTIN, "sample", "other"], result.err
    # An explicit --checklists wins over the variable.
    assert _listed(run_cli("--checklists", str(other), "checklist", "list").out) == [
        *BUILTIN,
        "other",
    ]


def test_rules_across_files_hold_across_built_in_and_team(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    text = (CASES / "valid" / "sample.yaml").read_text(encoding="utf-8")
    (team / "sample.yaml").write_text(text.replace("SMP", "MIG"), encoding="utf-8")
    result = run_cli("--checklists", str(team), "validate")
    assert result.code == 2
    assert "prefix 'MIG' is already used by" in result.err and "migration.yaml" in result.err
    assert str(team / "sample.yaml") in result.err


def test_validate_names_files_and_checks_them_with_every_known_checklist(tmp_path: Path) -> None:
    team = _team(tmp_path)
    result = run_cli("validate", str(team / "sample.yaml"))
    assert result.code == 0, result.err
    assert result.err.startswith(f"meshkb: {len(BUILTIN) + 1} checklist(s), ")
    # The built-in folder named again counts once.
    again = run_cli("--checklists", str(CHECKLISTS), "validate", str(CHECKLISTS))
    assert again.err.startswith(f"meshkb: {len(BUILTIN)} checklist(s)"), again.err


def test_a_missing_team_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli("--checklists", str(tmp_path / "nope"), "checklist", "list")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"meshkb: error: {tmp_path / 'nope'}: checklists folder not found\n"


def test_the_checklist_options_also_work_after_the_subcommand(tmp_path: Path) -> None:
    team = _team(tmp_path)
    before = run_cli("--checklists", str(team), "--no-builtin", "checklist", "list")
    after = run_cli("checklist", "list", "--checklists", str(team), "--no-builtin")
    assert after.code == 0 and after.out == before.out
    report = tmp_path / "r.md"
    assert run_cli("checklist", "sample", "-o", str(report), "--checklists", str(team)).code == 0
    checked = run_cli("report", "check", str(report), "--checklists", str(team))
    assert checked.code == 0 and checked.out.startswith("Sample review"), checked.err
