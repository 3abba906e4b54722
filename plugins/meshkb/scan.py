"""`meshkb scan`: run checklist probes over manifests and render the findings.

Pure functions: `run_scan` takes what `manifests.read_manifests` read and the probes, and
returns results and problems; the renderers return strings. Only the CLI prints.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import yaml

from . import forked
from .errors import EXIT_OK, EXIT_USAGE, MeshkbError, Problem
from .jsonwrite import Raw, dumps_indented, encode_string, nested_text
from .manifests import STDIN_NAME, ManifestSet, Resource, gc_paused
from .probe import (
    AllOf,
    AnyOf,
    Condition,
    Evidence,
    Inventory,
    Not,
    Probe,
    ProbeState,
    Quantified,
    build_inventory,
    parse_probe,
)
from .probe_eval import evaluate_probe

SCAN_FORMAT = "meshkb/scan/v1"
"""Format tag of the JSON output."""
PROPOSED_PROBES_PATH = Path(__file__).parent / "data" / "proposed-probes.yaml"
"""Probes proposed for the checklists, runnable before they are attached to items."""
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
"""The `$schema` SARIF 2.1.0 files name."""
PARALLEL_EVAL_RESOURCES = 2000
"""Fewest resources for which two processes evaluate the probes (see `evaluate_rendered`)."""
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
class RenderedResult:
    """What a probe found for one item, already written as its part of one output format."""

    item_id: str
    """Item ID."""
    title: str
    """Item title."""
    state: ProbeState
    """pass, fail or unknown."""
    form: str
    """The output format the text is part of: text, json or sarif."""
    text: str
    """The item's part of the output (see `render_result`)."""


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
    # Evaluating makes many small objects that all stay alive until the output is written.
    with gc_paused():
        inventory = build_inventory(resources)
        return tuple(_item_result(item, inventory) for item in scan_items)


def _item_result(item: ScanItem, inventory: Inventory) -> ItemResult:
    found = evaluate_probe(item.probe, inventory)
    return ItemResult(
        item.item_id, item.title, found.state, found.summary, found.evidence, item.severity
    )


def evaluate_rendered(
    items: Iterable[ScanItem | tuple[str, str, Probe | Mapping[str, Any]]],
    resources: Sequence[Resource],
    form: str,
) -> tuple[RenderedResult, ...]:
    """Run each item's probe and write its part of the output in `form` right away.

    With many resources (see `forked`), a forked child evaluates and writes some of the
    items, the most costly first, while this process does the others; the output is the
    same either way.
    """
    scan_items = to_scan_items(items)
    with gc_paused():
        inventory = build_inventory(resources)

        def run(index: int) -> RenderedResult:
            return render_result(_item_result(scan_items[index], inventory), index, form)

        if len(scan_items) < 2 or not forked.wanted(len(resources), PARALLEL_EVAL_RESOURCES):
            return tuple(run(index) for index in range(len(scan_items)))
        costs = [_expected_cost(item.probe, inventory) for item in scan_items]
        order = sorted(range(len(scan_items)), key=lambda index: -costs[index])
        done = forked.share(len(order), lambda piece: run(order[piece]))
        results = dict(zip(order, done, strict=True))
        return tuple(results[index] for index in range(len(scan_items)))


def _expected_cost(probe: Probe, inventory: Inventory) -> int:
    """Roughly how long a probe takes: resources selected times conditions per resource."""
    if inventory.by_kind is None:
        selected = len(inventory.resources)
    else:
        selected = sum(len(inventory.by_kind.get(kind, ())) for kind in set(probe.select.kinds))
    size = _condition_size(probe.where) + _condition_size(probe.expect)
    # Notes are written only for the resources a result shows: few, when a count or a
    # `none` probe passes.
    shown = 1 if probe.count is not None or probe.pass_when == "none" else 3
    return 1 + selected * size * shown


def _condition_size(condition: Condition | None) -> int:
    if condition is None:
        return 0
    if isinstance(condition, (AllOf, AnyOf)):
        return 1 + sum(_condition_size(part) for part in condition.conditions)
    if isinstance(condition, Not):
        return 1 + _condition_size(condition.condition)
    if isinstance(condition, Quantified):
        return 1 + 2 * _condition_size(condition.check)
    return 1


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


def render_result(result: ItemResult, index: int, form: str) -> RenderedResult:
    """An item's part of the output in `form`; `index` is its place among the results."""
    if form == "json":
        text = _json_result(result)
    elif form == "sarif":
        text = _sarif_result(result, index)
    elif form == "text":
        text = _text_result(result)
    else:
        raise ValueError(f"no output format {form!r}")
    return RenderedResult(result.item_id, result.title, result.state, form, text)


def _parts(results: Sequence[ItemResult | RenderedResult], form: str) -> list[str]:
    """Each result's part of the output in `form`, written now unless it already was."""
    parts = []
    for index, result in enumerate(results):
        if isinstance(result, ItemResult):
            result = render_result(result, index, form)
        elif result.form != form:
            raise ValueError(f"{result.item_id} was written as {result.form}, not {form}")
        parts.append(result.text)
    return parts


