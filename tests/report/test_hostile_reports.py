"""Hostile and careless reports: every one is refused by `report check` and by
`checklist NAME --from` with exit 2, one located line, no traceback, nothing written."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from meshkb.core.load import load_checklist
from meshkb.core.model import Answer, AnswerEvidence, Report
from meshkb.report.build import new_report
from meshkb.report.data import render_json
from meshkb.report.markdown import render_markdown
from meshkb.report.markdown_read import parse_markdown

from ..conftest import CASES, Run, run_cli

SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")
TEAM = ("--checklists", str(CASES / "valid"), "--no-builtin")


def filled_report() -> Report:
    return replace(
        new_report(SAMPLE, system="payments", date="2026-11-25", reviewers=("alice",)),
        answers=(
            Answer("SMP-0001", 2, "pass", note="first line\n\n\n\nafter a run of blank lines"),
            Answer("SMP-0002", 1, "open"),
            Answer("SMP-0004", 1, "waived", reason="accepted", owner="platform"),
            Answer("SMP-0005", 1, "na", reason="no such signal"),
        ),
    )


MARKDOWN = render_markdown(SAMPLE, filled_report())
JSON = render_json(SAMPLE, filled_report())
DATA = json.loads(JSON)


def md(old: str, new: str, count: int = 1) -> str:
    assert old in MARKDOWN, old
    return MARKDOWN.replace(old, new, count)


def js(change: Callable[[dict[str, object]], None] | None = None, text: str | None = None) -> str:
    if text is not None:
        return text
    data = json.loads(JSON)
    assert change is not None
    change(data)
    return json.dumps(data, ensure_ascii=False)


def answer(data: dict[str, object], index: int = 0) -> dict[str, object]:
    answers = data["answers"]
    assert isinstance(answers, list)
    found: dict[str, object] = answers[index]
    return found


def set_in(
    key: str, value: object, index: int | None = None
) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        (answer(data, index) if index is not None else data)[key] = value

    return change


ITEM_0002 = "- [ ] **SMP-0002** Istio only *(required, rev 1)*"

# name: (file name, text, what the message says, the line it names or None)
HOSTILE: dict[str, tuple[str, str, str, int | None]] = {
    "prose after a note's blank-line run, not indented": (
        "r.md",
        md("    after a run of blank lines", "after a run of blank lines"),
        "text outside an item would be lost",
        None,
    ),
    "a lazy follow-on line at column 0": (
        "r.md",
        md("  - Note: first line", "  - Note: first line\nsecond line at column 0"),
        "text outside an item would be lost",
        None,
    ),
    "State indented by a tab under a ticked box": (
        "r.md",
        md(
            ITEM_0002 + "\n  > An Istio-specific check.\n  - State: open\n  - Note:",
            ITEM_0002.replace("[ ]", "[x]") + "\n  > An Istio-specific check.\n\t- State: fail",
        ),
        "this State line is indented by a tab",
        None,
    ),
    "State indented by four spaces": (
        "r.md",
        md(
            ITEM_0002 + "\n  > An Istio-specific check.\n  - State: open",
            ITEM_0002 + "\n  > An Istio-specific check.\n    - State: fail",
        ),
        "indented by 4 spaces",
        None,
    ),
    "a stray line under State": (
        "r.md",
        md("  - State: open\n  - Note:", "  - State: open\n   stray words\n  - Note:"),
        "this line belongs to no field",
        None,
    ),
    "a list line at two spaces inside a note": (
        "r.md",
        md("  - Note: first line", "  - Note: first line\n  - not a field"),
        "neither a field nor part of the text",
        None,
    ),
    "a Cyrillic letter in an item ID": (
        "r.md",
        md("**SMP-0002**", "**S\u041cP-0002**"),
        "U+041C CYRILLIC CAPITAL LETTER EM",
        None,
    ),
    "a zero-width space in an item ID": (
        "r.md",
        md("**SMP-0002**", "**SMP-\u200b0002**"),
        "U+200B ZERO WIDTH SPACE",
        None,
    ),
    "a lower-case item ID": (
        "r.md",
        md("**SMP-0002**", "**smp-0002**"),
        "U+0073 LATIN SMALL LETTER S",
        None,
    ),
    "a box that is neither blank nor ticked": (
        "r.md",
        md("- [ ] **SMP-0002**", "- [-] **SMP-0002**"),
        "is neither [ ] nor [x]",
        None,
    ),
    "an ID the checklist never had": (
        "r.md",
        md("**SMP-0002**", "**SMP-0009**"),
        "SMP-0009 is not an item",
        None,
    ),
    "an item twice": ("r.md", MARKDOWN + "\n" + ITEM_0002 + "\n", "SMP-0002 appears twice", None),
    "rev 0": ("r.md", md("*(required, rev 1)*", "*(required, rev 0)*"), "rev 0 is not 1 to", None),
    "a 5,000-digit rev": (
        "r.md",
        md("*(required, rev 1)*", f"*(required, rev {'9' * 5000})*"),
        "is not 1 to",
        None,
    ),
    "a rev in Arabic-Indic digits": (
        "r.md",
        md("*(required, rev 1)*", "*(required, rev \u0661)*"),
        "the meta is not '*(severity, rev N)*'",
        None,
    ),
    "a rev with two spaces": (
        "r.md",
        md("*(required, rev 1)*", "*(required, rev  1)*"),
        "the meta is not",
        None,
    ),
    "an Evidence line that says nothing": (
        "r.md",
        md("  - State: open\n  - Note:", "  - State: open\n  - Evidence:\n  - Note:"),
        "an Evidence line says nothing",
        None,
    ),
    "an unclosed HTML comment": (
        "r.md",
        md("\n## 1. Basics", "\n<!-- never closed\n## 1. Basics"),
        "is not closed",
        None,
    ),
    "front matter: a list for system": (
        "r.md",
        md('system: "payments"', "system: [a, b]"),
        "system must be text",
        5,
    ),
    "front matter: a number YAML reads as another": (
        "r.md",
        md('system: "payments"', "system: 0x1F"),
        "system must be text",
        5,
    ),
    "front matter: a key twice": (
        "r.md",
        md('mesh: ""', 'mesh: ""\nmesh: istio'),
        "duplicate key 'mesh'",
        None,
    ),
    "front matter: an unknown key": (
        "r.md",
        md('mesh: ""', 'mesh: ""\ncolour: red'),
        "unknown front-matter field",
        None,
    ),
    "front matter: date yesterday": (
        "r.md",
        md('date: "2026-11-25"', "date: yesterday"),
        "$.date",
        8,
    ),
    "front matter: an empty reviewer": (
        "r.md",
        md('reviewers: ["alice"]', 'reviewers: [""]'),
        "$.reviewers[0]",
        None,
    ),
    "front matter: a list for the checklist": (
        "r.md",
        md("checklist: sample", "checklist: [sample]"),
        "checklist must be text",
        3,
    ),
    "front matter: an escaped NUL": (
        "r.md",
        md('system: "payments"', 'system: "pay\\0ments"'),
        "NUL character",
        5,
    ),
    "front matter never closed": (
        "r.md",
        MARKDOWN.replace("---\n\n# ", "\n\n# ", 1),
        "not closed",
        None,
    ),
    "a NUL byte in a note": (
        "r.md",
        md("  - Note: first line", "  - Note: first\x00line"),
        "binary data",
        None,
    ),
    "JSON: a key twice": (
        "r.json",
        JSON.replace('"mesh": "",', '"mesh": "",\n  "mesh": "istio",'),
        "key 'mesh' is given twice",
        7,
    ),
    "JSON: an array where a string belongs": (
        "r.json",
        js(set_in("system", ["payments"])),
        "$.system",
        None,
    ),
    "JSON: rev 0": ("r.json", js(set_in("rev", 0, 0)), "$.answers[0].rev", None),
    "JSON: a rev beyond the maximum": (
        "r.json",
        js(set_in("rev", 10**7, 0)),
        "$.answers[0].rev",
        None,
    ),
    "JSON: a 5,000-digit rev": (
        "r.json",
        JSON.replace('"rev": 2', '"rev": ' + "9" * 5000, 1),
        "a number has more than 4,300 digits",
        15,
    ),
    "JSON: rev true": ("r.json", js(set_in("rev", True, 0)), "$.answers[0].rev", None),
    "JSON: a NUL in a note": ("r.json", js(set_in("note", "a\x00b", 0)), "NUL character", None),
    "JSON: a lone surrogate in a note": (
        "r.json",
        JSON.replace('"note": "first line', '"note": "\\ud800first line', 1),
        "lone surrogate",
        None,
    ),
    "JSON: an unknown field": ("r.json", js(set_in("colour", "red")), "colour", None),
    "JSON: a missing field": ("r.json", js(lambda data: data.pop("reviewers")), "reviewers", None),
    "JSON: blank evidence": (
        "r.json",
        js(set_in("evidence", [{"source": "person", "text": " "}], 1)),
        "Evidence that says nothing",
        None,
    ),
    "YAML: a key twice": (
        "r.yaml",
        "format: meshkb/report/v1\nformat: meshkb/report/v1\n",
        "duplicate key",
        2,
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_report_is_one_located_error_and_nothing_is_written(
    name: str, tmp_path: Path
) -> None:
    file_name, text, message, line = HOSTILE[name]
    report = tmp_path / file_name
    report.write_bytes(text.encode("utf-8", "surrogatepass"))
    before = report.read_bytes()
    output = tmp_path / "carried.md"
    for argv in (
        ("report", "check", str(report), "--gate"),
        ("checklist", "sample", "--from", str(report), "-o", str(output)),
    ):
        result = run_cli(*TEAM, *argv)
        assert result.code == 2, (argv, result)
        assert "Traceback" not in result.err
        lines = result.err.splitlines()
        assert len(lines) == 1, result.err
        assert lines[0].startswith(f"meshkb: error: {report}"), lines[0]
        assert message in lines[0], lines[0]
        located = re.match(rf"meshkb: error: {re.escape(str(report))}:(\d+)(?::\d+)?: ", lines[0])
        assert located or "nested" in lines[0], f"no line number: {lines[0]}"
        if line is not None and located:
            assert int(located.group(1)) == line, lines[0]
        assert result.out == ""
        assert not output.exists()
        assert report.read_bytes() == before


def run_cli_text(text: str, *extra: str) -> Run:
    """`report check -` with `text` on stdin."""
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(text.encode()))
    try:
        return run_cli(*TEAM, "report", "check", "-", *extra)
    finally:
        sys.stdin = stdin


def test_the_valid_originals_are_read() -> None:
    """The table's texts differ from these only by the hostile edit."""
    for text in (MARKDOWN, JSON):
        result = run_cli_text(text)
        assert result.code == 0, result.err
        assert "Missing from the report" not in result.out


