"""Probe mappings (from a checklist's `probe:`) -> the probe model, checked against the schema."""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from meshkb.core import validate
from meshkb.core.errors import MeshkbError, Problem
from meshkb.scan.probe_model import (
    FIELD_OPERATORS,
    QUANTITY_OPERATORS,
    AllOf,
    AnyOf,
    CannotTell,
    Condition,
    Count,
    Each,
    FieldPath,
    FieldTest,
    Key,
    NamespaceHas,
    Not,
    Position,
    Probe,
    Quantified,
    Selector,
    Step,
)

"""The JSON Schema of the probe object (its root is the probe)."""


def parse_path(text: str) -> FieldPath:
    """Parse a field path; raises ValueError naming what is wrong."""
    steps: list[Step] = []
    position = 0
    expect_key = True
    while position < len(text):
        char = text[position]
        if char == "[":
            close = text.find("]", position)
            if close < 0:
                raise ValueError(f"'[' at {position + 1} is not closed")
            inner = text[position + 1 : close]
            if inner == "*":
                steps.append(Each())
            elif inner.isdigit() and inner.isascii():
                steps.append(Position(int(inner)))
            elif len(inner) >= 2 and inner[0] == inner[-1] == '"' and '"' not in inner[1:-1]:
                steps.append(Key(inner[1:-1]))
            else:
                raise ValueError(f'[{inner}] is not [*], [N] or ["key"]')
            position = close + 1
            expect_key = False
        elif char == ".":
            if expect_key:
                raise ValueError(f"empty key before '.' at {position + 1}")
            position += 1
            expect_key = True
            if position == len(text):
                raise ValueError("path ends with '.'")
        else:
            if not expect_key:
                raise ValueError(f"expected '.' or '[' at {position + 1}")
            end = position
            while end < len(text) and text[end] not in '.[]"':
                end += 1
            if end == position:
                raise ValueError(f"unexpected {text[position]!r} at {position + 1}")
            steps.append(Key(text[position:end]))
            position = end
            expect_key = False
    if not steps:
        raise ValueError("path is empty")
    return FieldPath(text, tuple(steps))


_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


_DECIMAL_SUFFIXES = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}


def parse_quantity(value: Any) -> Decimal | None:
    """A Kubernetes quantity (`100m`, `128Mi`, `2`, `1e3`) as a Decimal, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    text = str(value).strip()
    if not text or len(text) > 64:
        return None
    scale: Decimal | int = 1
    if text[-2:] in _BINARY_SUFFIXES:
        text, scale = text[:-2], _BINARY_SUFFIXES[text[-2:]]
    elif text[-1] in _DECIMAL_SUFFIXES:
        text, scale = text[:-1], _DECIMAL_SUFFIXES[text[-1]]
    # Decimal() would also take "NaN", "Infinity" and "1_000"; Kubernetes takes none.
    if not text or any(char not in "0123456789.+-eE" for char in text):
        return None
    try:
        number = Decimal(text) * scale
    except (decimal.InvalidOperation, decimal.Overflow):
        return None
    return number if number.is_finite() else None


def parse_probe(data: Any, *, file: str = "", at: str = "$.probe", checked: bool = False) -> Probe:
    """Check a probe mapping against the schema and build the model.

    Raises MeshkbError with one problem per error, each carrying the JSON path (`at`
    is the path of the probe itself, e.g. `$.sections[0].items[2].probe`). With
    `checked`, the caller vouches that the schema check already passed (a probe from a
    checklist the loader validated), and only the model is built.
    """
    if not checked:
        _check_schema(data, file, at)
    try:
        return _build_probe(data, at)
    except _BuildError as error:
        raise MeshkbError(Problem(file, error.message, path=error.path)) from None


def _check_schema(data: Any, file: str, at: str) -> None:
    found = validate.errors(data, "probe")
    if found:
        problems = [Problem(file, message, path=at + path[1:]) for path, message in found]
        raise MeshkbError(problems)


def _json_path(at: str, parts: Iterable[str | int]) -> str:
    path = at
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


class _BuildError(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _strings(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _build_selector(data: Mapping[str, Any]) -> Selector:
    return Selector(
        kinds=_strings(data["kind"]),
        namespaces=_strings(data.get("namespace")),
        names=_strings(data.get("name")),
        labels=dict(data.get("labels", {})),
        annotations=dict(data.get("annotations", {})),
    )


def _build_path(text: str, at: str) -> FieldPath:
    try:
        return parse_path(text)
    except ValueError as error:
        raise _BuildError(at, f"bad path {text!r}: {error}") from None


def _build_condition(data: Mapping[str, Any], at: str) -> Condition:
    if "path" in data:
        path = _build_path(data["path"], f"{at}.path")
        operator = next(name for name in FIELD_OPERATORS if name in data)
        operand = data[operator]
        if operator in QUANTITY_OPERATORS:
            quantity = parse_quantity(operand)
            if quantity is None:
                raise _BuildError(f"{at}.{operator}", f"{operand!r} is not a Kubernetes quantity")
            operand = quantity
        elif operator == "in":
            operand = tuple(operand)
        return FieldTest(path, operator, operand)
    for quantifier in ("every", "some"):
        if quantifier in data:
            path = _build_path(data[quantifier], f"{at}.{quantifier}")
            check = _build_condition(data["check"], f"{at}.check")
            return Quantified("every" if quantifier == "every" else "some", path, check)
    if "all" in data:
        return AllOf(
            tuple(_build_condition(part, f"{at}.all[{i}]") for i, part in enumerate(data["all"]))
        )
    if "any" in data:
        return AnyOf(
            tuple(_build_condition(part, f"{at}.any[{i}]") for i, part in enumerate(data["any"]))
        )
    if "not" in data:
        return Not(_build_condition(data["not"], f"{at}.not"))
    if "cannot_tell" in data:
        return CannotTell(data["cannot_tell"])
    return NamespaceHas(_build_selector(data["namespace_has"]))


def _build_probe(data: Mapping[str, Any], at: str) -> Probe:
    where = _build_condition(data["where"], f"{at}.where") if "where" in data else None
    expect = _build_condition(data["expect"], f"{at}.expect") if "expect" in data else None
    count = None
    if "count" in data:
        count = Count(data["count"].get("at_least"), data["count"].get("at_most"))
    return Probe(
        summary=data["summary"],
        select=_build_selector(data["select"]),
        where=where,
        expect=expect,
        pass_when=data.get("pass_when", "all"),
        count=count,
        cannot_confirm=data.get("cannot_confirm"),
        failure=data.get("failure"),
    )
