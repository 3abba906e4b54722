"""A review as JUnit XML, so a CI system shows it as test results and keeps their history.

Each test case is named by its item ID alone, the one name that never changes: rewording
an item or moving it gives the same test. The class name is `checklist.section`; the
titles, severities and display numbers are suite properties (`MIG-0003.title`), because
strict JUnit schemas allow no properties on a test case. The output is valid against the
strict Apache Ant JUnit schema (tests/schemas/JUnit.xsd): `time`, `timestamp` and
`hostname` are always given, and `system-out` and `system-err` are always present.
"""

from __future__ import annotations

import datetime
import os
import re

from meshkb.core.model import (
    Checklist,
    Report,
)
from meshkb.core.score import score
from meshkb.report.build import normalize, one_line

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry at all, even escaped."""


def xml_safe(text: str) -> str:
    """Text with the characters XML 1.0 cannot hold written as visible `\\uXXXX` escapes."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def run_timestamp() -> str:
    """Now in UTC as `YYYY-MM-DDTHH:MM:SS` (no zone, as the schema wants), or the moment
    `$SOURCE_DATE_EPOCH` names, for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch.isdigit()
        else datetime.datetime.now(datetime.UTC)
    )
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def run_hostname() -> str:
    """This machine's name; `localhost` when it has none (the schema's own advice)."""
    import socket  # only a JUnit report asks for it

    try:
        name = socket.gethostname().strip()
    except OSError:
        name = ""
    return name or "localhost"


def render_junit(
    checklist: Checklist,
    report: Report,
    *,
    timestamp: str | None = None,
    hostname: str | None = None,
) -> str:
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
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=xml_safe(
            f"{checklist.id}{': ' + one_line(report.system) if report.system.strip() else ''}"
        ),
        package=f"meshkb.{checklist.id}",
        id="0",
        tests=str(len(items)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time="0",
        timestamp=timestamp or run_timestamp(),
        hostname=hostname or run_hostname(),
    )
    props = ET.SubElement(suite, "properties")

    def prop(name: str, value: str) -> None:
        ET.SubElement(props, "property", name=name, value=xml_safe(value))

    prop("checklist", checklist.id)
    for key in ("checklist_version", "system", "mesh", "dataplane", "date"):
        prop(key, str(getattr(report, key)))
    prop("reviewers", ", ".join(report.reviewers))
    prop("gate", "passed" if result.gate else "not passed")
    for outcome in result.outcomes:
        prop(f"outcome.{outcome.id}", outcome.result)
    for item in items:
        prop(f"{item.id}.title", one_line(item.title))
        prop(f"{item.id}.severity", item.severity)
        prop(f"{item.id}.number", numbers[item.id])
    waivers = []
    for section in checklist.sections:
        for item in section.items:
            if item.retired:
                continue
            state = result.states[item.id]
            answer = by_id[item.id]
            case = ET.SubElement(
                suite, "testcase", name=item.id, classname=f"{checklist.id}.{section.id}", time="0"
            )
            what = xml_safe(f"{item.id} [{item.severity}] {one_line(item.title)}")
            detail = xml_safe("\n".join(part for part in (answer.note, answer.reason) if part))
            if state == "fail":
                ET.SubElement(case, "failure", message=f"{what}: failed", type="fail").text = (
                    detail or None
                )
            elif item.id in result.blocking:
                ET.SubElement(
                    case, "failure", message=f"{what}: blocker not answered", type="open"
                ).text = detail or None
            elif state in ("open", "na"):
                ET.SubElement(
                    case,
                    "skipped",
                    message=f"{what}: n/a: {xml_safe(one_line(answer.reason))}"
                    if state == "na"
                    else f"{what}: not answered yet",
                )
            elif state == "waived":
                waivers.append(
                    f"{item.id} waived by {one_line(answer.owner)}: {one_line(answer.reason)}"
                )
    ET.SubElement(suite, "system-out").text = xml_safe("\n".join(waivers)) or None
    ET.SubElement(suite, "system-err")
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
