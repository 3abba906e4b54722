"""`meshkb report fmt`: canonical form and fresh summary lines, atomically, losing nothing."""

from __future__ import annotations

import json
from pathlib import Path

from meshkb.core.load import load_checklist
from meshkb.report.data import parse_report

from ..conftest import CHECKLISTS, run_cli

KNOWN = {"migration": load_checklist(CHECKLISTS / "migration.yaml")}


def fresh(tmp_path: Path, name: str = "review.md", *extra: str) -> Path:
    path = tmp_path / name
    made = run_cli(
        "checklist",
        "migration",
        "--mesh",
        "linkerd",
        "--date",
        "2026-12-01",
        "-o",
        str(path),
        *extra,
    )
    assert made.code == 0, made.err
    return path


def hand_edit(path: Path) -> str:
    """What a person does: ticks a blocker (the summary goes stale), reorders two items,
    writes CRLF and an uppercase [X], and a note with blank lines in it."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("- [ ] **MIG-0001**", "- [X] **MIG-0001**")
    head = text.index("- [ ] **MIG-0002**")
    note = text.index("  - Note:", head)
    text = (
        text[:note]
        + "  - Note: baseline in grafana\n\n    p99 420 ms"
        + text[note + len("  - Note:") :]
    )
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return text


def test_check_names_the_stale_file_and_changes_nothing(tmp_path: Path) -> None:
    clean, stale = fresh(tmp_path, "clean.md"), fresh(tmp_path, "stale.md")
    hand_edit(stale)
    before = stale.read_bytes()
    result = run_cli("report", "fmt", "--check", str(clean), str(stale))
    assert result.code == 1
    assert result.err == f"meshkb: {stale}: would be reformatted\n"
    assert stale.read_bytes() == before
    assert run_cli("report", "fmt", "--check", str(clean)).code == 0


def test_fmt_refreshes_the_summary_and_keeps_every_answer(tmp_path: Path) -> None:
    path = fresh(tmp_path)
    hand_edit(path)
    answers_before = parse_report(path.read_text(encoding="utf-8"), "r.md", KNOWN)
    assert "| blocker | 0 of 9 |" in path.read_text(encoding="utf-8")  # stale
    result = run_cli("report", "fmt", str(path))
    assert result.code == 0, result.err
    assert result.err == f"meshkb: reformatted {path}\n"
    text = path.read_bytes().decode("utf-8")
    assert "\r" not in text and "[X]" not in text
    assert "| blocker | 1 of 9 |" in text
    assert "open or failed blockers: MIG-0002," in text  # MIG-0001 passed
    assert "  - Note: baseline in grafana\n\n    p99 420 ms\n" in text
    assert parse_report(text, "r.md", KNOWN) == answers_before
    # Canonical is what `checklist --from` writes, and a second fmt changes nothing.
    again = run_cli("checklist", "migration", "--from", str(path), "--date", "2026-12-01")
    assert again.out == text
    assert run_cli("report", "fmt", "--check", str(path)).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.md"]  # no temp file left


def test_json_and_yaml_keep_their_form(tmp_path: Path) -> None:
    for fmt in ("json", "yaml"):
        path = fresh(tmp_path, f"review.{fmt}", "--format", fmt)
        canonical = path.read_bytes()
        if fmt == "json":
            path.write_text(json.dumps(json.loads(canonical)), encoding="utf-8")  # one line
        else:
            path.write_bytes(canonical.replace(b"\n", b"\n\n"))
        result = run_cli("report", "fmt", str(path))
        assert result.code == 0, result.err
        assert path.read_bytes() == canonical, fmt


def test_one_bad_report_writes_nothing(tmp_path: Path) -> None:
    good, bad = fresh(tmp_path, "good.md"), fresh(tmp_path, "bad.md")
    hand_edit(good)
    good_before = good.read_bytes()
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("  - State: open", "  - State: maybe", 1),
        encoding="utf-8",
    )
    bad_before = bad.read_bytes()
    result = run_cli("report", "fmt", str(good), str(bad))
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"meshkb: error: {bad}:") and "unknown state 'maybe'" in result.err
    assert result.err.count("\n") == 1
    assert (good.read_bytes(), bad.read_bytes()) == (good_before, bad_before)


def test_stdin_prints_the_canonical_form(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io
    import sys

    path = fresh(tmp_path)
    text = hand_edit(path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    result = run_cli("report", "fmt", "-")
    assert result.code == 0, result.err
    assert "| blocker | 1 of 9 |" in result.out
    assert run_cli("report", "fmt", "-", str(path)).code == 2
