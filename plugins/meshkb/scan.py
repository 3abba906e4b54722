"""`meshkb scan`: run checklist probes over manifests and render the findings.

Pure functions: `run_scan` takes what `manifests.read_manifests` read and the probes, and
returns results and problems; the renderers return strings. Only the CLI prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import yaml

from .errors import EXIT_OK, EXIT_USAGE, MeshkbError, Problem
from .manifests import STDIN_NAME, ManifestSet, Resource, gc_paused
from .probe import (
    Evidence,
    Probe,
    ProbeState,
    build_inventory,
    evaluate_probe,
    parse_probe,
)

SCAN_FORMAT = "meshkb/scan/v1"
"""Format tag of the JSON output."""
PROPOSED_PROBES_PATH = Path(__file__).parent / "data" / "proposed-probes.yaml"
"""Probes proposed for the checklists, runnable before they are attached to items."""
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
"""The `$schema` SARIF 2.1.0 files name."""
_SARIF_LEVELS = {"blocker": "error", "required": "error", "recommended": "warning"}
_SARIF_KINDS = {"pass": "pass", "fail": "fail", "unknown": "review"}


@dataclass(frozen=True, slots=True)
class ScanItem:
    """A checklist item with a probe."""

    item_id: str
    """Item ID, e.g. `TRP-0008` (or a proposal key)."""
    title: str
    """Item title."""
    probe: Probe
    """The parsed probe."""
    severity: str | None = None
    """blocker, required, recommended or optional; sets the SARIF level of a failure."""


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What a probe found for one item."""

    item_id: str
    """Item ID."""
    title: str
    """Item title."""
    state: ProbeState
    """pass, fail or unknown."""
    summary: str
    """The probe's summary with the counts behind the answer."""
    evidence: tuple[Evidence, ...]
    """Resources behind the answer, each with file, document and line."""
    severity: str | None = None
    """The item's severity, when known."""


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """Results of one scan and what got in the way."""

    results: tuple[ItemResult, ...]
    """One result per item, in the order given."""
    problems: tuple[Problem, ...]
    """Input that could not be read; printed one per line on stderr."""
    notices: tuple[Problem, ...]
    """Things worth saying that are not errors (kinds not checked)."""
    resources_read: int
    """How many resources the probes saw."""


def to_scan_items(
    items: Iterable[ScanItem | tuple[str, str, Probe | Mapping[str, Any]]],
) -> tuple[ScanItem, ...]:
    """Accept `ScanItem`s or `(item_id, title, probe)` tuples, probes parsed or not."""
    scan_items = []
    for item in items:
        if isinstance(item, ScanItem):
            scan_items.append(item)
            continue
        item_id, title, probe = item
        if not isinstance(probe, Probe):
            probe = parse_probe(probe, at=f"{item_id}.probe")
        scan_items.append(ScanItem(item_id, title, probe))
    return tuple(scan_items)


def evaluate_items(
    items: Iterable[ScanItem | tuple[str, str, Probe | Mapping[str, Any]]],
    resources: Sequence[Resource],
) -> tuple[ItemResult, ...]:
    """Run each item's probe over the resources."""
    scan_items = to_scan_items(items)
    results = []
    # Evaluating makes many small objects that all stay alive until the output is written.
    with gc_paused():
        inventory = build_inventory(resources)
        for item in scan_items:
            found = evaluate_probe(item.probe, inventory)
            results.append(
                ItemResult(
                    item.item_id,
                    item.title,
                    found.state,
                    found.summary,
                    found.evidence,
                    item.severity,
                )
            )
    return tuple(results)


def run_scan(
    manifests: ManifestSet,
    items: Iterable[ScanItem | tuple[str, str, Probe | Mapping[str, Any]]],
) -> ScanOutcome:
    """Run the probes over everything read; problems pass through untouched."""
    return ScanOutcome(
        results=evaluate_items(items, manifests.resources),
        problems=manifests.problems,
        notices=manifests.notices,
        resources_read=len(manifests.resources),
    )


def scan_exit_code(outcome: ScanOutcome) -> int:
    """2 when nothing could be read at all (only problems); otherwise 0.

    A failed probe is a finding for a person to confirm, not an error; a CLI gate option
    may turn failures into exit code 1.
    """
    if outcome.resources_read == 0 and outcome.problems:
        return EXIT_USAGE
    return EXIT_OK


