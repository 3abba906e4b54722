"""JUnit for CI test history: stable test names, and valid against a strict JUnit schema."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from meshkb.core.load import load_checklist
from meshkb.core.model import AnswerEvidence, Checklist, Report, Section
from meshkb.report.build import new_report
from meshkb.report.junit import render_junit

from ..conftest import CASES, CHECKLISTS, run_cli

SCHEMA = xmlschema.XMLSchema(Path(__file__).parents[1] / "schemas" / "JUnit.xsd")
"""The Apache Ant JUnit schema (windyroad/JUnit-Schema; see tests/schemas/SOURCES.md)."""
MIGRATION = load_checklist(CHECKLISTS / "migration.yaml")
SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")


def filled(checklist: Checklist, **fields: str) -> Report:
    """Every state once, a prefilled answer, and notes with what XML cannot carry raw."""
    report = new_report(checklist, system="pay\x1bments", date="2026-12-01", **fields)
    answers = list(report.answers)
    states = [
        {"state": "pass", "note": "ok <b>&amp;</b>\x07"},
        {"state": "fail", "note": "broken\nsee OPS-1", "reason": ""},
        {"state": "na", "reason": "no \x00 such thing"},
        {"state": "waived", "owner": "ana", "reason": "risk ]]> accepted"},
        {
            "state": "pass",
            "prefilled": True,
            "evidence": (AnswerEvidence("Deployment a/b: ok", "probe"),),
        },
    ]
    for index, change in zip(range(len(answers)), states, strict=False):
        answers[index] = replace(answers[index], **change)  # type: ignore[arg-type]
    return replace(report, answers=tuple(answers))


@pytest.mark.parametrize("checklist", [MIGRATION, SAMPLE], ids=lambda c: c.id)
def test_every_state_validates_against_the_strict_junit_schema(checklist: Checklist) -> None:
    xml = render_junit(checklist, filled(checklist))
    errors = list(SCHEMA.iter_errors(xml))
    assert not errors, errors[0]


def test_an_empty_report_and_a_passing_one_validate_too() -> None:
    empty = new_report(SAMPLE)
    passing = replace(empty, answers=tuple(replace(a, state="pass") for a in empty.answers))
    for report in (empty, passing):
        SCHEMA.validate(render_junit(SAMPLE, report))


def test_the_schema_is_strict_enough_to_refuse_the_old_form() -> None:
    """Before: no timestamp, hostname or time, and the waiver as a test case's output."""
    old = (
        '<testsuites name="x"><testsuite name="s" tests="1" failures="0" errors="0">'
        "<properties/><testcase classname='a.b' name='SMP-0001 1.1 Title [blocker]'/>"
        "</testsuite></testsuites>"
    )
    assert not SCHEMA.is_valid(old)


def cases(xml: str) -> list[ET.Element]:
    return ET.fromstring(xml).findall("testsuite/testcase")


def properties(xml: str) -> dict[str, str]:
    root = ET.fromstring(xml)
    return {p.get("name", ""): p.get("value", "") for p in root.iter("property")}


def test_test_cases_are_named_by_item_id_with_checklist_and_section_as_class() -> None:
    xml = render_junit(MIGRATION, filled(MIGRATION))
    names = [(c.get("classname"), c.get("name")) for c in cases(xml)]
    expected = [
        (f"migration.{section.id}", item.id)
        for section in MIGRATION.sections
        for item in section.items
        if not item.retired
    ]
    assert names == expected
    props = properties(xml)
    first = MIGRATION.active_items()[0]
    assert props[f"{first.id}.title"] == first.title
    assert props[f"{first.id}.severity"] == first.severity
    assert props[f"{first.id}.number"] == "1.1"
    assert all(c.get("time") == "0" for c in cases(xml))


def test_rewording_and_reordering_items_keeps_every_test_name() -> None:
    """CI history follows a test by classname and name: neither may change."""
    before = render_junit(SAMPLE, filled(SAMPLE))
    reworded = replace(
        SAMPLE,
        sections=tuple(
            Section(
                s.id,
                s.title + " (renamed)",
                s.intro,
                tuple(replace(i, title="Reworded: " + i.title) for i in reversed(s.items)),
            )
            for s in SAMPLE.sections
        ),
    )
    after = render_junit(reworded, filled(SAMPLE))

    def keys(xml: str) -> set[tuple[str | None, str | None]]:
        return {(c.get("classname"), c.get("name")) for c in cases(xml)}

    assert keys(before) == keys(after)
    assert properties(after)["SMP-0001.title"].startswith("Reworded: ")


def test_outcome_of_each_answer() -> None:
    xml = render_junit(SAMPLE, filled(SAMPLE))
    by_name = {c.get("name"): c for c in cases(xml)}
    ids = [item.id for item in SAMPLE.active_items()]
    passed, failed = by_name[ids[0]], by_name[ids[1]]
    assert list(passed) == []
    failure = failed.find("failure")
    assert failure is not None and failure.get("type") == "fail"
    assert failure.text == "broken\nsee OPS-1"
    suite = ET.fromstring(xml).find("testsuite")
    assert suite is not None
    out = suite.findtext("system-out") or ""
    waived = SAMPLE.active_items()[3].id
    assert f"{waived} waived by ana: risk ]]> accepted" in out
    # What XML 1.0 cannot carry is made visible, not dropped and not written raw.
    assert suite.get("name") == "sample: pay\\u001bments"
    assert "no \\u0000 such thing" in xml


def test_timestamp_and_hostname(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764581400")
    suite = ET.fromstring(render_junit(SAMPLE, new_report(SAMPLE))).find("testsuite")
    assert suite is not None
    assert suite.get("timestamp") == "2025-12-01T09:30:00"
    assert suite.get("hostname") == (os.uname().nodename or "localhost")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    suite = ET.fromstring(render_junit(SAMPLE, new_report(SAMPLE))).find("testsuite")
    assert suite is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp", ""))


def test_report_check_writes_the_same_junit_as_the_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764581400")
    report = tmp_path / "review.md"
    made = run_cli("checklist", "migration", "--mesh", "linkerd", "-o", str(report))
    assert made.code == 0, made.err
    checked = run_cli("report", "check", str(report), "--format", "junit")
    exported = run_cli("checklist", "migration", "--from", str(report), "-f", "junit")
    assert checked.code == 0 and exported.code == 0, checked.err + exported.err
    assert checked.out == exported.out
    SCHEMA.validate(checked.out)
    suite = ET.fromstring(checked.out).find("testsuite")
    assert suite is not None and int(suite.get("failures", "0")) > 0