def test_a_title_saying_rev_2_is_not_the_answers_rev() -> None:
    text = MARKDOWN.replace(
        "**SMP-0001** Write a bypass runbook *(blocker, rev 2)*",
        "**SMP-0001** Write a bypass runbook (was rev 2) *(blocker, rev 1)*",
    )
    assert parse_markdown(text, "r.md", {"sample": SAMPLE}).answer_by_id()["SMP-0001"].rev == 1
    # A meta-like text in the title, or words after the meta, do not change it either.
    for title in (
        "Write *(blocker, rev 2)* it *(blocker, rev 1)*",
        "Write it *(blocker, rev 1)* ok",
    ):
        edited = MARKDOWN.replace("Write a bypass runbook *(blocker, rev 2)*", title)
        assert (
            parse_markdown(edited, "r.md", {"sample": SAMPLE}).answer_by_id()["SMP-0001"].rev == 1
        )
    # A stale answer (rev 1, the item is rev 2) counts as open: the gate fails.
    result = run_cli_text(text, "--gate")
    assert result.code == 1
    assert "SMP-0001" in result.out.split("Re-verify")[1]


def test_a_report_cut_at_an_item_boundary_names_what_is_missing_and_fails_the_gate() -> None:
    cut = MARKDOWN[: MARKDOWN.index("- [x] **SMP-0004**")]
    result = run_cli_text(cut, "--gate")
    assert result.code == 1
    out = result.out
    assert "Missing from the report (they count as open; the gate fails):" in out
    assert "SMP-0004  Signal one" in out and "SMP-0005  Signal two" in out
    assert "2 item(s) missing from the report" in out
    as_json = run_cli_text(cut, "--format", "json")
    data = json.loads(as_json.out)
    assert data["missing"] == ["SMP-0004", "SMP-0005"] and data["gate"] is False


def test_evidence_and_a_probe_mark_survive_unchanged() -> None:
    report = replace(
        filled_report(),
        answers=(Answer("SMP-0001", 2, "pass", evidence=(AnswerEvidence("seen", "probe"),)),),
    )
    text = render_markdown(SAMPLE, report)
    assert render_markdown(SAMPLE, parse_markdown(text, "r.md", {"sample": SAMPLE})) == text
