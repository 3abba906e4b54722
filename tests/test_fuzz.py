"""Any input gives a result or a MeshkbError, never another exception (no traceback)."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meshkb.core.errors import MeshkbError
from meshkb.core.load import load_checklist, load_checklist_text
from meshkb.report.build import new_report
from meshkb.report.data import parse_report
from meshkb.report.markdown import render_markdown

from .conftest import CASES, CHECKLISTS

SAMPLE_TEXT = (CASES / "valid" / "sample.yaml").read_text(encoding="utf-8")
MIGRATION_TEXT = (CHECKLISTS / "migration.yaml").read_text(encoding="utf-8")
SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")
FILLED = render_markdown(SAMPLE, new_report(SAMPLE, system="x", date="2026-11-25"))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
KEYS = [
    "id",
    "rev",
    "title",
    "check",
    "why",
    "how",
    "severity",
    "refs",
    "probe",
    "sections",
    "items",
    "outcomes",
    "when",
    "count",
    "state",
    "select",
    "expect",
    "path",
]


def mutate(text: str, cuts: list[tuple[int, int]], inserts: list[tuple[int, str]]) -> str:
    lines = text.split("\n")
    for start, length in cuts:
        if lines:
            del lines[start % len(lines) : start % len(lines) + length]
    for position, line in inserts:
        lines.insert(position % (len(lines) + 1), line)
    return "\n".join(lines)


def loads_or_refuses(text: str, name: str = "fuzz.yaml") -> None:
    try:
        load_checklist_text(text, name)
    except MeshkbError as exc:
        assert exc.problems
        assert all(str(problem).startswith(name) for problem in exc.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_a_checklist_or_a_located_error(text: str) -> None:
    loads_or_refuses(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_any_yaml_data_is_a_checklist_or_a_located_error(data: object) -> None:
    loads_or_refuses(yaml.safe_dump(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([SAMPLE_TEXT, MIGRATION_TEXT]),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 4)), max_size=3),
    st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.builds(
                lambda indent, key, value: " " * indent + f"{key}: {value}",
                st.integers(0, 12),
                st.sampled_from(KEYS),
                st.sampled_from(
                    [
                        "x",
                        "1",
                        "[]",
                        "{}",
                        "-1",
                        "[a, b]",
                        "{kind: X}",
                        "null",
                        "!!int",
                        "!!bool maybe",
                        "!!float x",
                        "!!int 0x",
                        "!!str",
                        "!!null x",
                    ]
                ),
            ),
        ),
        max_size=3,
    ),
)
def test_damaged_real_checklists_load_or_give_located_errors(
    text: str, cuts: list[tuple[int, int]], inserts: list[tuple[int, str]]
) -> None:
    loads_or_refuses(mutate(text, cuts, inserts))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 3)), max_size=3),
    st.lists(st.tuples(st.integers(0, 10_000), st.text(max_size=30)), max_size=3),
    st.sampled_from(["r.md", "r.json", "r.yaml", "r.txt"]),
)
def test_damaged_reports_parse_or_give_errors(
    cuts: list[tuple[int, int]], inserts: list[tuple[int, str]], name: str
) -> None:
    try:
        parse_report(mutate(FILLED, cuts, inserts), name, {"sample": SAMPLE})
    except MeshkbError as exc:
        assert all(str(problem).startswith(name) for problem in exc.problems)
