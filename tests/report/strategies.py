"""Hypothesis strategies for reports with hostile text, shared by the round-trip tests."""

from __future__ import annotations

from hypothesis import strategies as st
from meshkb.core.load import load_checklist
from meshkb.core.model import Answer, AnswerEvidence, Report

from ..conftest import CASES

SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")
LIVE = [item.id for item in SAMPLE.active_items()]

# Any text a report can hold: everything but NUL and lone surrogates (report.FORBIDDEN_TEXT).
anything = st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00")
HOSTILE_LINES = (
    "",
    "",
    "---",
    "...",
    "- [ ] a task",
    "- [x] **SMP-0002** looks like an item *(required, rev 9)*",
    "  - State: fail",
    "\t- State: fail",
    "    - Note: nested",
    "<!-- an HTML comment -->",
    "<!-- opens",
    "-->",
    "\ttab\tinside",
    "\t",
    "> a quote",
    "```",
    "# a heading",
    "| a | table |",
    "- **Gate:** passed",
    "rev 2",
    "(probe: confirm)",
    "trailing   ",
    "\r",
    "\u2028\u2029\x85\xa0\u3000",
    "\u200bzero width",
)
note_text = st.one_of(
    st.text(anything, max_size=60),
    st.lists(
        st.one_of(st.sampled_from(HOSTILE_LINES), st.text(anything, max_size=12)), max_size=10
    ).map("\n".join),
)
text = note_text
line = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=30,
).filter(str.strip)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    item_id = draw(st.sampled_from(LIVE))
    state = draw(st.sampled_from(["open", "pass", "fail", "na", "waived"]))
    reason = draw(line) if state in ("na", "waived") else draw(st.one_of(st.just(""), text))
    owner = draw(line) if state == "waived" else draw(st.one_of(st.just(""), line))
    evidence = tuple(
        AnswerEvidence(t, s)
        for t, s in draw(
            st.lists(st.tuples(line, st.sampled_from(["person", "probe"])), max_size=2)
        )
    )
    return Answer(
        item_id,
        draw(st.integers(1, 3)),
        state,
        draw(text),
        reason,
        owner,
        evidence,
        draw(st.booleans()),
    )


@st.composite
def reports(draw: st.DrawFn) -> Report:
    chosen = {a.id: a for a in draw(st.lists(answers(), max_size=6))}
    return Report(
        "sample",
        "2.1.0",
        draw(st.one_of(st.just(""), line)),
        draw(st.sampled_from(["", "istio", "linkerd", "cilium"])),
        draw(st.sampled_from(["", "sidecar", "ambient"])),
        "2026-11-25",
        tuple(draw(st.lists(line, max_size=3))),
        tuple(chosen.values()),
    )
