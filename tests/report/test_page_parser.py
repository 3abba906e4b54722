"""The page's report reader (assets/meshkb-core.js under Node) against report.py.

One Node process reads hypothesis-generated reports, Markdown and JSON, and hand-edited
ones with a hostile line put in, taken out or re-indented: whatever Python reads, the
page reads the same way (the same answers, the same bytes out), and whatever Python
refuses, the page refuses at the same line. The one leeway: the page reads a smaller set
of front-matter forms, so it may refuse front matter Python reads; never the reverse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from meshkb.core.errors import MeshkbError
from meshkb.report.build import report_to_data
from meshkb.report.data import parse_report, render_json
from meshkb.report.markdown import render_markdown
from meshkb.site.page_data import checklist_data

from ..conftest import ROOT
from .strategies import HOSTILE_LINES, SAMPLE, reports

KNOWN = {SAMPLE.id: SAMPLE}
SERVER = ROOT / "tests" / "js" / "parse-server.js"

EDIT_LINES = (
    *HOSTILE_LINES,
    "  - State: fail",
    "  - State: n/a",
    "  - Reason: because",
    "  - Owner: team",
    "  - Evidence: seen",
    "  - Evidence (probe): seen",
    "  - Evidence:",
    "  - Colour: red",
    "  - Note: again",
    "    a note line",
    "  two-space follow-on",
    "  > a quote line",
    "   - three spaces",
    "- [x] **SMP-0002** Istio only *(required, rev 1)*",
    "- [x] **SMP-0009** Unknown *(required, rev 1)*",
    "- [X] **SMP-0005** Signal two *(optional, rev 0)*",
    "* [ ] **SMP-0004** Signal one *(recommended, rev 2)*",
    "- [ ] **S\u041cP-0004** look-alike",
    "- [y] **SMP-0004** odd box",
    "- [ ] **SMP-0004** Signal one *(recommended, rev \u0661)*",
    "- [ ] **SMP-0004** Signal *(recommended, rev 9)* one *(recommended, rev 1)* after",
    "## 3. A heading",
    "<!-- a comment -->",
    "plain prose",
    "system: [a, b]",
    "mesh: istio",
    "mesh: 'linkerd'",
    "date: 2026-11-30",
    "reviewers:",
    "- bob",
    "reviewers: alice, bob",
    "system: payments prod",
    "system: yes",
    "system: 0x1F",
    'system: "a\\u0000b"',
    "colour: red",
)


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    node = shutil.which("node")
    if node is None:
        message = "node is not installed: the page's report reader cannot be compared"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    process = subprocess.Popen(
        [node, str(SERVER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    first = [True]

    def ask(text: str, file: str) -> dict[str, Any]:
        assert process.stdin is not None and process.stdout is not None
        request: dict[str, Any] = {"text": text, "file": file}
        if first[0]:
            request["checklist"] = checklist_data(SAMPLE)
            first[0] = False
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        answer: dict[str, Any] = json.loads(process.stdout.readline())
        return answer

    yield ask
    assert process.stdin is not None
    process.stdin.close()
    process.wait(timeout=30)


def python_reads(text: str, file: str) -> dict[str, Any]:
    try:
        report = parse_report(text, file, KNOWN)
    except MeshkbError as exc:
        return {"error": str(exc), "line": exc.problems[0].line}
    data = report_to_data(report)
    del data["format"]
    return {
        "report": data,
        "markdown": render_markdown(SAMPLE, report),
        "json": render_json(SAMPLE, report),
    }


def error_line(message: str, file: str) -> int | None:
    head = message.split("\n")[0]
    parts = head[len(file) + 1 :].split(":") if head.startswith(file + ":") else []
    return int(parts[0]) if parts and parts[0].isdigit() else None


def compare(page: Any, text: str, file: str, front_edited: bool = False) -> None:
    python = python_reads(text, file)
    js = page(text, file)
    if "error" in js:
        if "error" not in python:
            assert front_edited, f"the page refuses what report check reads: {js['error']}"
            return
        # YAML places its own errors; in the body both name the same line.
        if not front_edited and python["line"] is not None and error_line(js["error"], file):
            assert error_line(js["error"], file) == python["line"], (python["error"], js["error"])
        return
    assert "error" not in python, f"the page reads what report check refuses: {python['error']}"
    assert js["report"] == python["report"]
    assert js["markdown"] == python["markdown"]
    assert js["json"] == python["json"]


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(reports())
def test_the_page_reads_every_export_as_python_does(page: Any, report: Any) -> None:
    compare(page, render_markdown(SAMPLE, report), "r.md")
    compare(page, render_json(SAMPLE, report), "r.json")


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, bool]:
    """An export with one to three hand edits; and whether one touched the front matter."""
    lines = render_markdown(SAMPLE, draw(reports())).split("\n")
    front_edited = False
    for _ in range(draw(st.integers(1, 3))):
        closing = lines.index("---", 1) if "---" in lines[1:] else len(lines)
        at = draw(st.integers(1, len(lines) - 1))
        front_edited = front_edited or at <= closing
        how = draw(st.sampled_from(["insert", "replace", "delete", "tab", "indent", "outdent"]))
        if how in ("insert", "replace"):
            lines[at : at + (how == "replace")] = [draw(st.sampled_from(EDIT_LINES))]
        elif how == "delete":
            del lines[at]
        elif how == "tab":
            lines[at] = "\t" + lines[at].lstrip(" ")
        elif how == "indent":
            lines[at] = "  " + lines[at]
        elif lines[at].startswith("  "):
            lines[at] = lines[at][2:]
    return "\n".join(lines), front_edited


@SETTINGS
@given(edited())
@example(
    (
        "---\nformat: meshkb/report/v1\nchecklist: sample\nchecklist_version: 2.1.0\n---\n- [x] **SMP-0002** Istio only *(required, rev 1)*\n\t- State: fail\n",
        False,
    )
)
def test_the_page_reads_hand_edits_as_python_does_or_refuses_them(
    page: Any, case: tuple[str, bool]
) -> None:
    text, front_edited = case
    compare(page, text, "r.md", front_edited)


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "meshkb/report/v1", "format": "meshkb/report/v1"}',
        '{"a": {"b": 1, "c": [{"b": 1}], "b": 2}}',
    ],
)
def test_the_page_refuses_duplicate_json_keys_at_their_line(page: Any, text: str) -> None:
    js = page(text, "r.json")
    assert "given twice" in js["error"]
    assert "given twice" in python_reads(text, "r.json")["error"]
