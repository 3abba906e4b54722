"""The shared scoring vectors hold for the Python core (the page is tested on the same file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from meshkb.core.load import load_checklist
from meshkb.core.model import Answer, Checklist, Report
from meshkb.core.score import score

from ..conftest import ROOT

VECTORS: list[dict[str, Any]] = yaml.safe_load(
    (ROOT / "tests" / "vectors" / "scoring.yaml").read_text(encoding="utf-8")
)


def report_for(checklist: Checklist, answers: dict[str, Any]) -> Report:
    items = checklist.item_by_id()
    built = []
    for item_id, raw in answers.items():
        spec = {"state": raw} if isinstance(raw, str) else dict(raw)
        built.append(
            Answer(
                item_id,
                spec.get("rev", items[item_id].rev),
                spec["state"],
                reason=spec.get("reason", ""),
                owner=spec.get("owner", ""),
                prefilled=spec.get("prefilled", False),
            )
        )
    return Report(checklist.id, checklist.version, answers=tuple(built))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    checklist = load_checklist(ROOT / Path(vector["checklist"]))
    result = score(checklist, report_for(checklist, vector["answers"]))
    expect = vector["expect"]
    assert {p.severity: [p.done, p.total] for p in result.progress} == expect["progress"]
    assert result.gate is expect["gate"]
    assert {o.id: o.result for o in result.outcomes} == expect["outcomes"]
    assert list(result.reverify) == expect.get("reverify", [])
    assert list(result.unconfirmed) == expect.get("unconfirmed", [])
