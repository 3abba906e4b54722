"""A JSON Schema compiled once into a function that answers "valid?" and nothing more.

`validate.errors` explains every violation, so it walks the schema's keywords for each
value and builds a JSON path for each child: most of the time a cold site build spends
validating checklists. Nearly every document it sees is valid, so it asks this
compiled form first and explains only what fails. Each schema node becomes one closure
that tests just the keywords the node has; a `$ref` back to a node still being compiled
(conditions nest) looks its predicate up when called.

The semantics are those of `validate`'s interpreter, keyword for keyword (the same
subset of draft 2020-12, `minimum` on integers only, `uniqueItems` by `==`); a property
test holds the two, and jsonschema, equal on mutated checklists and reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[Any], bool]

TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
"""JSON type name -> Python types of plain data (a bool is never an integer or number)."""


_STRING_KEYWORDS = ("minLength", "maxLength", "pattern")
_ARRAY_KEYWORDS = ("minItems", "uniqueItems", "items")
_OBJECT_KEYWORDS = (
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
)


def ref_target(root: dict[str, Any], ref: str) -> dict[str, Any]:
    """The node a local `$ref` (`#/$defs/name`) points to."""
    target = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def _always(value: Any) -> bool:
    return True


class Compiler:
    """Compiles the nodes of one schema, each once."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self._done: dict[int, Predicate] = {}
        self._building: set[int] = set()
        self._nodes: list[dict[str, Any]] = []  # keeps compiled nodes alive: ids stay unique

    def compile(self, node: dict[str, Any]) -> Predicate:
        """The predicate of `node`, a part of this compiler's schema."""
        key = id(node)
        found = self._done.get(key)
        if found is not None:
            return found
        if key in self._building:  # a `$ref` cycle: look the predicate up when called
            done = self._done
            return lambda value: done[key](value)
        self._building.add(key)
        predicate = self._build(node)
        self._building.discard(key)
        self._done[key] = predicate
        self._nodes.append(node)
        return predicate

    def _build(self, node: dict[str, Any]) -> Predicate:
        checks: list[Predicate] = []
        kind = node.get("type")
        # A closure for a type's keywords also checks the type itself when that is the
        # node's only type: one call per value instead of two.
        keys = node.keys()
        shaped = {
            "string": not keys.isdisjoint(_STRING_KEYWORDS),
            "array": not keys.isdisjoint(_ARRAY_KEYWORDS),
            "object": not keys.isdisjoint(_OBJECT_KEYWORDS),
        }
        if kind is not None and not (isinstance(kind, str) and shaped.get(kind)):
            checks.append(_type(kind))
        if "const" in node:
            constant = node["const"]
            checks.append(lambda value: value == constant)
        if "enum" in node:
            options = list(node["enum"])
            checks.append(lambda value: value in options)
        if "$ref" in node:
            checks.append(self.compile(ref_target(self.root, node["$ref"])))
        if "oneOf" in node:
            checks.append(_one_of([self.compile(b) for b in node["oneOf"]]))
        if "anyOf" in node:
            branches = [self.compile(b) for b in node["anyOf"]]
            checks.append(lambda value: any(branch(value) for branch in branches))
        if "not" in node:
            excluded = self.compile(node["not"])
            checks.append(lambda value: not excluded(value))
        if shaped["string"]:
            checks.append(_string(node, typed=kind == "string"))
        if "minimum" in node:
            minimum = node["minimum"]
            checks.append(
                lambda value: (
                    not isinstance(value, int) or isinstance(value, bool) or value >= minimum
                )
            )
        if shaped["array"]:
            checks.append(self._array(node, typed=kind == "array"))
        if shaped["object"]:
            checks.append(self._object(node, typed=kind == "object"))
        return _all(checks)

    def _array(self, node: dict[str, Any], *, typed: bool) -> Predicate:
        least = node.get("minItems", 0)
        unique = bool(node.get("uniqueItems"))
        entry = self.compile(node["items"]) if "items" in node else None

        def array(value: Any) -> bool:
            if not isinstance(value, list):
                return not typed
            if len(value) < least:
                return False
            if unique:
                seen: list[Any] = []
                for item in value:
                    if item in seen:
                        return False
                    seen.append(item)
            if entry is not None:
                for item in value:
                    if not entry(item):
                        return False
            return True

        return array

    def _object(self, node: dict[str, Any], *, typed: bool) -> Predicate:
        properties = {key: self.compile(sub) for key, sub in node.get("properties", {}).items()}
        required = tuple(node.get("required", ()))
        extra = node.get("additionalProperties")
        closed = extra is False
        extra_check = self.compile(extra) if isinstance(extra, dict) else None
        names = self.compile(node["propertyNames"]) if "propertyNames" in node else None
        least = node.get("minProperties", 0)
        most = node.get("maxProperties")

        def mapping(value: Any) -> bool:
            if not isinstance(value, dict):
                return not typed
            if len(value) < least or (most is not None and len(value) > most):
                return False
            for key in required:
                if key not in value:
                    return False
            for key, entry in value.items():
                check = properties.get(key)
                if check is None:
                    if closed or (extra_check is not None and not extra_check(entry)):
                        return False
                elif not check(entry):
                    return False
                if names is not None and not names(key):
                    return False
            return True

        return mapping


def _all(checks: list[Predicate]) -> Predicate:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def every(value: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop creates no generator per call
            if not check(value):
                return False
        return True

    return every


def _type(kinds: str | list[str]) -> Predicate:
    names = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    allowed = tuple(kind for name in names for kind in TYPES[name])
    bool_ok = "boolean" in names

    def typed(value: Any) -> bool:
        if value is True or value is False:
            return bool_ok
        return isinstance(value, allowed)

    return typed


def _one_of(branches: list[Predicate]) -> Predicate:
    def one_of(value: Any) -> bool:
        matched = False
        for branch in branches:
            if branch(value):
                if matched:
                    return False
                matched = True
        return matched

    return one_of


def _string(node: dict[str, Any], *, typed: bool) -> Predicate:
    least = node.get("minLength", 0)
    most = node.get("maxLength")
    search = re.compile(node["pattern"]).search if "pattern" in node else None

    def text(value: Any) -> bool:
        if not isinstance(value, str):
            return not typed
        if len(value) < least or (most is not None and len(value) > most):
            return False
        return search is None or search(value) is not None

    return text
