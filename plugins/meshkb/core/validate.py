"""Validate plain data against the shipped JSON Schemas, with messages a person can act on.

The schemas are the contract. Validation is done by jsonschema-rs, a maintained,
complete draft 2020-12 validator (chosen over jsonschema for the CLI: it imports in
about a fifth of the time and validates the shipped checklists several times faster;
`bench/` has the figures). jsonschema stays the oracle in the tests. This module only
turns its errors into `(json_path, message)` pairs in our words; a keyword we have no
words for keeps the library's own message, so nothing is ever dropped silently.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from meshkb.core.errors import key_suffix

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema"
"""Where the shipped schemas live (published with the package for editors)."""


@cache
def schema(name: str) -> dict[str, Any]:
    """The shipped schema `name`: `checklist`, `report`, or `probe` (part of `checklist`)."""
    if name == "probe":
        checklist = schema("checklist")
        return {
            "$schema": checklist["$schema"],
            "$defs": checklist["$defs"],
            "$ref": "#/$defs/probe",
        }
    text = (SCHEMA_DIR / f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(name: str) -> Any:
    # Imported here: a start that needs no schema check (see meshkb.core.validated)
    # does not pay the ~40 ms the extension and its imports cost.
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema(name))


def is_valid(data: Any, schema_name: str) -> bool:
    """Whether `data` satisfies the schema."""
    return bool(_validator(schema_name).is_valid(data))


def errors(data: Any, schema_name: str) -> list[tuple[str, str]]:
    """Every violation as `(json_path, message)`, in document order."""
    validator = _validator(schema_name)
    if validator.is_valid(data):
        return []
    root = schema(schema_name)
    found: list[tuple[str, str]] = []
    for error in validator.iter_errors(data):
        found.extend(_explain(error, root, data))
    return _document_order(found)


def json_path(parts: Any, base: str = "$") -> str:
    """`['sections', 0, 'id']` -> `$.sections[0].id` (keys as `errors.key_suffix` spells them)."""
    path = base
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else key_suffix(str(part))
    return path


def _document_order(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda entry: _path_key(entry[0]))


def _path_key(path: str) -> list[tuple[int, Any]]:
    # Sort by position in the document: array indexes numerically, keys as they come.
    key: list[tuple[int, Any]] = []
    for part in path.replace("[", ".[").split(".")[1:]:
        if part.startswith("[") and part[1:-1].isdigit():
            key.append((0, int(part[1:-1])))
        else:
            key.append((1, ""))
    return key


def _node_at(root: dict[str, Any], schema_path: list[Any]) -> dict[str, Any]:
    """The schema node holding the failed keyword (the path without its last part)."""
    node: Any = root
    for part in schema_path[:-1]:
        if isinstance(node, dict) and "$ref" in node and part not in node:
            node = _ref_target(root, node["$ref"])
        node = node[part]
        if isinstance(node, dict) and "$ref" in node and len(node) == 1:
            node = _ref_target(root, node["$ref"])
    return node if isinstance(node, dict) else {}


def _ref_target(root: dict[str, Any], ref: str) -> Any:
    target: Any = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def _value_at(data: Any, parts: list[Any]) -> Any:
    for part in parts:
        data = data[part]
    return data


def _explain(error: Any, root: dict[str, Any], data: Any) -> list[tuple[str, str]]:
    kind = error.kind
    parts = list(error.instance_path)
    path = json_path(parts)
    node = _node_at(root, list(error.schema_path))
    name = type(kind).__name__
    if name == "OneOfNotValid" or name == "AnyOf":
        return _best_branch(kind.context, root, data, path)
    if name == "OneOfMultipleValid":
        return [(path, "matches more than one allowed form")]
    if name == "Required":
        return [(path, f"missing required field {kind.property!r}")]
    if name == "AdditionalProperties":
        allowed = ", ".join(node.get("properties", {}))
        return [
            (path + key_suffix(key), f"unknown field {key!r} (allowed: {allowed})")
            for key in kind.unexpected
        ]
    if name == "FalseSchema" and parts and list(error.schema_path)[-1:] == ["additionalProperties"]:
        parent = _node_at(root, list(error.schema_path))
        allowed = ", ".join(parent.get("properties", {}))
        return [(path, f"unknown field {parts[-1]!r} (allowed: {allowed})")]
    value = _value_at(data, parts)
    if name == "Type":
        wanted = node.get("type")
        kinds = [wanted] if isinstance(wanted, str) else list(wanted or [])
        got = _article(_type_name(value))
        return [(path, f"expected {' or '.join(_article(k) for k in kinds)}, got {got}")]
    if name == "Enum":
        options = ", ".join(str(option) for option in kind.options if option != "")
        return [(path, f"{value!r} is not one of: {options}")]
    if name == "Constant":
        return [(path, f"must be {kind.expected_value!r}")]
    if name == "MinLength":
        return [(path, "must not be empty")]
    if name == "MaxLength":
        return [(path, f"is longer than {kind.limit} characters")]
    if name == "Pattern":
        description = str(node.get("description", "")).rstrip(".")
        hint = f"the expected form ({description})" if description else kind.pattern
        return [(path, f"{value!r} does not match {hint}")]
    if name == "Minimum":
        return [(path, f"must be at least {kind.limit}")]
    if name == "MinItems":
        limit = kind.limit
        return [(path, f"needs at least {limit} entr{'y' if limit == 1 else 'ies'}")]
    if name == "UniqueItems":
        return _duplicates(value, path)
    if name == "MaxProperties":
        return [(path, f"takes at most {kind.limit} field(s)")]
    if name == "MinProperties":
        return [(path, _min_properties_hint(node, kind.limit))]
    if name == "Not":
        return [(path, "is a form that is not allowed here")]
    return [(path, str(error.message))]


def _duplicates(value: list[Any], path: str) -> list[tuple[str, str]]:
    found = []
    for index, entry in enumerate(value):
        if entry in value[:index]:
            found.append((f"{path}[{index}]", f"{entry!r} is listed twice"))
    return found


def _best_branch(
    branches: list[list[Any]], root: dict[str, Any], data: Any, path: str
) -> list[tuple[str, str]]:
    """The errors of the branch the author most likely meant.

    That is the branch whose discriminating fields are present (fewest complaints about
    the shape of the value itself: a missing or unknown field, a wrong type or constant),
    then the one with fewest errors.
    """
    depth = path.count(".") + path.count("[")
    explained = [
        [e for error in branch for e in _explain(error, root, data)] for branch in branches
    ]

    def distance(found: list[tuple[str, str]]) -> tuple[int, int]:
        shape = sum(
            1
            for p, message in found
            if message.startswith(("unknown field", "missing required", "expected", "must be '"))
            and p.count(".") + p.count("[") <= depth + 1
        )
        return shape, len(found)

    return min(explained, key=distance) if explained else [(path, "matches no allowed form")]


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    names = {dict: "object", list: "array", str: "string", float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _article(name: str) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true or false",
        "null": "nothing",
    }
    return names.get(name, name)


def _min_properties_hint(node: dict[str, Any], limit: int) -> str:
    if "replaced_by" in node.get("properties", {}):
        return "a retired item needs 'replaced_by' or 'reason'"
    if "at_least" in node.get("properties", {}):
        return "a count needs 'at_least' or 'at_most'"
    return f"needs at least {limit} field(s)"
