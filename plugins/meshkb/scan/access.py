"""Reading fields of a resource by path, and comparing what is found."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from meshkb.scan.probe_model import (
    NAMESPACE_METADATA,
    POD_METADATA,
    POD_SPEC,
    POD_TEMPLATE_AT,
    FieldPath,
    Inventory,
    Key,
    Position,
    Step,
    Subject,
)
from meshkb.scan.probe_parse import parse_quantity
from meshkb.scan.resources import Resource

Located: TypeAlias = tuple[Sequence[tuple[str, Any]], str] | str
"""(concrete path, value) pairs with the path to name when there are none; or why unknown."""


ValuesFn: TypeAlias = Callable[[Subject, Any], Sequence[Any] | None]
"""The values a path reaches; None when the manifests cannot show them."""


LocateFn: TypeAlias = Callable[[Subject, str, Any], Located]


UNSEEN: Any = object()


@dataclass(frozen=True, slots=True)
class Access:
    """A path compiled for one probe's scope: its values, or its values with where they are."""

    values: ValuesFn
    locate: LocateFn


_READABLE_WHEN_IMPLIED = ("metadata.name", "kind", "apiVersion")
"""Paths a namespace that is only named by others still answers."""


_IMPLIED_REASON = "so its labels, annotations and other fields are unknown"


@dataclass(frozen=True, slots=True)
class _Rest:
    """The steps of a path after its root, prepared once."""

    steps: tuple[Step, ...]
    """The steps."""
    keys: tuple[str, ...] | None
    """The key names when every step is a key (the common case), else None."""
    first_text: str
    """The steps as text when they start the path (`a.b`)."""
    more_text: str
    """The steps as text after a non-empty prefix (`.a.b`)."""

    @classmethod
    def of(cls, steps: tuple[Step, ...]) -> _Rest:
        """Prepare these steps."""
        keys = tuple(step.name for step in steps if isinstance(step, Key))
        more = steps_text(steps, "x")[1:] if steps else ""
        return cls(steps, keys if len(keys) == len(steps) else None, steps_text(steps, ""), more)

    def text(self, prefix: str) -> str:
        """What `steps_text(steps, prefix)` gives."""
        return prefix + self.more_text if prefix else self.first_text

    def values(self, start: Any) -> Sequence[Any]:
        """The values the steps reach from `start` (which counts as found, even if null)."""
        keys = self.keys
        if keys is None:
            return _walk_values(self.steps, start)
        if not keys:
            return (start,)
        value = walk_keys(keys, start)
        return () if value is None else (value,)

    def located(self, where: str, start: Any) -> Located:
        """`values`, each with its concrete path, and the path to name when none is found."""
        at = self.text(where)
        keys = self.keys
        if keys is None:
            return _walk_found(self.steps, where, start), at
        if not keys:
            return ((where, start),), at
        value = walk_keys(keys, start)
        return ((), at) if value is None else (((at, value),), at)


def access_for(path: FieldPath, scope: Scope, inner: bool) -> Access:
    """How to reach a path's values: from an element, or from the resource's root."""
    if inner:
        return _element_access(path)
    first = path.steps[0]
    root = first.name if isinstance(first, Key) else None
    if root in (POD_SPEC, POD_METADATA):
        return _pod_access(path, "spec" if root == POD_SPEC else "metadata", scope)
    if root == NAMESPACE_METADATA:
        return _namespace_access(path, scope.inventory)
    return _body_access(path)


def _element_access(path: FieldPath) -> Access:
    rest = _Rest.of(path.steps)

    def values(subject: Subject, element: Any) -> Sequence[Any]:
        return rest.values(element)

    def locate(subject: Subject, where: str, element: Any) -> Located:
        return rest.located(where, element)

    return Access(values, locate)