def render_scan_text(results: Sequence[ItemResult | RenderedResult]) -> str:
    """One line per item (ID, state, summary), its evidence indented beneath."""
    parts = _parts(results, "text")
    return "\n".join(parts) + "\n" if parts else ""


def _text_result(result: ItemResult) -> str:
    lines = [f"{result.item_id}  {result.state:<7}  {result.summary}"]
    lines.extend(f"    {evidence}" for evidence in result.evidence)
    return "\n".join(lines)


_JSON_RESULT_NEWLINE = "\n    "
"""How each line of a result starts in the JSON output (an item of its `results`)."""


def _json_result(result: ItemResult) -> str:
    newline = _JSON_RESULT_NEWLINE
    value = {
        "id": result.item_id,
        "title": result.title,
        "state": result.state,
        "summary": result.summary,
        "evidence": Raw(_json_list(result.evidence, newline + "  ", _json_evidence)),
    }
    return nested_text(value, newline)


def _json_list(
    evidence: Sequence[Evidence], newline: str, write: Callable[[Evidence, str], str]
) -> str:
    """A JSON list of evidence, each written by `write`, whose lines start with `newline`."""
    if not evidence:
        return "[]"
    inner = newline + "  "
    return "[" + inner + ("," + inner).join(write(item, inner) for item in evidence) + newline + "]"


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


def _json_evidence(evidence: Evidence, newline: str) -> str:
    """`nested_text(_evidence_json(evidence), newline)`, written directly.

    A result can show thousands of resources: this is most of the JSON output.
    """
    origin = evidence.origin
    if not _plain(evidence):
        return nested_text(_evidence_json(evidence), newline)
    inner = newline + "  "
    item = "null" if origin.item is None else origin.item
    return (
        f'{{{inner}"resource": {encode_string(evidence.resource)},'
        f'{inner}"file": {encode_string(origin.file)},'
        f'{inner}"document": {origin.document},'
        f'{inner}"item": {item},'
        f'{inner}"line": {origin.line},'
        f'{inner}"notes": {_strings_list(evidence.notes, inner)}{newline}}}'
    )


def _plain(evidence: Evidence) -> bool:
    """Whether the evidence holds only the types the direct writers expect."""
    origin = evidence.origin
    return (
        type(evidence.resource) is str
        and type(origin.file) is str
        and type(origin.document) is int
        and type(origin.line) is int
        and (origin.item is None or type(origin.item) is int)
        and all(type(note) is str for note in evidence.notes)
    )


def _strings_list(strings: Sequence[str], newline: str) -> str:
    if not strings:
        return "[]"
    inner = newline + "  "
    return "[" + inner + ("," + inner).join(map(encode_string, strings)) + newline + "]"


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "message": problem.message}


def render_scan_json(
    results: Sequence[ItemResult | RenderedResult],
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
        "results": [Raw(part) for part in _parts(results, "json")],
        "problems": [_problem_json(problem) for problem in problems],
        "notices": [_problem_json(notice) for notice in notices],
    }
    return dumps_indented(document) + "\n"


@functools.lru_cache(maxsize=1024)
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


def _sarif_location_text(evidence: Evidence, newline: str) -> str:
    """`nested_text(_sarif_location(evidence), newline)`, written directly."""
    origin = evidence.origin
    if not _plain(evidence):
        return nested_text(_sarif_location(evidence), newline)
    i1 = newline + "  "
    i2 = i1 + "  "
    i3 = i2 + "  "
    text = "{"
    if origin.file != STDIN_NAME:
        uri = encode_string(_artifact_uri(origin.file))
        text += (
            f'{i1}"physicalLocation": {{{i2}"artifactLocation": {{{i3}"uri": {uri}{i2}}},'
            f'{i2}"region": {{{i3}"startLine": {origin.line}{i2}}}{i1}}},'
        )
    resource = encode_string(evidence.resource)
    text += (
        f'{i1}"logicalLocations": [{i2}{{{i3}"fullyQualifiedName": {resource},'
        f'{i3}"kind": "resource"{i2}}}{i1}]'
    )
    if evidence.notes:
        message = encode_string("; ".join(evidence.notes))
        text += f',{i1}"message": {{{i2}"text": {message}{i1}}}'
    return text + newline + "}"


_SARIF_RESULT_NEWLINE = "\n        "
"""How each line of a result starts in the SARIF output (an item of `runs[0].results`)."""


def _sarif_result(result: ItemResult, rule_index: int) -> str:
    newline = _SARIF_RESULT_NEWLINE
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
        locations = _json_list(result.evidence, newline + "  ", _sarif_location_text)
        sarif["locations"] = Raw(locations)
    return nested_text(sarif, newline)


def render_scan_sarif(
    results: Sequence[ItemResult | RenderedResult],
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
        "results": [Raw(part) for part in _parts(results, "sarif")],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return dumps_indented(document) + "\n"
