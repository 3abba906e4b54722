"""The data a checklist page's script reads: the checklist and the contract, as JSON.

`page_contract()` holds the constants and patterns the page's JavaScript shares with
the Python core; `assets/meshkb-core.js` reads each of them from the page data instead of
spelling it again, so the two sides cannot drift. Patterns are Python `re` sources; the
page compiles them with JavaScript's `s` flag and applies them to single lines, where `.`
then means the same on both sides.
"""

from __future__ import annotations

import json
from typing import Any

from meshkb.core import validate
from meshkb.core.model import (
    DATAPLANES,
    DONE_STATES,
    FILL_IN_HELP,
    MESHES,
    REPORT_FORMAT,
    SEVERITIES,
    STATE_LABELS,
    STATES,
    Checklist,
    Item,
)
from meshkb.report.build import FORBIDDEN_TEXT, PROBE_MARK, SCOPE_MARK, STATE_ALIASES, YAML_UNSAFE
from meshkb.report.markdown import FRONT_KEYS

# The grammar the page script reads reports with: the same names markdown_read imports.
from meshkb.report.markdown_grammar import (
    FIELD_RE,
    FREE_TEXT,
    ITEM_RE,
    KNOWN_FIELDS,
    LIST_RE,
    MAX_REV,
    META_RE,
    REV_RE,
    TASK_RE,
    TOP_LEVEL_RE,
)


def checklist_data(checklist: Checklist) -> dict[str, Any]:
    """What the page's script needs to score, export and import (see meshkb-core.js)."""
    return {
        "contract": page_contract(),
        "id": checklist.id,
        "version": checklist.version,
        "title": checklist.title,
        "help": FILL_IN_HELP,
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "items": [_item_data(item) for item in section.items],
            }
            for section in checklist.sections
        ],
        "outcomes": [
            {
                "id": outcome.id,
                "title": outcome.title,
                "rules": [
                    {
                        "when": dict(rule.when),
                        "result": rule.result,
                        "label": rule.label,
                        "reason": rule.reason,
                    }
                    for rule in outcome.rules
                ],
                "otherwise": {
                    "result": outcome.otherwise.result,
                    "label": outcome.otherwise.label,
                    "reason": outcome.otherwise.reason,
                },
            }
            for outcome in checklist.outcomes
        ],
    }


def _item_data(item: Item) -> dict[str, Any]:
    if item.retired:
        return {
            "id": item.id,
            "rev": item.rev,
            "title": item.title,
            "status": "retired",
            "replaced_by": item.replaced_by or "",
            "reason": item.reason or "",
        }
    return {
        "id": item.id,
        "rev": item.rev,
        "title": item.title,
        "status": "active",
        "severity": item.severity,
        "check": item.check,
        "mesh": list(item.applies_when.mesh),
        "dataplane": list(item.applies_when.dataplane),
        "applies": item.applies_when.describe(),
    }


def script_json(data: Any) -> str:
    """JSON safe inside `<script>`: `<`, `>` and `&` escaped so no `</script>` can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\x7f", "\\u007f")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


PAGE_FORMAT = "meshkb/page/v1"
"""The format tag of what the page keeps in localStorage and puts in share links."""


def page_contract() -> dict[str, Any]:
    """Plain JSON data: everything the page's script must agree on with Python."""
    report = validate.schema("report")["properties"]
    answer = report["answers"]["items"]["properties"]
    return {
        "report_format": REPORT_FORMAT,
        "page_format": PAGE_FORMAT,
        "states": list(STATES),
        "done_states": [state for state in STATES if state in DONE_STATES],
        "state_labels": dict(STATE_LABELS),
        "state_aliases": dict(STATE_ALIASES),
        "severities": list(SEVERITIES),
        "meshes": list(MESHES),
        "dataplanes": list(DATAPLANES),
        "evidence_sources": list(answer["evidence"]["items"]["properties"]["source"]["enum"]),
        "probe_mark": PROBE_MARK,
        "scope_mark": SCOPE_MARK,
        "fill_in_help": FILL_IN_HELP,
        "front_matter_keys": list(FRONT_KEYS),
        # Markdown field names by their lower-case key, as the parser matches them and
        # as messages spell them ("Note is given twice").
        "fields": {key: key.capitalize() for key in sorted(KNOWN_FIELDS)},
        "free_text_fields": sorted(FREE_TEXT),
        # A report file holds these keys and no other (additionalProperties: false).
        "report_keys": list(report),
        "answer_keys": list(answer),
        "evidence_keys": list(answer["evidence"]["items"]["properties"]),
        "max_rev": MAX_REV,
        "patterns": {
            # What a report (JSON, front matter, saved answers) must match: the schema's.
            "item_id": answer["id"]["pattern"],
            "checklist_version": report["checklist_version"]["pattern"],
            "date": report["date"]["pattern"],
            # The Markdown report's lines.
            "item_line": ITEM_RE.pattern,
            "field_line": FIELD_RE.pattern,
            "rev": REV_RE.pattern,
            "meta": META_RE.pattern,
            "task_line": TASK_RE.pattern,
            "top_level_line": TOP_LEVEL_RE.pattern,
            "list_line": LIST_RE.pattern,
            # Front-matter values the page reads itself, in forms PyYAML reads the same
            # way (anything else it refuses): YAML 1.1 words that are not text to
            # PyYAML; plain text (letters first, so never a number), a date (kept as
            # text by yaml_policy) or a version; and single-quoted text.
            "yaml_words": "^(?:~|null|Null|NULL|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
            "yaml_plain": r"^(?:[\p{L}][\p{L}\p{N}_./@+-]*(?: [\p{L}\p{N}_./@+-]+)*|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]+\.[0-9]+\.[0-9]+)$",
            "yaml_single_quoted": "^'((?:[^']|'')*)'$",
            # What no text in a report may hold (NUL, lone surrogates).
            "forbidden_text": FORBIDDEN_TEXT.pattern,
            # Characters escaped in front-matter strings.
            "yaml_unsafe": YAML_UNSAFE.pattern,
        },
    }