def _body_access(path: FieldPath) -> Access:
    rest = _Rest.of(path.steps)
    hidden = rest.first_text not in _READABLE_WHEN_IMPLIED

    def values(subject: Subject, element: Any) -> Sequence[Any] | None:
        if subject.implied_by is not None and hidden:
            return None
        return rest.values(subject.resource.body)

    def locate(subject: Subject, where: str, element: Any) -> Located:
        if subject.implied_by is not None and hidden:
            return _IMPLIED_REASON
        return rest.located("", subject.resource.body)

    return Access(values, locate)


def _pod_access(path: FieldPath, part: str, scope: Scope) -> Access:
    """`podSpec...` and `podMetadata...`: from the pod template of any workload kind."""
    rest = _Rest.of(path.steps[1:])
    prefixes = {
        kind: steps_text([Key(key) for key in (*template, part)], "")
        for kind, template in POD_TEMPLATE_AT.items()
    }
    pod_part = scope.pod_part(part)

    def values(subject: Subject, element: Any) -> Sequence[Any] | None:
        if subject.implied_by is not None:
            return None
        start = pod_part(subject.resource)
        return () if start is None else rest.values(start)

    def locate(subject: Subject, where: str, element: Any) -> Located:
        if subject.implied_by is not None:
            return _IMPLIED_REASON
        resource = subject.resource
        start = pod_part(resource)
        if start is None:
            return (), path.text
        return rest.located(prefixes[resource.kind], start)

    return Access(values, locate)


def _namespace_access(path: FieldPath, inventory: Inventory) -> Access:
    """`namespaceMetadata...`: the resource's Namespace, unknown when not in the input."""
    rest = _Rest.of(path.steps[1:])
    namespaces = inventory.namespaces

    def start(subject: Subject) -> tuple[str, Any] | str | None:
        """(path, metadata) of the namespace; why it is unknown; or None: no namespace."""
        if subject.implied_by is not None:
            return _IMPLIED_REASON
        resource = subject.resource
        if resource.kind == "Namespace":
            return "metadata", resource.body.get("metadata")
        name = resource.effective_namespace
        if name is None:
            return None
        namespace = namespaces.get(name)
        if namespace is None:
            return (
                f"Namespace {name} is not in the input, so its labels and annotations are unknown"
            )
        return f"Namespace {name} metadata", namespace.body.get("metadata")

    def values(subject: Subject, element: Any) -> Sequence[Any] | None:
        found = start(subject)
        if found is None:
            return ()
        return None if isinstance(found, str) else rest.values(found[1])

    def locate(subject: Subject, where: str, element: Any) -> Located:
        found = start(subject)
        if found is None:
            return (), path.text
        return found if isinstance(found, str) else rest.located(*found)

    return Access(values, locate)


def walk_keys(keys: Sequence[str], value: Any) -> Any:
    """The value under these keys, or None."""
    for name in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _walk_values(steps: Sequence[Step], start: Any) -> list[Any]:
    """The values the steps reach; a null value counts as absent."""
    current = [start]
    for step in steps:
        reached: list[Any] = []
        if isinstance(step, Key):
            name = step.name
            for value in current:
                if isinstance(value, dict):
                    item = value.get(name)
                    if item is not None:
                        reached.append(item)
        elif isinstance(step, Position):
            index = step.index
            for value in current:
                if isinstance(value, list) and index < len(value) and value[index] is not None:
                    reached.append(value[index])
        else:
            for value in current:
                if isinstance(value, list):
                    reached += [item for item in value if item is not None]
                elif isinstance(value, dict):
                    reached += [item for item in value.values() if item is not None]
        if not reached:
            return reached
        current = reached
    return current


def _walk_found(steps: Sequence[Step], where: str, start: Any) -> list[tuple[str, Any]]:
    """`_walk_values`, each value with its concrete path (`...containers[0].image`)."""
    current = [(where, start)]
    for step in steps:
        reached: list[tuple[str, Any]] = []
        if isinstance(step, Key):
            name = step.name
            for at, value in current:
                if isinstance(value, dict):
                    item = value.get(name)
                    if item is not None:
                        reached.append((at + key_text(name, not at), item))
        elif isinstance(step, Position):
            index = step.index
            for at, value in current:
                if isinstance(value, list) and index < len(value) and value[index] is not None:
                    reached.append((f"{at}[{index}]", value[index]))
        else:
            for at, value in current:
                if isinstance(value, list):
                    reached += [
                        (f"{at}[{i}]", item) for i, item in enumerate(value) if item is not None
                    ]
                elif isinstance(value, dict):
                    reached += [
                        (at + key_text(str(k), False), item)
                        for k, item in value.items()
                        if item is not None
                    ]
        if not reached:
            return reached
        current = reached
    return current


