"""The page's pure JavaScript (assets/meshkb-core.js and meshkb-report.js) under Node's test runner.

Python writes what the Node tests need to one JSON file: the page data of the real and
test checklists (contract included), the shared scoring vectors, and reports with
Python's Markdown and JSON for them. `node --test tests/js/*.test.js` then holds the
script to those bytes. Without Node this fails in CI and skips elsewhere.

`python -m tests.site.test_js FILE` writes the JSON alone, for running the Node tests by hand:
`MESHKB_JS_FIXTURE=FILE node --test tests/js/`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from meshkb.core.errors import MeshkbError
from meshkb.core.load import checklist_files, load_all, load_checklist
from meshkb.core.model import STATES, Answer, AnswerEvidence, Checklist, Report
from meshkb.report.build import new_report
from meshkb.report.data import render_json, report_to_data
from meshkb.report.markdown import render_markdown
from meshkb.report.markdown_read import parse_markdown
from meshkb.site.generate import ASSET_DIR, generated_files
from meshkb.site.page_data import checklist_data

from ..conftest import CASES, CHECKLISTS, ROOT
from ..core.test_vectors import VECTORS, report_for

JS_TESTS = ROOT / "tests" / "js"

HOSTILE_NOTES = (
    "first\n\n\n\nafter a run of blank lines\n\n\n",
    "---\nformat: meshkb/report/v1\n---",
    "- [x] **ABC-0001** not an item *(blocker, rev 1)*\n  - State: pass",
    "  - State: pass\n  - Note: a second note",
    "<!-- an HTML comment --> and <b>markup</b> & more",
    "\ttabs\tinside\t\n\t\tand leading",
    "CRLF\r\nline\rand CR",
    "trailing spaces   \n    indented four\n        indented eight\n",
    "# a heading\n> a quote\n```\ncode\n```",
    "\u2028line separator\u2029 and \x85 NEL, \xa0 and \u3000",
    "(probe: confirm) in a note",
    "\n\n   leading blank lines\n   then indented",
)


def _checklists() -> dict[str, Checklist]:
    found = {c.id: c for c in load_all(checklist_files(CHECKLISTS))}
    for path in (CASES / "valid" / "sample.yaml", CASES / "hostile" / "hostile.yaml"):
        checklist = load_checklist(path)
        found[checklist.id] = checklist
    return found


def _answered(checklist: Checklist, mesh: str) -> Report:
    """A report with every state, hostile text, evidence, a probe mark, an old rev and,
    where the checklist has them, answers to retired items."""
    report = new_report(
        checklist,
        system="payments — “prod”\t\u2028",
        mesh=mesh,
        dataplane="sidecar",
        date="2026-11-30",
        reviewers=("alice", "bob \x7f"),
    )
    mine: dict[str, Answer] = {}
    for index, item in enumerate(checklist.active_items()):
        state = STATES[index % len(STATES)]
        note = HOSTILE_NOTES[index % len(HOSTILE_NOTES)]
        mine[item.id] = Answer(
            item.id,
            item.rev + (1 if index % 7 == 3 else 0),
            state,
            note=note,
            reason=f"because\n\n{note}" if state in ("na", "waived") else "",
            owner="team\tplatform" if state == "waived" else "",
            evidence=(AnswerEvidence("Deployment/web:\n spec", "probe"),) if index % 4 == 1 else (),
            prefilled=index % 5 == 1,
        )
    for item in checklist.all_items():
        if item.retired:
            mine[item.id] = Answer(item.id, item.rev, "fail", note="kept\n\n---")
    answers = [mine.pop(a.id, a) for a in report.answers]
    return replace(report, answers=(*answers, *mine.values()))


def _export_cases(checklists: dict[str, Checklist]) -> list[dict[str, Any]]:
    cases = []
    for checklist in checklists.values():
        reports = {
            "blank": new_report(checklist),
            "answered": _answered(checklist, "istio"),
            "answered on linkerd": _answered(checklist, "linkerd"),
        }
        for name, report in reports.items():
            markdown = render_markdown(checklist, report)
            try:
                again: str | None = render_markdown(
                    checklist, parse_markdown(markdown, "r.md", {checklist.id: checklist})
                )
            except MeshkbError:
                again = None
            cases.append(
                {
                    "name": f"{checklist.id}, {name}",
                    "checklist": checklist.id,
                    "report": report_to_data(report),
                    "markdown": markdown,
                    "json": render_json(checklist, report),
                    "reparsed": again,
                }
            )
    return cases


def _edited_cases(checklists: dict[str, Checklist]) -> list[dict[str, Any]]:
    """Hand-edited Markdown: what Python reads from it, or the line of its first problem."""
    migration = checklists["migration"]
    text = render_markdown(migration, new_report(migration, system="checkout", date="2026-11-30"))
    ids = [item.id for item in migration.active_items()]

    def edit(old: str, new: str, after: str) -> str:
        start = text.rfind("\n", 0, text.index(f"**{after}**")) + 1
        at = text.index(old, start)
        return text[:at] + new + text[at + len(old) :]

    tick = edit(f"- [ ] **{ids[0]}**", f"- [X] **{ids[0]}**", ids[0]).replace("\n", "\r\n")
    sources = {
        "ticked, CRLF": (tick, "r.md"),
        "aliases and continued note": (
            edit(
                "  - State: open\n  - Note:",
                "  - State: FAILED\n  - Note: starts after the app;\n        see the **trap** page.\n\n    second paragraph",
                ids[1],
            ),
            "r.md",
        ),
        "n/a without a reason": (
            edit("  - State: open", "  - State: n/a", ids[2]).replace(
                f"- [ ] **{ids[2]}**", f"- [x] **{ids[2]}**"
            ),
            "r.md",
        ),
        "unknown state": (edit("  - State: open", "  - State: maybe", ids[2]), "bad.md"),
        "ticked but failed": (
            edit(f"- [ ] **{ids[3]}**", f"- [x] **{ids[3]}**", ids[3]).replace(
                "  - State: open", "  - State: fail", 4
            ),
            "r.md",
        ),
        "a field twice": (edit("  - Note:", "  - Note: one\n  - Note: two", ids[0]), "r.md"),
        "unknown field": (edit("  - Note:", "  - Colour: blue\n  - Note:", ids[0]), "r.md"),
        "no front matter": ("# nothing here\n", "r.md"),
    }
    cases = []
    for name, (source, file) in sources.items():
        case: dict[str, Any] = {
            "name": name,
            "checklist": "migration",
            "file": file,
            "text": source,
        }
        try:
            parsed = parse_markdown(source, file, {migration.id: migration})
            case["markdown"] = render_markdown(migration, parsed)
        except MeshkbError as exc:
            case["error_line"] = exc.problems[0].line
        cases.append(case)
    return cases


def fixture_data() -> dict[str, Any]:
    """Everything the Node tests compare the script with, as plain JSON data."""
    checklists = _checklists()
    vectors = []
    for vector in VECTORS:
        checklist = load_checklist(ROOT / Path(vector["checklist"]))
        vectors.append(
            {
                "name": vector["name"],
                "checklist": checklist.id,
                "answers": report_to_data(report_for(checklist, vector["answers"]))["answers"],
                "expect": vector["expect"],
            }
        )
        checklists.setdefault(checklist.id, checklist)
    return {
        "checklists": {cid: checklist_data(c) for cid, c in checklists.items()},
        "vectors": vectors,
        "exports": _export_cases(checklists),
        "edited": _edited_cases(checklists),
        # Python's whitespace (str.isspace), which strip, split and the report use.
        "python_whitespace": [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()],
    }


def write_fixture(path: Path) -> Path:
    path.write_text(json.dumps(fixture_data(), ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("form", ["source", "served"])
def test_node_tests_pass(tmp_path: Path, form: str) -> None:
    """The Node tests pass on the readable sources and on the minified copies a site serves."""
    node = shutil.which("node")
    if node is None:
        message = "node is not installed: the page's JavaScript tests (tests/js) cannot run"
        if os.environ.get("CI"):
            pytest.fail(message + " (.ci/run installs Debian's nodejs)")
        pytest.skip(message)
    files = sorted(JS_TESTS.glob("*.test.js"))
    assert files, f"no *.test.js in {JS_TESTS}"
    fixture = write_fixture(tmp_path / "fixture.json")
    env = {**os.environ, "MESHKB_JS_FIXTURE": str(fixture)}
    if form == "served":
        served = tmp_path / "served"
        served.mkdir()
        for path, text in generated_files([]).items():
            if path.startswith(ASSET_DIR + "/"):
                (served / path.rsplit("/", 1)[1]).write_text(text, encoding="utf-8")
        source = (ROOT / "plugins" / "meshkb" / "assets" / "meshkb-report.js").stat().st_size
        assert (served / "meshkb-report.js").stat().st_size < source * 0.9, (
            "the served copy is not minified"
        )
        env["MESHKB_JS_ASSETS"] = str(served)
    # Files named, not the folder: Node 18 and 20 search a folder, Node 22 reads globs.
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", *map(str, files)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    passed = re.search(r"^# pass (\d+)$", result.stdout, re.M)
    failed = re.search(r"^# fail (\d+)$", result.stdout, re.M)
    assert result.returncode == 0, output
    assert passed and int(passed.group(1)) > 0, output
    assert failed and int(failed.group(1)) == 0, output


if __name__ == "__main__":
    print(write_fixture(Path(sys.argv[1])))
