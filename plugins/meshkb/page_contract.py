"""The constants and patterns the checklist page's JavaScript shares with the Python core.

`render.checklist_data` embeds `page_contract()` in every checklist's page data, and
`assets/meshkb-core.js` reads each of these from there instead of spelling it again, so
the two sides cannot drift: a state, a field name or a pattern changes here (in the
modules this takes them from) and the page follows.

Patterns are Python `re` sources. The page compiles them with JavaScript's `s` flag and
applies them to single lines, where `.` then means the same on both sides.
"""

from __future__ import annotations

from typing import Any

from . import validate
from .model import DATAPLANES, DONE_STATES, FILL_IN_HELP, MESHES, REPORT_FORMAT, SEVERITIES, STATES
from .render import STATE_LABELS

# report.py keeps these private; they are the Markdown format's rules, which the page
# must follow too. Imported as they are until they get public names.
from .report import (
    _FIELD_RE,
    _FRONT_KEYS,
    _ITEM_RE,
    _KNOWN_FIELDS,
    _PROBE_MARK,
    _REV_RE,
    _STATE_ALIASES,
    _YAML_UNSAFE,
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
        "state_aliases": dict(_STATE_ALIASES),
        "severities": list(SEVERITIES),
        "meshes": list(MESHES),
        "dataplanes": list(DATAPLANES),
        "evidence_sources": list(answer["evidence"]["items"]["properties"]["source"]["enum"]),
        "probe_mark": _PROBE_MARK,
        "fill_in_help": FILL_IN_HELP,
        "front_matter_keys": list(_FRONT_KEYS),
        # Markdown field names by their lower-case key, as the parser matches them and
        # as messages spell them ("Note is given twice").
        "fields": {key: key.capitalize() for key in sorted(_KNOWN_FIELDS)},
        "patterns": {
            # What a report (JSON, front matter, saved answers) must match: the schema's.
            "item_id": answer["id"]["pattern"],
            "checklist_version": report["checklist_version"]["pattern"],
            "date": report["date"]["pattern"],
            # The Markdown report's lines.
            "item_line": _ITEM_RE.pattern,
            "field_line": _FIELD_RE.pattern,
            "rev": _REV_RE.pattern,
            # Characters escaped in front-matter strings.
            "yaml_unsafe": _YAML_UNSAFE.pattern,
        },
    }