_encode_string: Callable[[str], str] = json.encoder.encode_basestring  # json.dumps' own


# What json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str) builds
# for every call, built once.
_encode_value: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(", ", ": "), default=str
).encode


def value_text(value: Any, limit: int = 80) -> str:
    """A found value as a note shows it: JSON, cut to `limit` characters."""
    try:
        # A string is the common case: encode it without the encoder's machinery.
        text = _encode_string(value) if type(value) is str else _encode_value(value)
    except (ValueError, RecursionError):
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_holds(operator: str, operand: Any, value: Any) -> bool:
    """Whether one value passes a field test (other than exists and not_equals)."""
    if operator in ("equals", "not_equals"):
        return same_value(value, operand)
    if operator == "in":
        return any(same_value(value, choice) for choice in operand)
    if operator == "contains":
        return isinstance(value, str) and operand in value
    quantity = parse_quantity(value)
    if quantity is None:
        return False
    if operator == "at_least":
        return bool(quantity >= operand)
    if operator == "at_most":
        return bool(quantity <= operand)
    if operator == "less_than":
        return bool(quantity < operand)
    return bool(quantity > operand)


def _spelling(value: Any) -> str | None:
    """How a scalar is written in YAML, for comparing a string with a number or bool."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def same_value(actual: Any, expected: Any) -> bool:
    """Equal as YAML values: `"8080"` is 8080, `"true"` is true, but 1 is not true."""
    if type(actual) is type(expected) or (
        isinstance(actual, (int, float))
        and isinstance(expected, (int, float))
        and not isinstance(actual, bool)
        and not isinstance(expected, bool)
    ):
        return bool(actual == expected)
    if isinstance(actual, str) or isinstance(expected, str):
        return _spelling(actual) == _spelling(expected) and _spelling(actual) is not None
    return False


def namespace_name(resource: Resource) -> str | None:
    """The namespace a resource is in; a Namespace is in itself."""
    return resource.name if resource.kind == "Namespace" else resource.effective_namespace


@functools.lru_cache(maxsize=4096)
def key_text(name: str, first: bool) -> str:
    """A key as a path step: `name`, `.name`, or `["a.b/c"]` when it needs quoting."""
    plain = name and not any(char in name for char in '.[]" /')
    if plain:
        return name if first else f".{name}"
    return f'["{name}"]'


def steps_text(steps: Sequence[Step], prefix: str) -> str:
    """Steps as path text after `prefix`."""
    text = prefix
    for step in steps:
        if isinstance(step, Key):
            text += key_text(step.name, not text)
        elif isinstance(step, Position):
            text += f"[{step.index}]"
        else:
            text += "[*]"
    return text


class Scope:
    """What the compiled conditions of one probe share: the inventory, and what was found.

    Paths into a workload's pod template (`podSpec`, `podMetadata`) all start by finding
    the template; each resource's is found once.
    """

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self._pod_parts: dict[str, dict[int, Any]] = {"spec": {}, "metadata": {}}

    def pod_part(self, part: str) -> Callable[[Resource], Any]:
        """A function giving the pod template's `part` (spec or metadata), or None."""
        found = self._pod_parts[part]

        def of(resource: Resource) -> Any:
            key = id(resource)  # the inventory keeps every resource alive
            value = found.get(key, UNSEEN)
            if value is UNSEEN:
                template = POD_TEMPLATE_AT.get(resource.kind)
                value = None if template is None else walk_keys((*template, part), resource.body)
                found[key] = value
            return value

        return of
