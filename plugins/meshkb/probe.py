"""Probes: declarative, read-only checks over Kubernetes manifests.

A probe selects resources, optionally filters them (`where`), then either expects a
condition of each one (`expect` + `pass_when`) or counts them (`count`). Conditions name
fields and plain values only: there is no shell, no code, no `eval` and no regular
expression anywhere, so a checklist cannot make meshkb run anything.

Conditions are three-valued: besides holding or not, a condition is *unknown* when its
answer depends on something the manifests do not show: a Namespace that is not in the
input, or what a `cannot_tell` marks (mesh-wide settings, whether an init container calls
the network). Unknowns combine as in Kleene logic, and a probe whose answer hangs on one
says `unknown` rather than guessing. `$defs/probe` in `schema/checklist.schema.json` is the contract for the YAML
form; `parse_probe` checks a mapping against it and builds the model below.
"""

from __future__ import annotations

import decimal
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeAlias

from .errors import MeshkbError, Problem
from .manifests import Origin, Resource

ProbeState: TypeAlias = Literal["pass", "fail", "unknown"]
PassWhen: TypeAlias = Literal["all", "any", "none"]
Truth: TypeAlias = bool | None
"""True, False, or None for unknown."""

PROBE_SCHEMA_PATH = Path(__file__).parent / "schema" / "checklist.schema.json"
"""The JSON Schema of the probe object (its root is the probe)."""

WORKLOAD_KINDS = (
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
)
"""Kinds that run pods; `podSpec` and `podMetadata` reach into each of them."""

POD_TEMPLATE_AT: Mapping[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "PodTemplate": ("template",),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}
POD_SPEC = "podSpec"
"""Path root: the pod spec of any workload kind (spec.template.spec, ..., or a Pod's spec)."""
POD_METADATA = "podMetadata"
"""Path root: the pod template's metadata (or a Pod's own metadata)."""
NAMESPACE_METADATA = "namespaceMetadata"
"""Path root: metadata of the resource's Namespace, unknown when it is not in the input."""
_FIELD_OPERATORS = (
    "exists",
    "equals",
    "not_equals",
    "in",
    "contains",
    "at_least",
    "at_most",
    "less_than",
    "more_than",
)
_QUANTITY_OPERATORS = frozenset({"at_least", "at_most", "less_than", "more_than"})


@dataclass(frozen=True, slots=True)
class Key:
    """A mapping key in a path."""

    name: str
    """The key."""


@dataclass(frozen=True, slots=True)
class Position:
    """A list position in a path (`[2]`)."""

    index: int
    """0-based position."""


@dataclass(frozen=True, slots=True)
class Each:
    """Every element of a list, or every value of a mapping (`[*]`)."""


Step: TypeAlias = Key | Position | Each


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A parsed field path such as `podSpec.containers[*].resources.requests.cpu`."""

    text: str
    """The path as written in the probe."""
    steps: tuple[Step, ...]
    """Its steps, in order."""


@dataclass(frozen=True, slots=True)
class Selector:
    """Which resources to look at; every field given must match."""

    kinds: tuple[str, ...]
    """Kinds, any of which matches."""
    namespaces: tuple[str, ...] = ()
    """Namespaces, any of which matches; empty means any namespace."""
    names: tuple[str, ...] = ()
    """Names, any of which matches; empty means any name."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels the resource must carry with these values."""
    annotations: Mapping[str, str] = field(default_factory=dict)
    """Annotations the resource must carry with these values."""


@dataclass(frozen=True, slots=True)
class FieldTest:
    """One test of the values a path reaches."""

    path: FieldPath
    """Where to look."""
    operator: str
    """One of exists, equals, not_equals, in, contains, at_least, at_most, less_than, more_than."""
    operand: Any
    """What to compare with: a bool, a scalar, a tuple of scalars, a string or a Decimal."""


