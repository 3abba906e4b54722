"""A review as JUnit XML, so a CI system shows it as test results."""

from __future__ import annotations

from meshkb.core.model import (
    Checklist,
    Report,
)
from meshkb.core.score import score
from meshkb.report.build import normalize, one_line


def render_junit(checklist: Checklist, report: Report) -> str:
    """One testcase per live item: fail and open blockers fail, open and n/a skip."""
    from xml.etree import ElementTree as ET

    report = normalize(checklist, report)
    result = score(checklist, report)
    by_id = report.answer_by_id()
    numbers = checklist.display_numbers()
    items = checklist.active_items()
    failures = sum(
        1 for item in items if result.states[item.id] == "fail" or item.id in result.blocking
    )
    skipped = sum(
        1
        for item in items
        if result.states[item.id] in ("open", "na") and item.id not in result.blocking
    )
    suites = ET.Element("testsuites", name=f"meshkb {checklist.id} {checklist.version}")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"{checklist.id}{': ' + report.system if report.system else ''}",
        tests=str(len(items)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    props = ET.SubElement(suite, "properties")
    for key in ("checklist_version", "system", "mesh", "dataplane", "date"):
        ET.SubElement(props, "property", name=key, value=str(getattr(report, key)))
    ET.SubElement(props, "property", name="gate", value="passed" if result.gate else "not passed")
    for outcome in result.outcomes:
        ET.SubElement(props, "property", name=f"outcome.{outcome.id}", value=outcome.result)
    for section in checklist.sections:
        for item in section.items:
            if item.retired:
                continue
            state = result.states[item.id]
            answer = by_id[item.id]
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"meshkb.{checklist.id}.{section.id}",
                name=f"{item.id} {numbers[item.id]} {one_line(item.title)} [{item.severity}]",
            )
            detail = "\n".join(part for part in (answer.note, answer.reason) if part)
            if state == "fail":
                ET.SubElement(case, "failure", message=f"{item.id} failed", type="fail").text = (
                    detail or None
                )
            elif item.id in result.blocking:
                ET.SubElement(
                    case, "failure", message=f"blocker {item.id} is not answered", type="open"
                ).text = detail or None
            elif state in ("open", "na"):
                ET.SubElement(
                    case,
                    "skipped",
                    message="n/a: " + answer.reason if state == "na" else "not answered yet",
                )
            elif state == "waived":
                ET.SubElement(
                    case, "system-out"
                ).text = f"waived by {answer.owner}: {answer.reason}"
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