def parse_probe_proposals(text: str, file: str = "proposed-probes.yaml") -> tuple[ScanItem, ...]:
    """Read a proposals file (key -> {checklist, item_id, item, probe}) into scan items.

    The key becomes the result ID, since several proposals may suggest one item.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MeshkbError(Problem(file, f"is not valid YAML: {error}")) from None
    if not isinstance(data, dict):
        raise MeshkbError(Problem(file, "is not a mapping of key -> proposal"))
    items = []
    for key, proposal in data.items():
        if not isinstance(proposal, dict) or "probe" not in proposal:
            raise MeshkbError(Problem(file, "has no probe", path=f"$.{key}"))
        probe = parse_probe(proposal["probe"], file=file, at=f"$.{key}.probe")
        items.append(ScanItem(str(key), str(proposal.get("item", key)), probe))
    return tuple(items)


def load_probe_proposals() -> tuple[ScanItem, ...]:
    """The proposals shipped with meshkb."""
    text = PROPOSED_PROBES_PATH.read_text(encoding="utf-8")
    return parse_probe_proposals(text, PROPOSED_PROBES_PATH.name)


def render_scan_text(results: Sequence[ItemResult]) -> str:
    """One line per item (ID, state, summary), its evidence indented beneath."""
    lines = []
    for result in results:
        lines.append(f"{result.item_id}  {result.state:<7}  {result.summary}")
        lines.extend(f"    {evidence}" for evidence in result.evidence)
    return "\n".join(lines) + "\n" if lines else ""


def _evidence_json(evidence: Evidence) -> dict[str, Any]:
    origin = evidence.origin
    return {
        "resource": evidence.resource,
        "file": origin.file,
        "document": origin.document,
        "item": origin.item,
        "line": origin.line,
        "notes": list(evidence.notes),
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "message": problem.message}


def render_scan_json(
    results: Sequence[ItemResult],
    problems: Sequence[Problem] = (),
    notices: Sequence[Problem] = (),
) -> str:
    """JSON with a fixed key order, indent 2 and a trailing newline."""
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
                "evidence": [_evidence_json(evidence) for evidence in result.evidence],
            }
            for result in results
        ],
        "problems": [_problem_json(problem) for problem in problems],
        "notices": [_problem_json(notice) for notice in notices],
    }
    return dumps_indented(document) + "\n"


_encode_string: Callable[[str], str] = json.encoder.encode_basestring  # json.dumps' own


def dumps_indented(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, byte for byte, about 3x faster.

    With an indent, json.dumps runs its pure-Python encoder (generators all the way
    down); this writes the same text straight into a list. Anything but str-keyed dicts,
    lists, str, int, bool and None goes to json.dumps itself.
    """
    parts: list[str] = []
    try:
        _emit(value, "\n", parts)
    except _NotPlain:
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(parts)


class _NotPlain(Exception):
    """A value `_emit` leaves to json.dumps."""


def _emit(value: Any, newline: str, parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(_encode_string(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            parts.append(separator + _encode_string(key) + ": ")
            _emit(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "}")
    elif kind is list:
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        if all(type(item) is str for item in value):
            parts.append(
                "[" + inner + ("," + inner).join(map(_encode_string, value)) + newline + "]"
            )
            return
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _emit(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        raise _NotPlain


def _artifact_uri(file: str) -> str:
    path = PurePath(file)
    if path.is_absolute():
        return Path(file).as_uri()
    return quote(path.as_posix())


def _sarif_location(evidence: Evidence) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if evidence.origin.file != STDIN_NAME:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": _artifact_uri(evidence.origin.file)},
            "region": {"startLine": evidence.origin.line},
        }
    location["logicalLocations"] = [{"fullyQualifiedName": evidence.resource, "kind": "resource"}]
    if evidence.notes:
        location["message"] = {"text": "; ".join(evidence.notes)}
    return location


def _sarif_result(result: ItemResult, rule_index: int) -> dict[str, Any]:
    kind = _SARIF_KINDS[result.state]
    sarif: dict[str, Any] = {
        "ruleId": result.item_id,
        "ruleIndex": rule_index,
        "kind": kind,
        # SARIF: a result whose kind is not "fail" must have level "none".
        "level": _SARIF_LEVELS.get(result.severity or "", "warning") if kind == "fail" else "none",
        "message": {"text": f"{result.state}: {result.summary}"},
    }
    if result.evidence:
        sarif["locations"] = [_sarif_location(evidence) for evidence in result.evidence]
    return sarif


def render_scan_sarif(
    results: Sequence[ItemResult],
    *,
    site_url: str | None = None,
    problems: Sequence[Problem] = (),
    tool_version: str | None = None,
) -> str:
    """SARIF 2.1.0: one rule per item (helpUri `{site_url}go/{ID}/`), one result per item."""
    rules = []
    for result in results:
        rule: dict[str, Any] = {
            "id": result.item_id,
            "name": result.item_id,
            "shortDescription": {"text": result.title},
        }
        if site_url:
            base = site_url if site_url.endswith("/") else site_url + "/"
            rule["helpUri"] = f"{base}go/{result.item_id}/"
        rules.append(rule)
    driver: dict[str, Any] = {"name": "meshkb", "rules": rules}
    if tool_version:
        driver["version"] = tool_version
    if site_url:
        driver["informationUri"] = site_url
    notifications = [
        {
            "level": "error",
            "message": {"text": problem.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _artifact_uri(problem.file)},
                        **({"region": {"startLine": problem.line}} if problem.line else {}),
                    }
                }
            ],
        }
        for problem in problems
    ]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": [_sarif_result(result, index) for index, result in enumerate(results)],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return dumps_indented(document) + "\n"