@dataclass(frozen=True, slots=True)
class Quantified:
    """`every` or `some` element reached by a path satisfies `check`."""

    quantifier: Literal["every", "some"]
    """every: all elements (true when there are none); some: at least one."""
    path: FieldPath
    """Path to the elements."""
    check: Condition
    """Condition evaluated with each element as the start of its paths."""


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every condition holds."""

    conditions: tuple[Condition, ...]
    """The conditions."""


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one condition holds."""

    conditions: tuple[Condition, ...]
    """The conditions."""


@dataclass(frozen=True, slots=True)
class Not:
    """The condition does not hold."""

    condition: Condition
    """The condition negated."""


@dataclass(frozen=True, slots=True)
class NamespaceHas:
    """The resource's namespace holds a resource matching `selector`."""

    selector: Selector
    """What to look for (its namespaces field is unused)."""


@dataclass(frozen=True, slots=True)
class CannotTell:
    """Always unknown: marks what manifests cannot show, so a person decides.

    Combined with `all`, it turns "found X" into "found X, and whether that is a problem
    needs a person"; with `any`, it turns "did not find X" into unknown.
    """

    reason: str
    """What cannot be told from manifests, e.g. `whether they call the network`."""


Condition: TypeAlias = FieldTest | Quantified | AllOf | AnyOf | Not | NamespaceHas | CannotTell


@dataclass(frozen=True, slots=True)
class Count:
    """Bounds on the number of kept resources."""

    at_least: int | None = None
    """Lowest count that passes."""
    at_most: int | None = None
    """Highest count that passes."""


@dataclass(frozen=True, slots=True)
class Probe:
    """A parsed probe."""

    summary: str
    """What the probe looks for; heads the evidence."""
    select: Selector
    """Which resources to look at."""
    where: Condition | None = None
    """Filter: resources for which it does not hold are dropped."""
    expect: Condition | None = None
    """Condition per kept resource (None when the probe counts)."""
    pass_when: PassWhen = "all"
    """How per-resource answers combine."""
    count: Count | None = None
    """Bounds on the number of kept resources (None when the probe expects)."""


@dataclass(frozen=True, slots=True)
class Subject:
    """A resource a probe looks at, or a namespace only named by other resources."""

    resource: Resource
    """The resource (for an implied namespace: a stand-in with just its name)."""
    implied_by: Resource | None = None
    """For a namespace that is not in the input: the first resource naming it."""
    ref: str = field(init=False, compare=False, repr=False)
    """`Deployment default/reviews-v1` (worked out once: every result names it)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "ref", self.resource.ref)


@dataclass(frozen=True, slots=True)
class Inventory:
    """All resources of one scan, indexed for probes."""

    resources: tuple[Resource, ...]
    """Every resource, in input order."""
    namespaces: Mapping[str, Resource]
    """Namespace objects in the input, by name."""
    implied_namespaces: tuple[Subject, ...]
    """Namespaces used by resources but not in the input, in order of first use."""
    controlled: frozenset[int]
    """Positions of resources whose controller (ownerReferences) is also in the input."""
    by_kind: Mapping[str, tuple[int, ...]] | None = field(default=None, compare=False, repr=False)
    """Positions of the resources of each kind; None: not indexed, look at every one."""
    by_namespace: Mapping[str, tuple[Resource, ...]] | None = field(
        default=None, compare=False, repr=False
    )
    """Resources by effective namespace, in input order; None: not indexed."""
    subjects: tuple[Subject, ...] | None = field(default=None, compare=False, repr=False)
    """A subject for each resource, in input order; None: make them as needed."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One resource behind a probe's answer, and what was seen in it."""

    resource: str
    """`Deployment default/reviews-v1`."""
    origin: Origin
    """File, document and line."""
    notes: tuple[str, ...] = ()
    """What was observed, each naming the field: `spec.template... is absent`."""

    def __str__(self) -> str:
        text = f"{self.resource} ({self.origin})"
        return f"{text}: {'; '.join(self.notes)}" if self.notes else text


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """A probe's answer with its evidence."""

    state: ProbeState
    """pass, fail, or unknown (nothing selected, or the manifests cannot tell)."""
    summary: str
    """One line: the probe's summary and the counts behind the answer."""
    evidence: tuple[Evidence, ...]
    """The resources that decided the answer."""


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


