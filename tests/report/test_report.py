"""Report round trips and hand edits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from meshkb.core.errors import MeshkbError
from meshkb.core.load import load_checklist
from meshkb.core.model import Answer, AnswerEvidence, Report
from meshkb.core.score import score
from meshkb.report.build import new_report
from meshkb.report.data import parse_report, render_json, render_yaml
from meshkb.report.markdown import render_markdown
from meshkb.report.markdown_read import parse_markdown

from ..conftest import CASES
from .strategies import note_text, reports

SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")
KNOWN = {"sample": SAMPLE}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(reports())
def test_markdown_export_parse_export_gives_the_same_bytes(report: Report) -> None:
    first = render_markdown(SAMPLE, report)
    second = render_markdown(SAMPLE, parse_markdown(first, "r.md", KNOWN))
    assert second == first


def documented_note(note: str) -> str:
    """The note as the Markdown form holds it (docs/reference/report-format.md#notes):
    line ends become \\n, spaces at line ends and blank lines around go, and the first
    line starts at its first character. Every other character is kept."""
    lines = [line.rstrip() for line in note.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if lines:
        lines[0] = lines[0].lstrip()
    return "\n".join(lines)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(note_text, st.sampled_from(["SMP-0001", "SMP-0002"]))
@example("a\n\n\nafter a run\n---\n- [ ] task\n<!-- c -->\n\ttab", "SMP-0001")
@example("\t- State: fail\n  - State: pass\n- [x] **SMP-0002** x *(required, rev 9)*", "SMP-0002")
def test_markdown_keeps_every_line_of_any_note(note: str, item_id: str) -> None:
    report = replace(new_report(SAMPLE), answers=(Answer(item_id, 1, "fail", note=note),))
    text = render_markdown(SAMPLE, report)
    parsed = parse_markdown(text, "r.md", KNOWN).answer_by_id()
    assert parsed[item_id].note == documented_note(note)
    assert parsed[item_id].state == "fail" and parsed[item_id].rev == 1
    others = [a for a in parsed.values() if a.id != item_id]
    assert all(a.state == "open" and not a.note for a in others)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(reports())
def test_json_and_yaml_keep_the_report_exactly_and_markdown_converts_back(report: Report) -> None:
    for renderer, name in ((render_json, "r.json"), (render_yaml, "r.yaml")):
        parsed = parse_report(renderer(SAMPLE, report), name, KNOWN)
        given_answers = report.answer_by_id()
        for answer in parsed.answers:
            if answer.id in given_answers:
                assert answer == given_answers[answer.id]
        assert (parsed.system, parsed.reviewers) == (report.system, report.reviewers)
    # Markdown -> JSON -> Markdown: the same bytes.
    markdown = render_markdown(SAMPLE, report)
    as_json = render_json(SAMPLE, parse_report(markdown, "r.md", KNOWN))
    assert render_markdown(SAMPLE, parse_report(as_json, "r.json", KNOWN)) == markdown


@settings(max_examples=100, deadline=None)
@given(reports())
@example(Report("sample", "2.1.0", answers=(Answer("SMP-0001", 1, note="\x85"),)))
@example(Report("sample", "2.1.0", answers=(Answer("SMP-0001", 1, note="a\u2028b\u2029 \x85"),)))
def test_json_and_yaml_round_trip(report: Report) -> None:
    for renderer, name in ((render_json, "r.json"), (render_yaml, "r.yaml")):
        first = renderer(SAMPLE, report)
        assert renderer(SAMPLE, parse_report(first, name, KNOWN)) == first


def filled() -> str:
    report = new_report(SAMPLE, system="payments", date="2026-11-25")
    answered = [
        Answer(
            "SMP-0001", 2, "pass", note="Rehearsed on **2026-11-02**.\n\n- step one\n- step two"
        ),
        Answer("SMP-0004", 1, "waived", reason="Accepted for Q1", owner="platform-team"),
        Answer("SMP-0005", 1, "na", reason="No such signal here"),
    ]
    return render_markdown(SAMPLE, replace(report, answers=tuple(answered)))


def test_hand_edits_are_tolerated() -> None:
    original = filled()
    parsed = parse_markdown(original, "r.md", KNOWN)
    # Reorder the two sections' items, add blank lines, use CRLF and an uppercase [X].
    blocks = original.split("\n## ")
    edited = (
        "\n## ".join([blocks[0], blocks[2], blocks[1]])
        .replace("\n- [", "\n\n\n- [")
        .replace("[x]", "[X]")
        .replace("\n", "\r\n")
    )
    assert parse_markdown(edited, "r.md", KNOWN).answer_by_id() == parsed.answer_by_id()
    assert render_markdown(SAMPLE, parse_markdown(edited, "r.md", KNOWN)) == original


def test_ticking_a_box_passes_the_item_and_notes_keep_their_markdown() -> None:
    text = filled().replace("- [ ] **SMP-0002**", "- [x] **SMP-0002**")
    text = text.replace(
        "**SMP-0002** Istio only *(required, rev 1)*\n  > An Istio-specific check.\n  - State: open\n  - Note:",
        "**SMP-0002** Istio only *(required, rev 1)*\n  > An Istio-specific check.\n  - State: open\n  - Note: Checked with `istioctl analyze`:\n\n        code block\n    - a list\n  continued at two spaces",
    )
    answer = parse_markdown(text, "r.md", KNOWN).answer_by_id()["SMP-0002"]
    assert answer.state == "pass"
    assert (
        answer.note
        == "Checked with `istioctl analyze`:\n\n    code block\n- a list\ncontinued at two spaces"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  - State: na\n  - Reason: No such signal here",
            "  - State: na\n  - Reason:",
            "SMP-0005 is n/a but has no Reason",
        ),
        (
            "  - Owner: platform-team",
            "  - Owner:",
            "SMP-0004 is waived but has no Owner",
        ),
        (
            "  - Reason: Accepted for Q1",
            "  - Reason:",
            "SMP-0004 is waived but has no Reason",
        ),
        (
            "- [x] **SMP-0001**",
            "- [ ] **SMP-0001**",
            "SMP-0001: State says pass but the box is not ticked",
        ),
        ("  - State: pass", "  - State: maybe", "unknown state 'maybe'"),
        ("  - State: pass", "  - Stat: pass", "SMP-0001: unknown field 'Stat'"),
    ],
)
def test_inconsistent_hand_edits_are_located_errors(old: str, new: str, message: str) -> None:
    original = filled()
    assert old in original
    edited = original.replace(old, new, 1)
    with pytest.raises(MeshkbError) as caught:
        parse_markdown(edited, "r.md", KNOWN)
    assert message in str(caught.value)
    assert str(caught.value).startswith("r.md:")


def test_older_report_flags_changed_items_for_reverify_and_keeps_retired_answers(
    tmp_path: Path,
) -> None:
    old = replace(
        new_report(SAMPLE, date="2026-01-01"),
        checklist_version="1.0.0",
        answers=(
            Answer("SMP-0001", 1, "pass", note="old"),
            Answer("SMP-0003", 1, "fail", note="kept"),
        ),
    )
    text = render_markdown(SAMPLE, old)
    assert "  > Re-verify: answered for rev 1; the item is now rev 2." in text
    assert "## Retired items" in text and "**SMP-0003**" in text and "replaced by SMP-0004" in text
    parsed = parse_markdown(text, "r.md", KNOWN)
    result = score(SAMPLE, parsed)
    assert result.reverify == ("SMP-0001",)
    assert result.states["SMP-0001"] == "open"
    assert parsed.answer_by_id()["SMP-0003"].note == "kept"
    carried = new_report(SAMPLE, carry=parsed)
    assert (
        render_markdown(SAMPLE, replace(carried, date="2026-01-01", checklist_version="1.0.0"))
        == text
    )


def test_probe_prefilled_state_counts_as_open_until_confirmed() -> None:
    report = replace(
        new_report(SAMPLE),
        answers=(
            Answer(
                "SMP-0001",
                2,
                "pass",
                evidence=(AnswerEvidence("Deployment a/b: label set", "probe"),),
                prefilled=True,
            ),
        ),
    )
    text = render_markdown(SAMPLE, report)
    assert (
        "  - State: pass (probe: confirm)\n  - Evidence (probe): Deployment a/b: label set" in text
    )
    # Not a ticked box while it counts as open; the form with a ticked box reads the same.
    assert "- [ ] **SMP-0001**" in text
    assert score(SAMPLE, parse_markdown(text, "r.md", KNOWN)).gate is False
    old_form = text.replace("- [ ] **SMP-0001**", "- [x] **SMP-0001**")
    assert parse_markdown(old_form, "r.md", KNOWN) == parse_markdown(text, "r.md", KNOWN)
    # A person confirms: the mark goes and the box is ticked.
    confirmed = old_form.replace("State: pass (probe: confirm)", "State: pass")
    assert score(SAMPLE, parse_markdown(confirmed, "r.md", KNOWN)).gate is True
    with pytest.raises(MeshkbError, match="State says pass but the box is not ticked"):
        parse_markdown(text.replace("State: pass (probe: confirm)", "State: pass"), "r.md", KNOWN)
