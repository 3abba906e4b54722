"""The schemas are valid draft 2020-12, and our validator agrees with jsonschema."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meshkb.core import validate
from meshkb.core.errors import MeshkbError
from meshkb.core.load import load_checklist
from meshkb.core.yaml_policy import load_yaml_text
from meshkb.report.build import new_report
from meshkb.report.data import report_to_data

from ..conftest import CASES, CHECKLISTS


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


# The runtime validator (jsonschema-rs, with our messages) must agree with jsonschema on
# every document. Mutating real checklists and reports reaches the oneOf branches,
# tombstones, conditions and probes that hand-written cases miss.
def _report(checklist_path: Path) -> dict[str, Any]:
    checklist = load_checklist(checklist_path)
    report = new_report(checklist, system="shop", date="2026-11-25", reviewers=["ana"])
    answers = list(report.answers)
    answers[0] = replace(answers[0], state="waived", owner="ana", reason="risk accepted")
    answers[-1] = replace(answers[-1], state="fail", note="see ticket")
    return report_to_data(replace(report, answers=tuple(answers)))


DOCUMENTS = [("checklist", _data(path)) for path in sorted(CHECKLISTS.glob("*.yaml"))]
DOCUMENTS += [("checklist", _data(CASES / "valid" / "sample.yaml"))]
DOCUMENTS += [("report", _report(path)) for path in sorted(CHECKLISTS.glob("*.yaml"))]
REPLACEMENTS: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2.5,
    "",
    "x",
    "open",
    "linkerd",
    "ABC-0001",
    "1.0.0",
    "2026-11-25",
    "docs/a.md",
    "https://example.org/x",
    [],
    ["x"],
    ["x", "x"],
    {},
    {"id": "x"},
    {"all": []},
    {"not": {"path": "x"}},
]


def _spots(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside `data` (the root is `()`)."""
    spots = [path]
    children = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in children:
        spots.extend(_spots(value, (*path, key)))
    return spots


def _mutated(data: Any, where: int, how: int, what: int) -> Any:
    data = copy.deepcopy(data)
    spots = _spots(data)
    path = spots[where % len(spots)]
    if not path:
        return REPLACEMENTS[what % len(REPLACEMENTS)]
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if how == 0:
        parent[key] = copy.deepcopy(REPLACEMENTS[what % len(REPLACEMENTS)])
    elif how == 1:
        del parent[key]
    elif how == 2 and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
    elif how == 2:
        parent[KEYS[what % len(KEYS)]] = copy.deepcopy(parent[key])
    else:
        parent[key] = type(parent[key])()  # [], {}, "", 0 or False
    return data


KEYS = ["id", "rev", "state", "reason", "replaced_by", "owner", "probe", "when", "extra"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, len(DOCUMENTS) - 1),
    st.lists(
        st.tuples(st.integers(0, 100_000), st.integers(0, 3), st.integers(0, 1000)), max_size=3
    ),
)
def test_the_validator_agrees_with_jsonschema_and_always_explains(
    document: int, mutations: list[tuple[int, int, int]]
) -> None:
    name, data = DOCUMENTS[document]
    for where, how, what in mutations:
        data = _mutated(data, where, how, what)
    valid = validate.is_valid(data, name)
    explained = validate.errors(data, name)
    theirs = [e.message for e in jsonschema.Draft202012Validator(shipped(name)).iter_errors(data)]
    assert valid == (explained == []), explained
    assert valid == (theirs == []), theirs
    assert all(path.startswith("$") and message for path, message in explained)


def test_every_shipped_document_is_valid_and_the_check_can_say_no() -> None:
    for name, data in DOCUMENTS:
        assert validate.is_valid(data, name)
        assert not validate.is_valid({**data, "extra": 1}, name)


# Keywords the shipped documents rarely or never violate under mutation (two oneOf
# branches matching at once, say), each tried on a small schema of its own.
KEYWORD_CASES: list[tuple[dict[str, Any], list[Any]]] = [
    ({"oneOf": [{"type": "string"}, {"minLength": 2}]}, ["x", "xy", 3, [], None]),
    ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, [1, None, True, 1.5, "1"]),
    ({"not": {"required": ["a"]}}, [{}, {"a": 1}, [], "a"]),
    ({"type": ["string", "integer"]}, ["x", 1, True, 1.5, None]),
    ({"type": "number", "minimum": 1}, [1, 0, 2.5, True, "0"]),
    ({"type": "integer", "minimum": 0}, [0, -1, False, 1.5]),
    ({"const": "a"}, ["a", "b", 0]),
    ({"enum": ["a", "b"]}, ["a", "c", None]),
    (
        {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-z]+$"},
        ["ab", "", "abcd", "A", 1, True],
    ),
    (
        {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"}},
        [["a"], [], ["a", "a"], ["a", 1], "a", {}],
    ),
    (
        {
            "type": "object",
            "properties": {"a": {"type": "integer"}},
            "required": ["a"],
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
        },
        [{"a": 1}, {}, {"a": "x"}, {"a": 1, "b": 2}, [], "a"],
    ),
    (
        {"additionalProperties": {"type": "string"}, "propertyNames": {"pattern": "^[a-z]+$"}},
        [{"a": "x"}, {"a": 1}, {"A": "x"}, {}, 3],
    ),
    (
        {"minProperties": 2, "maxProperties": 3},
        [{"a": 1}, {"a": 1, "b": 2}, {"a": 1, "b": 2, "c": 3, "d": 4}, "ab"],
    ),
    (
        {
            "$defs": {
                "n": {
                    "oneOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#/$defs/n"}}]
                }
            },
            "$ref": "#/$defs/n",
        },
        ["a", ["a", ["b"]], [["a", 1]], 1],
    ),
]


@pytest.mark.parametrize(("schema", "values"), KEYWORD_CASES)
def test_the_runtime_validator_agrees_with_jsonschema_keyword_by_keyword(
    schema: dict[str, Any], values: list[Any]
) -> None:
    check = jsonschema_rs.validator_for(schema)
    reference = jsonschema.Draft202012Validator(schema)
    for value in values:
        assert check.is_valid(value) == reference.is_valid(value), value


def test_a_whole_float_rev_reads_as_an_integer() -> None:
    # Draft 2020-12 counts 1.0 as an integer; the model keeps it as the int 1, so a rev
    # never prints as "1.0". A fraction is refused.
    data = _data(CHECKLISTS / "migration.yaml")
    data["sections"][0]["items"][0]["rev"] = 1.0
    assert validate.errors(data, "checklist") == []
    data["sections"][0]["items"][0]["rev"] = 1.5
    assert validate.errors(data, "checklist") == [
        ("$.sections[0].items[0].rev", "expected an integer, got a number")
    ]
