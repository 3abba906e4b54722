"""The CLI: every bad input gets exit 2, one located line, no traceback, nothing written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ..conftest import CASES, CHECKLISTS, run_cli

SAMPLE = CASES / "valid" / "sample.yaml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A checklists folder holding the sample checklist."""
    target = tmp_path / "checklists"
    target.mkdir()
    shutil.copy(SAMPLE, target / "sample.yaml")
    return target


def write_bad(folder: Path, content: bytes) -> Path:
    path = folder / "sample.yaml"
    path.write_bytes(content)
    return path


SAMPLE_TEXT = SAMPLE.read_bytes()
ALIAS_BOMB = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n".encode()
    for i in range(8)
)

BAD_CHECKLISTS = {
    "not-yaml": (b"format: [unclosed\n  - x: y\n", "not valid YAML", True),
    "empty": (b"", "file is empty", True),
    "tabs": (
        b"format: meshkb/checklist/v1\nsections:\n\t- id: x\n",
        "tab used for indentation",
        True,
    ),
    "duplicate-key": (
        SAMPLE_TEXT.replace(b"title: Sample review", b"title: Sample review\ntitle: Again"),
        "duplicate key 'title'",
        True,
    ),
    "duplicate-item-id": (
        SAMPLE_TEXT.replace(b"SMP-0005", b"SMP-0004").replace(
            b"[SMP-0004, SMP-0004]", b"[SMP-0004]"
        ),
        "'SMP-0004' is used twice",
        True,
    ),
    "unknown-field": (
        SAMPLE_TEXT.replace(b"severity: optional", b"severity: optional\n        colour: red"),
        "unknown field 'colour'",
        True,
    ),
    "wrong-type": (
        SAMPLE_TEXT.replace(b"rev: 2", b"rev: [2]"),
        "expected an integer, got a list",
        True,
    ),
    "python-tag": (
        SAMPLE_TEXT.replace(
            b"why: W.\n        how: H.\n        severity: recommended",
            b"why: !!python/object:os.system {}\n        how: H.\n        severity: recommended",
        ),
        "tag !!python/object:os.system is not allowed",
        True,
    ),
    "alias-bomb": (ALIAS_BOMB, "anchors and aliases (&, *) are not allowed", True),
    "binary": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "binary data", True),
    "control-character": (
        SAMPLE_TEXT.replace(b"Sample review", b"Sample \x08 review"),
        "character U+0008 is not allowed in YAML",
        True,
    ),
    "bad-explicit-tag": (
        SAMPLE_TEXT.replace(b"rev: 2", b"rev: !!int"),
        "'' is not a valid !!int value",
        True,
    ),
    "deep-nesting": (
        SAMPLE_TEXT.replace(b"rev: 2", b"rev: " + b"[" * 600 + b"]" * 600),
        "nested more than 64 levels deep",
        True,
    ),
    "invalid-utf8": (
        SAMPLE_TEXT.replace(b"Sample review", b"Sample \xff\xfe review"),
        "not valid UTF-8 (byte 0xff)",
        True,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CHECKLISTS))
@pytest.mark.parametrize("command", ["validate", "checklist"])
def test_bad_checklist_gets_one_clear_line(
    case: str, command: str, folder: Path, tmp_path: Path
) -> None:
    content, message, located = BAD_CHECKLISTS[case]
    path = write_bad(folder, content)
    out_file = tmp_path / "review.md"
    if command == "validate":
        result = run_cli("validate", str(path))
    else:
        result = run_cli("--checklists", str(folder), "checklist", "sample", "-o", str(out_file))
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"meshkb: error: {path}:"), lines[0]
    assert message in lines[0]
    if located:
        assert lines[0].split(":")[3].strip().isdigit(), "the line number is given"
    assert "Traceback" not in result.err
    assert not out_file.exists(), "nothing is written on bad input"
    assert path.read_bytes() == content, "the input is not changed"


def test_fifty_megabyte_file_is_refused_before_reading(folder: Path) -> None:
    path = folder / "sample.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = run_cli("validate", str(path))
    assert result.code == 2
    assert result.err == f"meshkb: error: {path}: file is too large (52.4 MB; the limit is 5 MiB)\n"


def fill_in(folder: Path, *extra: str) -> str:
    result = run_cli(
        "--checklists", str(folder), "checklist", "sample", "--date", "2026-11-25", *extra
    )
    assert result.code == 0, result.err
    return result.out


