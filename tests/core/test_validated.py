"""The record of schema-valid built-in checklists (`meshkb.core.validated`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from meshkb.cli import main
from meshkb.core import validated
from meshkb.core.errors import MeshkbError
from meshkb.core.load import builtin_directory, checklist_files, is_builtin, load_checklist_text

BUILTIN = builtin_directory()
assert BUILTIN is not None


def builtin_files() -> list[Path]:
    assert BUILTIN is not None
    return checklist_files(BUILTIN)


def test_the_shipped_record_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = tmp_path / "validated.json"
    monkeypatch.setattr(validated, "RECORD", fresh)
    assert main(["validate", "--update-index"]) == 0  # validates every file, then writes
    stale = "the record of valid checklists is stale: run `meshkb validate --update-index`"
    assert fresh.read_text("utf-8") == _shipped_record(), stale


def _shipped_record() -> str:
    return (Path(validated.__file__).parents[1] / "data" / "validated.json").read_text("utf-8")


def test_every_builtin_checklist_is_recorded() -> None:
    recorded = json.loads(_shipped_record())["checklists"]
    assert sorted(recorded) == [p.name for p in builtin_files()]
    for path in builtin_files():
        assert is_builtin(path)
        assert validated.recorded_valid(path.name, path.read_text("utf-8")), path.name


def test_a_checklist_start_does_not_load_the_validator() -> None:
    probe = (
        "import sys, io, contextlib; from meshkb.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out: code = main(['checklist', 'migration'])\n"
        "assert code == 0 and 'MIG-0001' in out.getvalue(), code\n"
        "print('jsonschema_rs' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("change", ["edit", "rename"])
def test_anything_but_the_recorded_bytes_goes_through_the_schema(change: str) -> None:
    path = BUILTIN / "migration.yaml"
    text = path.read_text("utf-8")
    if change == "edit":  # an edit the schema refuses, on a built-in file
        text = text.replace("severity: blocker", "severity: urgent", 1)
        name = str(path)
    else:  # the same bytes under another name are not the recorded file
        name = str(path.with_name("renamed.yaml"))
        assert not validated.recorded_valid("renamed.yaml", text)
        text = text.replace("severity: blocker", "severity: urgent", 1)
    with pytest.raises(MeshkbError) as caught:
        load_checklist_text(text, name, builtin=True)
    assert "urgent" in str(caught.value)


def test_a_team_checklist_is_always_validated(tmp_path: Path) -> None:
    team = tmp_path / "migration.yaml"
    team.write_text((BUILTIN / "migration.yaml").read_text("utf-8"), "utf-8")
    assert not is_builtin(team)  # the same bytes, in a team's folder: no shortcut


def test_a_missing_or_damaged_record_only_means_validating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (BUILTIN / "migration.yaml").read_text("utf-8")
    for content in (None, "{", '{"format": "other", "checklists": {}}', '{"format": 1}', "[]"):
        record = tmp_path / "validated.json"
        if content is not None:
            record.write_text(content, "utf-8")
        monkeypatch.setattr(validated, "RECORD", record)
        validated._recorded.cache_clear()
        assert not validated.recorded_valid("migration.yaml", text)
        checklist, _ = load_checklist_text(text, str(BUILTIN / "migration.yaml"), builtin=True)
        assert checklist.id == "migration"
    validated._recorded.cache_clear()


def test_meshkb_validate_never_uses_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    from meshkb.core import validate

    real = validate.errors

    def counting(data: object, name: str) -> list[tuple[str, str]]:
        calls.append(name)
        return real(data, name)

    monkeypatch.setattr(validate, "errors", counting)
    assert main(["validate"]) == 0
    assert calls.count("checklist") == len(builtin_files())


def test_the_fingerprint_tells_chunks_apart() -> None:
    assert validated.fingerprint([b"ab", b"c"]) != validated.fingerprint([b"a", b"bc"])
    assert validated.fingerprint([b"x"]) == validated.fingerprint([b"x"])
