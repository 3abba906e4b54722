"""Validate plain data against the shipped JSON Schemas.

The schemas are the contract. This module interprets the subset of draft 2020-12
they use (type, const, enum, pattern, min/maxLength, minimum, items, minItems,
uniqueItems, properties, required, additionalProperties, propertyNames,
min/maxProperties, oneOf, anyOf, not, local $ref) so the CLI need not import
jsonschema (~90 ms) to start; tests check that jsonschema agrees on every valid and
invalid case and on mutated documents. One difference is deliberate: a whole float
such as 1.0 is not an integer here.

A document is first checked by the schema compiled to a yes/no function
(`schema_predicate`); only one that fails is walked again to explain each violation.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from .errors import key_suffix
from .schema_predicate import TYPES, Compiler, ref_target


@cache
def schema(name: str) -> dict[str, Any]:
    """The shipped schema `name` (`checklist`, `report`)."""
    # A path beside this module: importlib.resources costs ~7 ms at start-up, and the
    # package is always installed as files (setuptools package-data).
    text = (Path(__file__).parent / "schema" / f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def errors(data: Any, schema_name: str) -> list[tuple[str, str]]:
    """Every violation as `(json_path, message)`, in document order."""
    if is_valid(data, schema_name):
        return []
    return explain(data, schema_name)


def is_valid(data: Any, schema_name: str) -> bool:
    """Whether `data` satisfies the schema: the compiled check, with no messages."""
    root = schema(schema_name)
    return _compiler(root).compile(root)(data)


def explain(data: Any, schema_name: str) -> list[tuple[str, str]]:
    """Every violation, found by walking the schema (`errors` without the quick check)."""
    root = schema(schema_name)
    found: list[tuple[str, str]] = []
    _check(data, root, root, "$", found)
    return found


_COMPILERS: dict[int, Compiler] = {}
"""id of a cached schema -> its compiler (the schemas live as long as the process)."""


def _compiler(root: dict[str, Any]) -> Compiler:
    compiler = _COMPILERS.get(id(root))
    if compiler is None:
        compiler = _COMPILERS[id(root)] = Compiler(root)
    return compiler


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    for name, kinds in TYPES.items():
        if isinstance(value, kinds):
            return name
    return type(value).__name__


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, TYPES[name])


def _child(path: str, key: str) -> str:
    return path + key_suffix(key)


def _check(
    value: Any, node: dict[str, Any], root: dict[str, Any], path: str, found: list[tuple[str, str]]
) -> None:
    if "$ref" in node:
        _check(value, ref_target(root, node["$ref"]), root, path, found)
    if "oneOf" in node:
        _one_of(value, node["oneOf"], root, path, found)
    if "anyOf" in node:
        _one_of(value, node["anyOf"], root, path, found, exclusive=False)
    if "not" in node:
        excluded: list[tuple[str, str]] = []
        _check(value, node["not"], root, path, excluded)
        if not excluded:
            found.append((path, "is a form that is not allowed here"))
    if "const" in node and value != node["const"]:
        found.append((path, f"must be {node['const']!r}"))
        return
    if "enum" in node and value not in node["enum"]:
        options = ", ".join(str(option) for option in node["enum"] if option != "")
        found.append((path, f"{value!r} is not one of: {options}"))
        return
    if "type" in node:
        kinds = node["type"]
        if isinstance(kinds, str):
            kinds = (kinds,)
        if not any(_is_type(value, kind) for kind in kinds):
            wanted = " or ".join(_article(kind) for kind in kinds)
            found.append((path, f"expected {wanted}, got {_article(_type_name(value))}"))
            return
    if isinstance(value, str):
        if len(value) < node.get("minLength", 0):
            found.append((path, "must not be empty"))
        elif len(value) > node.get("maxLength", len(value)):
            found.append((path, f"is longer than {node['maxLength']} characters"))
        elif "pattern" in node and not re.search(node["pattern"], value):
            found.append((path, f"{value!r} {_pattern_hint(path, node)}"))
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value < node.get("minimum", value)
    ):
        found.append((path, f"must be at least {node['minimum']}"))
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            found.append(
                (
                    path,
                    f"needs at least {node['minItems']} entr{'y' if node['minItems'] == 1 else 'ies'}",
                )
            )
        if node.get("uniqueItems"):
            seen: list[Any] = []
            for i, entry in enumerate(value):
                if entry in seen:
                    found.append((f"{path}[{i}]", f"{entry!r} is listed twice"))
                seen.append(entry)
        if "items" in node:
            for i, entry in enumerate(value):
                _check(entry, node["items"], root, f"{path}[{i}]", found)
    if isinstance(value, dict):
        _object(value, node, root, path, found)


def _object(
    value: dict[str, Any],
    node: dict[str, Any],
    root: dict[str, Any],
    path: str,
    found: list[tuple[str, str]],
) -> None:
    properties: dict[str, Any] = node.get("properties", {})
    for key in node.get("required", []):
        if key not in value:
            found.append((path, f"missing required field {key!r}"))
    extra = node.get("additionalProperties")
    for key in value:
        if key in properties:
            continue
        if extra is False:
            allowed = ", ".join(properties)
            found.append((_child(path, key), f"unknown field {key!r} (allowed: {allowed})"))
        elif isinstance(extra, dict):
            _check(value[key], extra, root, _child(path, key), found)
    if "propertyNames" in node:
        for key in value:
            _check(key, node["propertyNames"], root, _child(path, key), found)
    if len(value) > node.get("maxProperties", len(value)):
        found.append((path, f"takes at most {node['maxProperties']} field(s)"))
    if len(value) < node.get("minProperties", 0) and not any(p == path for p, _ in found):
        found.append((path, _min_properties_hint(node)))
    for key, sub in properties.items():
        if key in value:
            _check(value[key], sub, root, _child(path, key), found)


def _branch_errors(
    value: Any, branch: dict[str, Any], root: dict[str, Any], path: str
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    _check(value, branch, root, path, found)
    return found


def _one_of(
    value: Any,
    branches: list[dict[str, Any]],
    root: dict[str, Any],
    path: str,
    found: list[tuple[str, str]],
    *,
    exclusive: bool = True,
) -> None:
    # Each branch is first asked yes or no; all errors of every branch are collected only
    # when none matches, to pick the message.
    compiled = _compiler(root)
    passing = [b for b in branches if compiled.compile(b)(value)]
    if len(passing) == 1:
        return
    if len(passing) > 1 and exclusive:
        found.append((path, "matches more than one allowed form"))
        return
    if passing:
        return
    results = [_branch_errors(value, b, root, path) for b in branches]

    # Report the branch the author most likely meant: the one whose discriminating
    # fields are present (fewest "missing"/"unknown field" complaints), then fewest errors.
    def distance(errs: list[tuple[str, str]]) -> tuple[int, int]:
        shape = sum(
            1
            for p, m in errs
            if p.startswith(path)
            and (
                m.startswith(("unknown field", "missing required", "expected", "must be '"))
                and p.count(".") + p.count("[") <= path.count(".") + path.count("[") + 1
            )
        )
        return shape, len(errs)

    best = min(results, key=distance)
    found.extend(best)


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


def _pattern_hint(path: str, node: dict[str, Any]) -> str:
    description = node.get("description", "")
    return (
        f"does not match the expected form ({description.rstrip('.')})"
        if description
        else (f"does not match {node['pattern']}")
    )


def _min_properties_hint(node: dict[str, Any]) -> str:
    if "replaced_by" in node.get("properties", {}):
        return "a retired item needs 'replaced_by' or 'reason'"
    if "at_least" in node.get("properties", {}):
        return "a count needs 'at_least' or 'at_most'"
    return f"needs at least {node['minProperties']} field(s)"