def probe_schema() -> dict[str, Any]:
    """The JSON Schema of a probe object."""
    # The probe is part of the checklist contract: one schema file, `$defs/probe`.
    checklist: dict[str, Any] = json.loads(PROBE_SCHEMA_PATH.read_text(encoding="utf-8"))
    return {
        "$schema": checklist["$schema"],
        "$defs": checklist["$defs"],
        "$ref": "#/$defs/probe",
    }


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
    # Imported here: exporting a checklist must not pay for jsonschema (tests/test_boundary.py).
    import jsonschema

    validator = _probe_validator()
    errors = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
    if errors:
        problems = []
        for error in errors:
            best = jsonschema.exceptions.best_match([error])
            problems.append(Problem(file, best.message, path=_json_path(at, best.absolute_path)))
        raise MeshkbError(problems)


@functools.cache
def _probe_validator() -> Any:
    """One validator for every probe of a run: building it reads and checks the schema."""
    import jsonschema

    return jsonschema.Draft202012Validator(probe_schema())


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
        operator = next(name for name in _FIELD_OPERATORS if name in data)
        operand = data[operator]
        if operator in _QUANTITY_OPERATORS:
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
    )


def build_inventory(resources: Sequence[Resource]) -> Inventory:
    """Index resources once for all the probes of a scan."""
    namespaces: dict[str, Resource] = {}
    for resource in resources:
        if resource.kind == "Namespace":
            namespaces.setdefault(resource.name, resource)
    implied: dict[str, Subject] = {}
    for resource in resources:
        name = resource.effective_namespace
        if name is not None and name not in namespaces and name not in implied:
            stand_in = Resource(
                api_version="v1",
                kind="Namespace",
                name=name,
                namespace=None,
                body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                origin=resource.origin,
            )
            implied[name] = Subject(stand_in, implied_by=resource)
    present = {(r.kind, r.effective_namespace, r.name) for r in resources}
    controlled = frozenset(
        position
        for position, resource in enumerate(resources)
        if _controller_present(resource, present)
    )
    by_kind: dict[str, list[int]] = {}
    by_namespace: dict[str, list[Resource]] = {}
    for position, resource in enumerate(resources):
        by_kind.setdefault(resource.kind, []).append(position)
        name = resource.effective_namespace
        if name is not None:
            by_namespace.setdefault(name, []).append(resource)
    return Inventory(
        tuple(resources),
        namespaces,
        tuple(implied.values()),
        controlled,
        by_kind={kind: tuple(positions) for kind, positions in by_kind.items()},
        by_namespace={name: tuple(found) for name, found in by_namespace.items()},
        subjects=tuple(Subject(resource) for resource in resources),
    )


def _controller_present(resource: Resource, present: set[tuple[str, str | None, str]]) -> bool:
    """True when the resource's controller is in the input too.

    `kubectl get all -o yaml` prints a Deployment, its ReplicaSets and their Pods; counting
    each would report one workload three times.
    """
    metadata = resource.body.get("metadata")
    owners = metadata.get("ownerReferences") if isinstance(metadata, dict) else None
    if not isinstance(owners, list):
        return False
    for owner in owners:
        if isinstance(owner, dict) and owner.get("controller") is True:
            kind, name = owner.get("kind"), owner.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                namespaced = (kind, resource.effective_namespace, name) in present
                if namespaced or (kind, None, name) in present:
                    return True
    return False


def evaluate_probe(probe: Probe, inventory: Inventory) -> ProbeResult:
    """Run one probe over the inventory (see `probe_eval`, which compiles its conditions)."""
    from .probe_eval import evaluate_probe as evaluate

    return evaluate(probe, inventory)
