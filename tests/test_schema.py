"""The schemas are valid draft 2020-12, and our validator agrees with jsonschema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from meshkb import validate
from meshkb.errors import MeshkbError
from meshkb.yamlload import load_yaml_text

from .conftest import CASES, CHECKLISTS


def shipped(name: str) -> dict[str, Any]:
    text = resources.files("meshkb").joinpath(f"schema/{name}.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.mark.parametrize("name", ["checklist", "report"])
def test_schema_is_valid_against_the_meta_schema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(shipped(name))


def _described(node: Any, path: str = "$") -> list[str]:
    missing = []
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{path}.{key}")
        for key, sub in node.items():
            missing.extend(_described(sub, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            missing.extend(_described(sub, f"{path}[{i}]"))
    return missing


@pytest.mark.parametrize("name", ["checklist", "report"])
def test_schema_is_strict_and_described(name: str) -> None:
    schema = shipped(name)
    assert _described(schema) == []
    text = json.dumps(schema)
    assert '"additionalProperties": true' not in text


def _data(path: Path) -> Any:
    try:
        return load_yaml_text(path.read_text(encoding="utf-8"), str(path)).data
    except MeshkbError:
        return None


# Files our YAML loader refuses (tabs, aliases, tags, ...) are covered by test_load.
CASE_FILES = [
    path
    for path in sorted((CASES / "valid").glob("*.yaml"))
    + sorted((CASES / "invalid").glob("*.yaml"))
    + sorted(CHECKLISTS.glob("*.yaml"))
    if _data(path) is not None
]


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_our_validator_agrees_with_jsonschema(path: Path) -> None:
    data = _data(path)
    ours = validate.errors(data, "checklist")
    theirs = list(jsonschema.Draft202012Validator(shipped("checklist")).iter_errors(data))
    assert bool(ours) == bool(theirs), (ours, [e.message for e in theirs])
