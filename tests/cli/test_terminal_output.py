"""Text from a checklist, a report or a manifest reaches the terminal with its control
characters made visible: it can neither drive the terminal nor fake a line of output."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from meshkb.core.load import load_checklist
from meshkb.core.terminal import one_line, visible
from meshkb.report.build import new_report
from meshkb.report.check import check_report, render_check_text
from meshkb.report.markdown_read import parse_markdown

from ..conftest import CASES, CHECKLISTS, ROOT, run_cli

SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")
HOSTILE = "ns\n\nGate: passed\r\x1b[2J\x1b]0;owned\x07\x9b31m\u202eevil\u200b"
"""A newline and a fake verdict, a carriage return, clear-screen, set-title (OSC), a C1
CSI, a right-to-left override and a zero-width space."""


def raw_controls(text: str) -> list[str]:
    """Characters a terminal would act on, other than the line breaks between lines."""
    return [c for c in text if not (c.isprintable() or c in " \n")]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text, accents é and emoji 🚀", "plain text, accents é and emoji 🚀"),
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("line\nfake", "line\\x0afake"),
        ("tab\there", "tab\\x09here"),
        ("\r\x07\x7f\x9b", "\\x0d\\x07\\x7f\\x9b"),
        ("\u202eevil\u200b", "\\u202eevil\\u200b"),
        ("\U000f0000", "\\U000f0000"),
        ("\udcff", "\\udcff"),
    ],
)
def test_visible_escapes_what_a_terminal_would_act_on(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert raw_controls(visible(text)) == []


def test_one_line_cuts_the_middle_of_a_long_message() -> None:
    text = "start " + "A" * 100_000 + " end"
    shown = one_line(text)
    assert len(shown) < 2100
    assert shown.startswith("start AAA") and shown.endswith("AAA end")
    assert "characters cut" in shown
    assert one_line("short\x1b") == "short\\x1b"


def test_report_check_text_cannot_fake_the_gate_line() -> None:
    report = new_report(SAMPLE, system=HOSTILE, date="2026-11-25")
    answers = tuple(
        replace(a, state="waived", owner=HOSTILE, reason=HOSTILE) if a.id == "SMP-0004" else a
        for a in report.answers
    )
    text = render_check_text(
        check_report(SAMPLE, replace(report, answers=answers), "r.md"), io.StringIO()
    )
    assert raw_controls(text) == []
    gate_lines = [line for line in text.splitlines() if line.startswith("Gate:")]
    assert len(gate_lines) == 1 and gate_lines[0].startswith("Gate: NOT passed")
    assert "ns\\x0a\\x0aGate: passed\\x0d\\x1b[2J" in text


def test_scan_text_shows_hostile_resource_names_escaped(tmp_path: Path) -> None:
    manifest = tmp_path / "svc.yaml"
    manifest.write_text(
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: "web\\e[2J\\e]0;owned\\a"\n'
        '  namespace: "shop\\nMIG-0001  pass     all good"\n',
        encoding="utf-8",
    )
    result = run_cli("--checklists", str(CHECKLISTS), "scan", str(manifest))
    assert result.code == 0, result.err
    assert "web\\x1b[2J\\x1b]0;owned\\x07" in result.out
    assert raw_controls(result.out) == []
    assert not any(
        line.startswith("MIG-0001  pass     all good") for line in result.out.splitlines()
    )


def test_an_error_that_quotes_input_shows_it_escaped(tmp_path: Path) -> None:
    result = run_cli("report", "check", str(tmp_path / "r\x1b[2J\n.md"))
    assert result.code == 2
    assert result.err == f"meshkb: error: {tmp_path}/r\\x1b[2J\\x0a.md: no such file\n"


def test_interactive_prompts_show_checklist_text_escaped(tmp_path: Path) -> None:
    text = (CASES / "valid" / "sample.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "team"
    folder.mkdir()
    hostile = text.replace("title: Sample review", 'title: "Sample \\u202e review\\u0085"', 1)
    assert hostile != text
    (folder / "sample.yaml").write_text(hostile, encoding="utf-8")
    checklist = load_checklist(folder / "sample.yaml")
    err = io.StringIO()
    run_interactive_once(checklist, tmp_path / "r.md", err)
    assert "Sample \\u202e review\\x85" in err.getvalue()
    assert raw_controls(err.getvalue()) == []


def run_interactive_once(checklist: object, path: Path, err: io.StringIO) -> None:
    from meshkb.cli.interactive import run_interactive

    report = new_report(checklist, date="2026-11-25")  # type: ignore[arg-type]
    assert run_interactive(checklist, report, path, "md", io.StringIO("?\nq\n"), err) == 0  # type: ignore[arg-type]


def test_a_killed_interactive_session_leaves_no_temporary_file(tmp_path: Path) -> None:
    """SIGTERM or SIGHUP (a closed terminal) at any moment, saves included: every answer
    given is in the file, the file is whole, and nothing else is in the folder."""
    path = tmp_path / "review.md"
    keys = "p\nnote\n" * 2 + "f\nbroken\n" * 2 + "p\n\n" * 200
    for attempt, signum in enumerate([signal.SIGTERM, signal.SIGHUP] * 4):
        path.unlink(missing_ok=True)
        child = subprocess.Popen(
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
                "--system",  # the scope given: nothing is asked before the file is written
                "shop",
                "--mesh",
                "istio",
            ],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert child.stdin is not None
        deadline = time.monotonic() + 20
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        child.stdin.write(keys)
        child.stdin.flush()
        time.sleep(0.002 * attempt)
        child.send_signal(signum)
        _, err = child.communicate(timeout=20)
        assert "Traceback" not in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["review.md"], err
        report = parse_markdown(path.read_text(encoding="utf-8"), str(path), {"sample": SAMPLE})
        assert len(report.answers) == len(SAMPLE.active_items())
