"""Scan results as text and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from meshkb.core.errors import Problem
from meshkb.core.terminal import visible
from meshkb.scan.probe_model import ScanEvidence
from meshkb.scan.results import ItemResult

SCAN_FORMAT = "meshkb/scan/v1"
"""Format tag of the JSON output."""


def render_scan_text(results: Sequence[ItemResult]) -> str:
    """One line per item (ID, state, summary), its evidence indented beneath.

    Resource names and values come from the manifests: each line is made visible, so an
    escape sequence or a newline in them cannot reach the terminal raw.
    """
    lines = []
    for result in results:
        lines.append(visible(f"{result.item_id}  {result.state:<7}  {result.summary}"))
        lines.extend(visible(f"    {evidence}") for evidence in result.evidence)
    return "\n".join(lines) + "\n" if lines else ""


def evidence_data(evidence: ScanEvidence) -> dict[str, Any]:
    """One resource behind a result, with where it came from."""
    origin = evidence.origin
    return {
        "resource": evidence.resource,
        "file": origin.file,
        "document": origin.document,
        "item": origin.item,
        "line": origin.line,
        "notes": list(evidence.notes),
    }


def problem_data(problem: Problem) -> dict[str, Any]:
    """A file that could not be read, or a notice, as data."""
    return {"file": problem.file, "line": problem.line, "message": problem.message}


def render_scan_json(
    results: Sequence[ItemResult],
    problems: Sequence[Problem] = (),
    notices: Sequence[Problem] = (),
) -> str:
    """JSON with a fixed key order, on one line with a trailing newline."""
    counts = {
        state: sum(r.state == state for r in results) for state in ("pass", "fail", "unknown")
    }
    document = {
        "format": SCAN_FORMAT,
        "counts": counts,
        "results": [
            {
                "id": result.item_id,
                "title": result.title,
                "state": result.state,
                "summary": result.summary,
                "evidence": [evidence_data(evidence) for evidence in result.evidence],
            }
            for result in results
        ],
        "problems": [problem_data(problem) for problem in problems],
        "notices": [problem_data(notice) for notice in notices],
    }
    # Compact: json.dumps' C encoder; with an indent it runs in Python, ~4x slower on a
    # large scan (0.6 s of 10,000 resources' 2 s budget). `jq .` pretty-prints it.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
