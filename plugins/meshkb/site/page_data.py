"""The data a checklist page's script reads: the checklist, embedded as JSON."""

from __future__ import annotations

import json
from typing import Any

from meshkb.core.model import (
    FILL_IN_HELP,
    Checklist,
    Item,
)


def checklist_data(checklist: Checklist) -> dict[str, Any]:
    """What the page's script needs to score, export and import (see meshkb.js)."""
    return {
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
