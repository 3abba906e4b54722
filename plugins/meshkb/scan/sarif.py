"""Scan results as SARIF 2.1.0, for code-scanning tools (GitHub code scanning first).

One rule per item, with the item's check, advice and stable link; one result per item
that failed or needs review (passes only when asked). A result points at up to
`MAX_LOCATIONS` resources, the first one primary; a result with nothing to point at is
placed on the first file read, or left out when it only says "nothing selected".
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from meshkb.core.errors import Problem
from meshkb.scan.probe_model import Failure, ScanEvidence
from meshkb.scan.resources import STDIN_NAME, Origin
from meshkb.scan.results import ItemResult, ScanItem

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
"""The `$schema` SARIF 2.1.0 files name."""
MAX_LOCATIONS = 10
"""Most locations of one result: GitHub code scanning reads at most 10, and shows the first."""
LEVELS: Mapping[Failure, str] = {"breaks": "error", "finding": "warning", "signal": "note"}
"""SARIF level of a failure, by what the failure means."""
_KINDS = {"pass": "pass", "fail": "fail", "unknown": "review"}
DEFAULT_STATES = frozenset({"fail", "unknown"})
"""The results written unless asked otherwise: failures and those that need review."""


def _artifact_uri(file: str) -> str:
    path = PurePath(file)
    if path.is_absolute():
        return Path(file).as_uri()
    return quote(path.as_posix())


def _physical(origin: Origin) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": _artifact_uri(origin.file)},
        "region": {"startLine": max(origin.line, 1)},
    }


def _location(evidence: ScanEvidence, index: int) -> dict[str, Any]:
    location: dict[str, Any] = {"id": index}
    if evidence.origin.file != STDIN_NAME:
        location["physicalLocation"] = _physical(evidence.origin)
    location["logicalLocations"] = [{"fullyQualifiedName": evidence.resource, "kind": "resource"}]
    if evidence.notes:
        location["message"] = {"text": "; ".join(evidence.notes)}
    return location


def _message(result: ItemResult) -> str:
    text = f"{result.state}: {result.summary}"
    shown = len(result.evidence)
    if shown > MAX_LOCATIONS:
        text += f" (the first {MAX_LOCATIONS} of {shown} resources are located)"
    return text


def _result(result: ItemResult, rule_index: int, fallback: Origin | None) -> dict[str, Any] | None:
    kind = _KINDS[result.state]
    sarif: dict[str, Any] = {
        "ruleId": result.item_id,
        "ruleIndex": rule_index,
        "kind": kind,
        # SARIF: a result whose kind is not "fail" must have level "none".
        "level": LEVELS[result.failure] if kind == "fail" else "none",
        "message": {"text": _message(result)},
    }
    evidence = result.evidence[:MAX_LOCATIONS]
    if evidence:
        sarif["locations"] = [_location(found, index) for index, found in enumerate(evidence)]
    elif result.state == "fail" and fallback is not None:
        # A count that found too few has no resource to blame: the manifests as a whole.
        sarif["locations"] = [{"id": 0, "physicalLocation": _physical(fallback)}]
    else:
        return None  # "nothing selected": nothing in the code to look at
    return sarif


def _help_uri(site_url: str | None, item_id: str) -> str | None:
    if not site_url or not site_url.startswith(("https://", "http://")):
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return f"{base}go/{item_id}/"


def _rule(result: ItemResult, item: ScanItem | None, site_url: str | None) -> dict[str, Any]:
    item_id, title, failure = result.item_id, result.title, result.failure
    check = item.check.strip() if item is not None and item.check else title
    how = item.how.strip() if item is not None else ""
    url = _help_uri(site_url, item_id)
    text = "\n\n".join(part for part in (check, how, url and f"More: {url}") if part)
    markdown = "\n\n".join(
        part
        for part in (f"**{title}**", check, how, url and f"[{item_id} in meshkb]({url})")
        if part
    )
    rule: dict[str, Any] = {
        "id": item_id,
        "name": item_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": check},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[failure]},
    }
    if url:
        rule["helpUri"] = url
    tags = ["meshkb", "kubernetes"]
    if item is not None:
        tags += [tag for tag in (item.checklist, item.severity) if tag]
    rule["properties"] = {"tags": tags, "meshkb/failure": failure}
    return rule


def render_scan_sarif(
    results: Sequence[ItemResult],
    *,
    items: Sequence[ScanItem] = (),
    site_url: str | None = None,
    problems: Sequence[Problem] = (),
    tool_version: str | None = None,
    states: Collection[str] = DEFAULT_STATES,
    files: Sequence[str] = (),
) -> str:
    """SARIF 2.1.0: a rule per item (helpUri `{site_url}go/{ID}/`), a result per item shown.

    `items` give the rules their check and advice; `states` which results are written
    (pass, fail, unknown); `files` the files read, the first of which holds a failure
    that has no resource to point at.
    """
    by_id = {item.item_id: item for item in items}
    rules = [_rule(result, by_id.get(result.item_id), site_url) for result in results]
    driver: dict[str, Any] = {"name": "meshkb", "rules": rules}
    if tool_version:
        driver["version"] = tool_version
    if _help_uri(site_url, "x"):
        driver["informationUri"] = site_url
    fallback = _fallback(results, files)
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
    written = [
        _result(result, index, fallback)
        for index, result in enumerate(results)
        if result.state in states
    ]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": [result for result in written if result is not None],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    # Compact: json.dumps' C encoder; with an indent it runs in Python, ~4x slower on a
    # large scan (0.6 s of 10,000 resources' 2 s budget). `jq .` pretty-prints it.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _fallback(results: Sequence[ItemResult], files: Sequence[str]) -> Origin | None:
    """Where a failure with no resource is placed: the first file read (not stdin)."""
    for file in files:
        if file != STDIN_NAME:
            return Origin(file, 1, 1)
    for result in results:
        for evidence in result.evidence:
            if evidence.origin.file != STDIN_NAME:
                return Origin(evidence.origin.file, 1, 1)
    return None
