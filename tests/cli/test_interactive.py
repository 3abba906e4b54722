"""`-i`: every answer is saved at once; quitting or a closed terminal loses nothing."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from meshkb.cli.interactive import run_interactive
from meshkb.core.load import load_checklist
from meshkb.report.build import new_report
from meshkb.report.markdown_read import parse_markdown

from ..conftest import CASES, run_cli

SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")


def run(path: Path, keys: str, *scope: str) -> str:
    """`checklist sample -i -o PATH SCOPE...` typing `keys`, then the terminal closes."""
    stdin = sys.stdin
    sys.stdin = io.StringIO(keys)
    try:
        result = run_cli(
            "--checklists",
            str(CASES / "valid"),
            "checklist",
            "sample",
            "-i",
            "-o",
            str(path),
            *scope,
        )
    finally:
        sys.stdin = stdin
    assert result.code == 0, result.err
    return result.err


def answers(path: Path) -> dict[str, tuple[str, str, str, str]]:
    report = parse_markdown(path.read_text(encoding="utf-8"), str(path), {"sample": SAMPLE})
    return {a.id: (a.state, a.note, a.reason, a.owner) for a in report.answers}


def test_closed_terminal_keeps_every_answer_given_and_a_second_run_resumes(tmp_path: Path) -> None:
    path = tmp_path / "review.md"
    # pass SMP-0001 with a note, then the terminal closes (EOF) in the middle of SMP-0002.
    run(path, "\np\nrunbook rehearsed\n", "--system", "shop")  # mesh not decided yet
    assert answers(path)["SMP-0001"] == ("pass", "runbook rehearsed", "", "")
    assert answers(path)["SMP-0002"][0] == "open"
    # The second run starts at the first open item: n/a with a reason, skip, waive, back.
    log = run(path, "n\nno istio here\n\ns\nw\naccepted\nalice\n\nq\n")
    assert "Resuming" in log
    got = answers(path)
    assert got["SMP-0002"] == ("na", "", "no istio here", "")
    assert got["SMP-0004"][0] == "open"
    assert got["SMP-0005"] == ("waived", "", "accepted", "alice")


def test_back_and_quit(tmp_path: Path) -> None:
    path = tmp_path / "review.md"
    run(path, "p\n\nb\nf\nbroken\nq\n", "--system", "shop", "--mesh", "linkerd")
    assert answers(path)["SMP-0001"] == ("fail", "broken", "", "")


def test_interactive_needs_an_output_file() -> None:
    result = run_cli("--checklists", str(CASES / "valid"), "checklist", "sample", "-i")
    assert result.code == 2
    assert "-i needs -o FILE" in result.err


def test_ctrl_c_keeps_every_answer_given(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "review.md"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "meshkb",
            "--checklists",
            str(CASES / "valid"),
            "checklist",
            "sample",
            "-i",
            "-o",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write("shop\n\np\nrehearsed\n")  # system, no mesh yet, then SMP-0001
    process.stdin.flush()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "State: pass" not in (
        path.read_text(encoding="utf-8") if path.exists() else ""
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)  # while it waits for the answer to SMP-0002
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "Run the same command again to resume." in err
    assert answers(path)["SMP-0001"] == ("pass", "rehearsed", "", "")


def test_a_new_report_asks_for_system_and_mesh(tmp_path: Path) -> None:
    path = tmp_path / "review.md"
    err = io.StringIO()
    keys = "\nshop\nistoi\nlinkerd\np\nrunbook\nq\n"  # empty system asked again, typo
    code = run_interactive(
        SAMPLE, new_report(SAMPLE, date="2026-11-25"), path, "md", io.StringIO(keys), err, {}
    )
    assert code == 0
    log = err.getvalue()
    assert log.count("System (what is reviewed") == 2
    assert "'istoi' is not a mesh meshkb knows: istio, linkerd, cilium, or Enter" in log
    report = parse_markdown(path.read_text(encoding="utf-8"), str(path), {"sample": SAMPLE})
    assert (report.system, report.mesh) == ("shop", "linkerd")
    by_id = report.answer_by_id()
    assert by_id["SMP-0001"].state == "pass"
    assert by_id["SMP-0002"].state == "na" and by_id["SMP-0002"].automatic  # Istio only


def test_the_scope_given_on_the_command_line_is_not_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "review.md"
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    result = run_cli(
        "--checklists",
        str(CASES / "valid"),
        "checklist",
        "sample",
        "-i",
        "-o",
        str(path),
        "--system",
        "shop",
        "--mesh",
        "istio",
    )
    assert result.code == 0, result.err
    assert "System (" not in result.err and "Mesh (" not in result.err
    assert 'mesh: "istio"' in path.read_text(encoding="utf-8")


def test_input_ending_before_the_scope_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "review.md"
    err = io.StringIO()
    code = run_interactive(SAMPLE, new_report(SAMPLE), path, "md", io.StringIO("shop\n"), err, {})
    assert code == 0 and not path.exists()
    assert f"Nothing saved; {path} was not written." in err.getvalue()


def test_resume_with_another_mesh_derives_the_automatic_answers_again(tmp_path: Path) -> None:
    path = tmp_path / "review.md"
    run(path, "p\nok\nq\n", "--system", "shop", "--mesh", "linkerd")
    assert answers(path)["SMP-0002"][0] == "na"  # Istio only, and this system runs Linkerd
    run(path, "q\n", "--mesh", "istio")
    got = answers(path)
    assert got["SMP-0001"] == ("pass", "ok", "", "")  # a person's answer is kept
    assert got["SMP-0002"][0] == "open"  # the Istio item is to be answered now
    assert 'mesh: "istio"' in path.read_text(encoding="utf-8")