def test_report_for_unknown_checklist(folder: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    report.write_text(
        fill_in(folder).replace("checklist: sample", "checklist: nosuch"), encoding="utf-8"
    )
    result = run_cli("--no-builtin", "--checklists", str(folder), "report", "check", str(report))
    assert result.code == 2
    assert (
        result.err
        == f"meshkb: error: {report}:1:1: $.checklist: report is for unknown checklist 'nosuch' (known: sample)\n"
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "r.json",
            '{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "not valid JSON: nested too deeply",
        ),
        (
            "r.yaml",
            "format: meshkb/report/v1\nanswers: " + "[" * 600 + "]" * 600 + "\n",
            "nested more than 64 levels deep",
        ),
    ],
)
def test_a_deeply_nested_report_gets_one_clear_line(
    folder: Path, tmp_path: Path, name: str, text: str, message: str
) -> None:
    report = tmp_path / name
    report.write_text(text, encoding="utf-8")
    result = run_cli("--checklists", str(folder), "report", "check", str(report))
    assert result.code == 2
    assert result.err.startswith(f"meshkb: error: {report}:")
    assert result.err.count("\n") == 1 and message in result.err


def test_report_with_unknown_item_ids(folder: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    text = fill_in(folder).replace("**SMP-0004**", "**SMP-0777**")
    report.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(row for row in text.splitlines() if "SMP-0777" in row)) + 1
    result = run_cli("--checklists", str(folder), "report", "check", str(report))
    assert result.code == 2
    assert (
        result.err
        == f"meshkb: error: {report}:{line}:9: SMP-0777 is not an item of checklist 'sample' 2.1.0\n"
    )


