"""`checklist NAME`: options are checked before anything is written, the file's
extension decides its format, and `-i` keeps every choice, in any format."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from meshkb.cli import interactive
from meshkb.core.files import MAX_BYTES
from meshkb.core.load import load_checklist
from meshkb.report.data import parse_report

from ..conftest import CASES, run_cli

SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")
TEAM = ("--checklists", str(CASES / "valid"), "--no-builtin")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--date", "yesterday"), "--date 'yesterday' is not a date; use YYYY-MM-DD"),
        (("--date", "2026-02-30"), "--date '2026-02-30' is not a date"),
        (("--date", "2026-W01-1"), "is not a date"),
        (("--date", "20261125"), "is not a date"),
        (("--reviewer", ""), "--reviewer needs a name"),
        (("--reviewer", "alice", "--reviewer", "  "), "--reviewer needs a name"),
        (("--system", "pay\udcffments"), "(pay\\udcffments) is not valid UTF-8"),
        (("--system", "pay\x00ments"), "--system has a NUL character"),
        (("--format", "md", "-o", "{dir}/r.json"), "is read back as json, but --format is md"),
        (("--format", "junit", "-i", "-o", "{dir}/r.xml"), "not junit"),
        (("--format", "yaml", "-o", "{dir}/r.txt"), "write YAML to a .yaml or .yml file"),
    ],
)
def test_bad_options_are_one_line_and_nothing_is_written(
    options: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    argv = [o.replace("{dir}", str(tmp_path)) for o in options]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "r.md")]
    result = run_cli(*TEAM, "checklist", "sample", *argv)
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert message in result.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "fmt"), [("r.json", "json"), ("r.yaml", "yaml"), ("r.md", "md")])
def test_the_output_extension_sets_the_format_and_the_file_reads_back(
    name: str, fmt: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    result = run_cli(*TEAM, "checklist", "sample", "--date", "2026-11-25", "-o", str(path))
    assert result.code == 0, result.err
    text = path.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["checklist"] == "sample"
    assert parse_report(text, str(path), {"sample": SAMPLE}).date == "2026-11-25"
    check = run_cli(*TEAM, "report", "check", str(path))
    assert check.code == 0, check.err


class Keys(io.StringIO):
    """A terminal that types `keys`, then Ctrl-C (KeyboardInterrupt) at the next prompt."""

    def __init__(self, keys: str) -> None:
        super().__init__(keys)

    def readline(self, size: int | None = -1) -> str:
        line = super().readline()
        if line == "":
            raise KeyboardInterrupt
        return line


def answer_in_terminal(
    monkeypatch: pytest.MonkeyPatch, path: Path, keys: str, *options: str
) -> str:
    if not path.exists():
        keys = "shop\n\n" + keys  # a new report asks for the system, then the mesh (none yet)
    monkeypatch.setattr("sys.stdin", Keys(keys))
    result = run_cli(*TEAM, "checklist", "sample", "-i", "-o", str(path), *options)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.err


def answers(path: Path) -> dict[str, tuple[str, str, str]]:
    report = parse_report(path.read_text(encoding="utf-8"), str(path), {"sample": SAMPLE})
    return {a.id: (a.state, a.note, a.reason) for a in report.answers}


def test_ctrl_c_before_the_note_keeps_the_choice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "review.md"
    log = answer_in_terminal(monkeypatch, path, "p\n")  # Ctrl-C at "Note (Enter keeps it)"
    assert answers(path)["SMP-0001"] == ("pass", "", "")
    assert "Saved" in log and "(3 open)" in log


def test_ctrl_c_before_a_required_reason_says_the_choice_was_not_saved(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "review.md"
    log = answer_in_terminal(monkeypatch, path, "n\n")  # Ctrl-C at "Reason:"
    assert answers(path)["SMP-0001"][0] == "open"
    assert "SMP-0001: na was not saved: it needs a Reason." in log
    assert "(4 open)" in log


def test_ctrl_c_inside_a_save_reports_what_the_file_holds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "review.md"
    real = interactive.write_atomic
    calls: Iterator[int] = iter(range(100))

    def interrupted_on_the_third(target: Path, text: str, *, force: bool = False) -> None:
        # 1: the start, 2: SMP-0001's choice, 3: SMP-0001's note, interrupted the way
        # Ctrl-C interrupts the real writer: before the rename, so the file is as it was.
        if next(calls) == 2:
            raise KeyboardInterrupt
        real(target, text, force=force)

    monkeypatch.setattr(interactive, "write_atomic", interrupted_on_the_third)
    log = answer_in_terminal(monkeypatch, path, "p\nrehearsed\n")
    assert answers(path)["SMP-0001"] == ("pass", "", "")
    assert "Not saved (interrupted while saving): SMP-0001." in log
    assert "(3 open)" in log  # what the file says, not what memory held


@pytest.mark.parametrize("name", ["review.json", "review.yaml"])
def test_interactive_writes_and_resumes_the_format_of_its_file(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / name
    answer_in_terminal(monkeypatch, path, "f\nbroken\n")
    if name.endswith(".json"):
        assert json.loads(path.read_text(encoding="utf-8"))["answers"][0]["state"] == "fail"
    log = answer_in_terminal(monkeypatch, path, "p\n\n")
    assert "Resuming" in log
    got = answers(path)
    assert got["SMP-0001"] == ("fail", "broken", "")
    assert got["SMP-0002"][0] == "pass"


def test_resume_honours_mesh_and_keeps_the_files_date(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "review.md"
    answer_in_terminal(monkeypatch, path, "p\n\nq\n", "--date", "2026-01-02")
    # SMP-0002 applies only to istio: resuming for linkerd marks it n/a.
    log = answer_in_terminal(monkeypatch, path, "q\n", "--mesh", "linkerd")
    assert "Resuming" in log
    report = parse_report(path.read_text(encoding="utf-8"), str(path), {"sample": SAMPLE})
    assert report.mesh == "linkerd" and report.date == "2026-01-02"
    by_id = report.answer_by_id()
    assert by_id["SMP-0001"].state == "pass"
    assert by_id["SMP-0002"].state == "na" and "istio" in by_id["SMP-0002"].reason
    # Back to istio: the n/a the scope set goes, the answer given by hand stays.
    answer_in_terminal(monkeypatch, path, "q\n", "--mesh", "istio")
    again = parse_report(path.read_text(encoding="utf-8"), str(path), {"sample": SAMPLE})
    assert again.answer_by_id()["SMP-0002"].state == "open"
    assert again.answer_by_id()["SMP-0001"].state == "pass"


def test_resume_refuses_a_file_over_the_size_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "review.md"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    before = os.stat(path)
    monkeypatch.setattr("sys.stdin", Keys("q\n"))
    result = run_cli(*TEAM, "checklist", "sample", "-i", "-o", str(path))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "file is too large" in result.err
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