def test_output_onto_existing_file_needs_force(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "review.md"
    target.write_text("my precious answers\n", encoding="utf-8")
    result = run_cli("--checklists", str(folder), "checklist", "sample", "-o", str(target))
    assert result.code == 2
    assert result.err.startswith(f"meshkb: error: {target}: already exists; pass --force")
    assert target.read_text(encoding="utf-8") == "my precious answers\n"
    forced = run_cli(
        "--checklists", str(folder), "checklist", "sample", "-o", str(target), "--force"
    )
    assert forced.code == 0
    assert target.read_text(encoding="utf-8").startswith("---\nformat: meshkb/report/v1\n")
    assert [p.name for p in tmp_path.iterdir()] == ["review.md", "checklists"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == ["checklists", "review.md"]


def test_unknown_checklist_name_lists_the_known_ones(folder: Path) -> None:
    result = run_cli("--no-builtin", "--checklists", str(folder), "checklist", "nosuch")
    assert result.code == 2
    assert result.err == f"meshkb: error: {folder}: no checklist 'nosuch' (known: sample)\n"


def test_usage_error_is_one_line_with_exit_2() -> None:
    result = run_cli("checklist", "migration", "--format", "pdf")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "invalid choice: 'pdf'" in result.err


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["checklist", "--help"], ["report", "check", "--help"], ["validate", "--help"]],
)
def test_help_everywhere(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli(*argv)
    assert exit_info.value.code == 0
    assert "usage: meshkb" in capsys.readouterr().out


def test_checklist_list_shows_the_four_checklists() -> None:
    result = run_cli("--checklists", str(CHECKLISTS), "checklist", "list")
    assert result.code == 0
    ids = [line.split()[0] for line in result.out.splitlines()[1:]]
    assert ids == ["adoption", "migration", "removal", "traps"]


def test_hand_filled_report_scores_progress_gate_and_outcome(folder: Path, tmp_path: Path) -> None:
    text = fill_in(folder, "--system", "payments")
    text = text.replace("- [ ] **SMP-0001**", "- [X] **SMP-0001**")
    text = text.replace(
        "- [ ] **SMP-0004** Signal one *(recommended, rev 1)*\n  > Signal one is absent.\n  - State: open",
        "- [ ] **SMP-0004** Signal one *(recommended, rev 1)*\n  > Signal one is absent.\n  - State: fail",
    )
    text = text.replace(
        "- [ ] **SMP-0005** Signal two *(optional, rev 1)*\n  > Signal two is absent.\n  - State: open",
        "- [ ] **SMP-0005** Signal two *(optional, rev 1)*\n  > Signal two is absent.\n  - State: FAIL",
    )
    report = tmp_path / "r.md"
    report.write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    result = run_cli("--checklists", str(folder), "report", "check", str(report), "--gate")
    assert result.code == 0, result.err
    assert "  blocker        1 of 1   done" in result.out
    assert "  recommended    0 of 1   done   open 0, failed 1" in result.out
    assert "Gate: passed" in result.out
    assert "Decision: Act now — Both signals hold." in result.out


def test_gate_fails_with_exit_1(folder: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    report.write_text(fill_in(folder), encoding="utf-8")
    result = run_cli("--checklists", str(folder), "report", "check", str(report), "--gate")
    assert result.code == 1
    assert "Gate: NOT passed (open or failed blockers: SMP-0001)" in result.out
    assert run_cli("--checklists", str(folder), "report", "check", str(report)).code == 0


def test_no_color_is_honoured(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "r.md"
    report.write_text(fill_in(folder), encoding="utf-8")
    monkeypatch.setenv("NO_COLOR", "1")
    result = run_cli("--checklists", str(folder), "report", "check", str(report))
    assert "\033[" not in result.out


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_machine_formats_read_back_to_the_same_markdown(
    fmt: str, folder: Path, tmp_path: Path
) -> None:
    exported = run_cli(
        "--checklists",
        str(folder),
        "checklist",
        "sample",
        "--date",
        "2026-11-25",
        "--mesh",
        "istio",
        "--format",
        fmt,
    )
    path = tmp_path / f"r.{fmt}"
    path.write_text(exported.out, encoding="utf-8")
    again = run_cli(
        "--checklists",
        str(folder),
        "checklist",
        "sample",
        "--from",
        str(path),
        "--date",
        "2026-11-25",
    )
    assert again.code == 0, again.err
    assert again.out == fill_in(folder, "--mesh", "istio")


def test_junit_shows_failed_and_open_blockers_as_failures(folder: Path) -> None:
    from xml.etree import ElementTree as ET

    result = run_cli(
        "--checklists", str(folder), "checklist", "sample", "--format", "junit", "--mesh", "linkerd"
    )
    suite = ET.fromstring(result.out).find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "4"
    assert suite.get("failures") == "1"
    assert suite.get("skipped") == "3"


def test_report_check_takes_several_files_as_pre_commit_passes_them(
    folder: Path, tmp_path: Path
) -> None:
    open_report = tmp_path / "open.md"
    open_report.write_text(fill_in(folder), encoding="utf-8")
    done = tmp_path / "done.md"
    done.write_text(
        fill_in(folder).replace("- [ ] **SMP-0001**", "- [x] **SMP-0001**"), encoding="utf-8"
    )
    argv = ("--checklists", str(folder), "report", "check", str(done), str(open_report))
    result = run_cli(*argv, "--gate")
    assert result.code == 1
    assert f"== {done} ==\n" in result.out
    assert f"\n== {open_report} ==\n" in result.out
    assert result.err == f"meshkb: {open_report}: gate not passed\n"
    assert run_cli(*argv).code == 0
    assert run_cli(*argv[:-1], "--gate").code == 0
    json_several = run_cli(*argv, "--format", "json")
    assert json_several.code == 2
    assert json_several.out == ""
    assert "--format json takes one FILE (got 2)" in json_several.err


@pytest.mark.parametrize(
    ("name", "inside"),
    [
        ("empty", []),
        ("x.yaml", []),
        ("notes", ["README.md", "old.yaml.bak"]),
        ("nested", ["sub/"]),
    ],
)
def test_a_folder_without_checklists_is_nothing_to_check_not_valid(
    tmp_path: Path, name: str, inside: list[str]
) -> None:
    folder = tmp_path / name
    folder.mkdir()
    for entry in inside:
        if entry.endswith("/"):
            (folder / entry).mkdir()
        else:
            (folder / entry).write_text("format: meshkb/checklist/v1\n", encoding="utf-8")
    result = run_cli("validate", str(folder))
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"meshkb: error: {folder}: no checklist files (*.yaml, *.yml): nothing to check\n"
    )


def test_no_checklist_at_all_is_nothing_to_check(tmp_path: Path) -> None:
    result = run_cli("--no-builtin", "--checklists", str(tmp_path), "validate")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"meshkb: error: {tmp_path}: no checklist files (*.yaml, *.yml): nothing to check\n"
    )


@pytest.mark.parametrize("command", [("validate", "{folder}"), ("checklist", "list")])
def test_a_checklist_name_that_is_no_regular_file_is_refused_not_skipped(
    tmp_path: Path, command: tuple[str, str]
) -> None:
    """A FIFO named *.yaml would block a read forever; a folder or a broken link cannot be
    read. Each is named, in file order, and nothing is checked or listed."""
    folder = tmp_path / "team"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "sample.yaml")
    os.mkfifo(folder / "a-pipe.yaml")
    (folder / "b-folder.yml").mkdir()
    (folder / "c-gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    args = [part.format(folder=folder) for part in command]
    result = run_cli("--checklists", str(folder), *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        f"meshkb: error: {folder / 'a-pipe.yaml'}: is a FIFO (named pipe), not a regular file; a checklist must be a regular YAML file",
        f"meshkb: error: {folder / 'b-folder.yml'}: is a directory, not a regular file; a checklist must be a regular YAML file",
        f"meshkb: error: {folder / 'c-gone.yaml'}: is a broken symbolic link, not a regular file; a checklist must be a regular YAML file",
    ]
