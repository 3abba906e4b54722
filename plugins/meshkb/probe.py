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
from collections.abc import Callable, Iterable, Mapping, Sequence
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

_POD_TEMPLATE_AT: Mapping[str, tuple[str, ...]] = {
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

    @property
    def ref(self) -> str:
        """`Deployment default/reviews-v1`."""
        return self.resource.ref


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


def _namespace_name(resource: Resource) -> str | None:
    return resource.name if resource.kind == "Namespace" else resource.effective_namespace


def _metadata_map(resource: Resource, key: str) -> Mapping[str, Any]:
    metadata = resource.body.get("metadata")
    value = metadata.get(key) if isinstance(metadata, dict) else None
    return value if isinstance(value, dict) else {}


def _selector_matches(selector: Selector, subject: Subject) -> bool:
    resource = subject.resource
    if resource.kind not in selector.kinds:
        return False
    if selector.namespaces and _namespace_name(resource) not in selector.namespaces:
        return False
    if selector.names and resource.name not in selector.names:
        return False
    if (selector.labels or selector.annotations) and subject.implied_by is not None:
        return False  # a namespace that is not in the input shows no labels
    for key, wanted in selector.labels.items():
        if not _same_value(_metadata_map(resource, "labels").get(key), wanted):
            return False
    for key, wanted in selector.annotations.items():
        if not _same_value(_metadata_map(resource, "annotations").get(key), wanted):
            return False
    return True


def select_subjects(selector: Selector, inventory: Inventory) -> list[Subject]:
    """Resources (and implied namespaces) the selector picks, in input order.

    A resource whose controller is also in the input is left out: the controller stands
    for it.
    """
    if inventory.by_kind is None:
        positions: Iterable[int] = range(len(inventory.resources))
    else:
        # Only the selected kinds, still in input order.
        chosen = [inventory.by_kind.get(kind, ()) for kind in dict.fromkeys(selector.kinds)]
        positions = chosen[0] if len(chosen) == 1 else sorted(p for part in chosen for p in part)
    resources = inventory.resources
    subjects = [
        Subject(resources[position])
        for position in positions
        if position not in inventory.controlled
    ]
    if "Namespace" in selector.kinds:
        subjects += inventory.implied_namespaces
    return [s for s in subjects if _selector_matches(selector, s)]


@dataclass(frozen=True, slots=True)
class _Found:
    """A value a path reached, and where."""

    where: str
    """Concrete path for evidence, e.g. `spec.template.spec.containers[0].image`."""
    value: Any
    """The value there."""


@dataclass(frozen=True, slots=True)
class _Unknowable:
    """A path that leads somewhere the manifests do not show."""

    reason: str
    """Why, e.g. `Namespace default is not in the input`."""


@dataclass(frozen=True, slots=True)
class _Verdict:
    """A condition's answer for one subject, with what was observed."""

    truth: Truth
    """True, False, or None for unknown."""
    notes: tuple[str, ...]
    """Observations, each naming a field; they stay true whatever the verdict."""


@dataclass(frozen=True, slots=True)
class _Context:
    """Where paths start while evaluating a condition."""

    subject: Subject
    """The resource being looked at."""
    inventory: Inventory
    """Everything in the scan, for namespace look-ups."""
    element: _Found | None = None
    """Inside `every`/`some`: the element paths start at; None at the resource level."""


@functools.lru_cache(maxsize=4096)
def _key_text(name: str, first: bool) -> str:
    plain = name and not any(char in name for char in '.[]" /')
    if plain:
        return name if first else f".{name}"
    return f'["{name}"]'


def _steps_text(steps: Sequence[Step], prefix: str) -> str:
    text = prefix
    for step in steps:
        if isinstance(step, Key):
            text += _key_text(step.name, not text)
        elif isinstance(step, Position):
            text += f"[{step.index}]"
        else:
            text += "[*]"
    return text


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

    def text(self, prefix: str) -> str:
        """What `_steps_text(steps, prefix)` gives."""
        return prefix + self.more_text if prefix else self.first_text


@dataclass(frozen=True, slots=True)
class _Compiled:
    path: FieldPath
    """The path (kept, so its id stays its own while cached)."""
    root_name: str | None
    """The first key, which may name a root such as `podSpec`."""
    rests: tuple[_Rest, _Rest]
    """The rest after 0 and after 1 step."""


_COMPILED: dict[int, _Compiled] = {}


def _compiled(path: FieldPath) -> _Compiled:
    entry = _COMPILED.get(id(path))
    if entry is not None and entry.path is path:
        return entry
    rests = []
    for used in (0, 1):
        steps = path.steps[used:]
        keys = tuple(s.name for s in steps if isinstance(s, Key))
        all_keys = len(keys) == len(steps)
        more = _steps_text(steps, "x")[1:] if steps else ""
        rests.append(_Rest(steps, keys if all_keys else None, _steps_text(steps, ""), more))
    first = path.steps[0]
    entry = _Compiled(path, first.name if isinstance(first, Key) else None, (rests[0], rests[1]))
    if len(_COMPILED) > 10_000:
        _COMPILED.clear()
    _COMPILED[id(path)] = entry
    return entry


def _walk(steps: Sequence[Step], start: _Found) -> list[_Found]:
    current = [start]
    for step in steps:
        reached: list[_Found] = []
        if isinstance(step, Key):
            name = step.name
            for found in current:
                value = found.value
                if isinstance(value, dict):
                    item = value.get(name)
                    if item is not None:
                        reached.append(_Found(found.where + _key_text(name, not found.where), item))
        elif isinstance(step, Position):
            index = step.index
            for found in current:
                value = found.value
                item = value[index] if isinstance(value, list) and index < len(value) else None
                if item is not None:
                    reached.append(_Found(f"{found.where}[{index}]", item))
        else:
            for found in current:
                value = found.value
                if isinstance(value, list):
                    reached += [
                        _Found(f"{found.where}[{i}]", item)
                        for i, item in enumerate(value)
                        if item is not None
                    ]
                elif isinstance(value, dict):
                    reached += [
                        _Found(found.where + _key_text(str(k), False), item)
                        for k, item in value.items()
                        if item is not None
                    ]
        if not reached:
            return reached
        current = reached
    return current


def _walk_keys(keys: Sequence[str], value: Any) -> Any:
    """The value under these keys, or None: `_walk` for paths of keys only."""
    for name in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
        if value is None:
            return None
    return value


_POD_ROOT_TEXT: dict[tuple[str, str], str] = {
    (kind, part): _steps_text([Key(k) for k in (*template, part)], "")
    for kind, template in _POD_TEMPLATE_AT.items()
    for part in ("spec", "metadata")
}


def _root(compiled: _Compiled, context: _Context) -> tuple[_Found | _Unknowable | None, int]:
    """Where the path starts and how many of its steps that used; None: nothing there."""
    if context.element is not None:
        return context.element, 0
    subject = context.subject
    resource = subject.resource
    root_name = compiled.root_name
    if subject.implied_by is not None:
        readable = compiled.rests[0].first_text in ("metadata.name", "kind", "apiVersion")
        if not readable:
            return _Unknowable("so its labels, annotations and other fields are unknown"), 0
    if root_name in (POD_SPEC, POD_METADATA):
        template = _POD_TEMPLATE_AT.get(resource.kind)
        if template is None:
            return None, 1
        part = "spec" if root_name == POD_SPEC else "metadata"
        value = _walk_keys((*template, part), resource.body)
        if value is None:
            return None, 1
        return _Found(_POD_ROOT_TEXT[resource.kind, part], value), 1
    if root_name == NAMESPACE_METADATA:
        if resource.kind == "Namespace":
            return _Found("metadata", resource.body.get("metadata")), 1
        name = resource.effective_namespace
        if name is None:
            return None, 1
        namespace = context.inventory.namespaces.get(name)
        if namespace is None:
            reason = (
                f"Namespace {name} is not in the input, so its labels and annotations are unknown"
            )
            return _Unknowable(reason), 1
        return _Found(f"Namespace {name} metadata", namespace.body.get("metadata")), 1
    return _Found("", resource.body), 0


def _resolve(path: FieldPath, context: _Context) -> tuple[list[_Found] | _Unknowable, str]:
    """The values a path reaches (or why they are unknowable), and the path for notes."""
    compiled = _compiled(path)
    start, used = _root(compiled, context)
    if isinstance(start, _Unknowable):
        return start, path.text
    if start is None:
        return [], path.text
    rest = compiled.rests[used]
    where = rest.text(start.where)
    if rest.keys is None:
        return _walk(rest.steps, start), where
    if not rest.keys:
        return [start], where
    value = _walk_keys(rest.keys, start.value)
    if value is None:
        return [], where
    return [_Found(where, value)], where


_encode_string: Callable[[str], str] = json.encoder.encode_basestring  # json.dumps' own


def _value_text(value: Any, limit: int = 80) -> str:
    try:
        if type(value) is str:
            text = _encode_string(value)  # the same text, without building an encoder
        else:
            text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (ValueError, RecursionError):
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _spelling(value: Any) -> str | None:
    """How a scalar is written in YAML, for comparing a string with a number or bool."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def _same_value(actual: Any, expected: Any) -> bool:
    # Python's True == 1 must not count: a manifest's `1` is not `true`.
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


def _field_holds(operator: str, operand: Any, value: Any) -> bool:
    if operator in ("equals", "not_equals"):
        return _same_value(value, operand)
    if operator == "in":
        return any(_same_value(value, choice) for choice in operand)
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


def _evaluate_field(test: FieldTest, context: _Context) -> _Verdict:
    found, where = _resolve(test.path, context)
    if isinstance(found, _Unknowable):
        return _Verdict(None, (found.reason,))
    notes = tuple(f"{f.where} = {_value_text(f.value)}" for f in found) or (f"{where} is absent",)
    if test.operator == "exists":
        return _Verdict(bool(found) == test.operand, notes)
    if test.operator == "not_equals":
        holds = bool(found) and not any(
            _field_holds("equals", test.operand, f.value) for f in found
        )
        return _Verdict(holds, notes)
    return _Verdict(any(_field_holds(test.operator, test.operand, f.value) for f in found), notes)


def _kleene_all(truths: Iterable[Truth]) -> Truth:
    values = list(truths)
    if False in values:
        return False
    return None if None in values else True


def _kleene_any(truths: Iterable[Truth]) -> Truth:
    values = list(truths)
    if True in values:
        return True
    return None if None in values else False


def _dedupe(notes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(notes))


def _combine(verdicts: Sequence[_Verdict], truth: Truth, *, conjunction: bool) -> _Verdict:
    """Keep the notes that explain the combined truth.

    all-of: when it holds, every part explains it; when it fails, the failing parts; when
    unknown, the parts that held and the unknown ones. any-of mirrors that, keeping only
    the unknown parts when unknown.
    """
    if truth is None:
        keep: tuple[Truth, ...] = (True, None) if conjunction else (None,)
    elif truth is conjunction:
        keep = (True, False, None)
    else:
        keep = (truth,)
    return _Verdict(truth, _dedupe(note for v in verdicts if v.truth in keep for note in v.notes))


def _element_label(found: _Found) -> str:
    value = found.value
    name = value.get("name") if isinstance(value, dict) else None
    return f" (name: {name})" if isinstance(name, str) else ""


def _evaluate_quantified(condition: Quantified, context: _Context) -> _Verdict:
    found, where = _resolve(condition.path, context)
    if isinstance(found, _Unknowable):
        return _Verdict(None, (found.reason,))
    if not found:
        return _Verdict(condition.quantifier == "every", (f"no element at {where}",))
    verdicts = []
    for element in found:
        inner = _evaluate(condition.check, _Context(context.subject, context.inventory, element))
        label = _element_label(element)
        verdicts.append(_Verdict(inner.truth, tuple(note + label for note in inner.notes)))
    if condition.quantifier == "every":
        return _combine(verdicts, _kleene_all(v.truth for v in verdicts), conjunction=True)
    return _combine(verdicts, _kleene_any(v.truth for v in verdicts), conjunction=False)


def _kinds_text(kinds: Sequence[str]) -> str:
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"


def _evaluate_namespace_has(condition: NamespaceHas, context: _Context) -> _Verdict:
    resource = context.subject.resource
    name = _namespace_name(resource)
    if name is None:
        return _Verdict(False, (f"{resource.ref} is not in a namespace",))
    inventory = context.inventory
    if inventory.by_namespace is None:
        others: Iterable[Resource] = (
            other for other in inventory.resources if other.effective_namespace == name
        )
    else:
        others = inventory.by_namespace.get(name, ())
    matches = [other for other in others if _selector_matches(condition.selector, Subject(other))]
    if not matches:
        kinds = _kinds_text(condition.selector.kinds)
        return _Verdict(False, (f"no {kinds} in namespace {name}",))
    return _Verdict(True, tuple(f"{other.ref} is in namespace {name}" for other in matches))


def _evaluate(condition: Condition, context: _Context) -> _Verdict:
    """Evaluate one condition for one subject."""
    if isinstance(condition, FieldTest):
        return _evaluate_field(condition, context)
    if isinstance(condition, Quantified):
        return _evaluate_quantified(condition, context)
    if isinstance(condition, Not):
        inner = _evaluate(condition.condition, context)
        return _Verdict(None if inner.truth is None else not inner.truth, inner.notes)
    if isinstance(condition, NamespaceHas):
        return _evaluate_namespace_has(condition, context)
    if isinstance(condition, CannotTell):
        return _Verdict(None, (f"cannot tell from manifests {condition.reason}",))
    parts = [_evaluate(part, context) for part in condition.conditions]
    if isinstance(condition, AllOf):
        return _combine(parts, _kleene_all(p.truth for p in parts), conjunction=True)
    return _combine(parts, _kleene_any(p.truth for p in parts), conjunction=False)


def _evidence(subject: Subject, notes: Sequence[str] = ()) -> Evidence:
    if subject.implied_by is not None:
        notes = (f"not in the input (named by {subject.implied_by.ref})", *notes)
    return Evidence(subject.ref, subject.resource.origin, _dedupe(notes))


def evaluate_probe(probe: Probe, inventory: Inventory) -> ProbeResult:
    """Run one probe over the inventory."""
    candidates = select_subjects(probe.select, inventory)
    kinds = _kinds_text(probe.select.kinds)
    if not candidates:
        summary = f"{probe.summary}: nothing selected (no {kinds} in the input)"
        return ProbeResult("unknown", summary, ())
    kept: list[tuple[Subject, _Verdict | None]] = []
    for subject in candidates:
        if probe.where is None:
            kept.append((subject, None))
            continue
        verdict = _evaluate(probe.where, _Context(subject, inventory))
        if verdict.truth is not False:
            kept.append((subject, verdict if verdict.truth is None else None))
    if probe.count is not None:
        return _count_result(probe, probe.count, kept, len(candidates), kinds)
    if not kept:
        summary = (
            f"{probe.summary}: nothing selected ({len(candidates)} {kinds}, none kept by where)"
        )
        return ProbeResult("unknown", summary, ())
    assert probe.expect is not None  # the schema requires expect when there is no count
    verdicts = [
        (subject, undecided or _evaluate(probe.expect, _Context(subject, inventory)))
        for subject, undecided in kept
    ]
    return _expect_result(probe, verdicts)


def _expect_result(probe: Probe, verdicts: Sequence[tuple[Subject, _Verdict]]) -> ProbeResult:
    truths = [verdict.truth for _, verdict in verdicts]
    matched, unknown = truths.count(True), truths.count(None)
    if probe.pass_when == "all":
        met = _kleene_all(truths)
    elif probe.pass_when == "any":
        met = _kleene_any(truths)
    else:
        met = _kleene_all(not truth if truth is not None else None for truth in truths)
    state: ProbeState = "pass" if met else ("unknown" if met is None else "fail")
    # Show the resources behind the answer: on pass, those that made it (all of them, or
    # for `any` the matches); otherwise those that broke it and those left unknown.
    wanted: Truth = probe.pass_when != "none"
    if met:
        shown = [(s, v) for s, v in verdicts if probe.pass_when != "any" or v.truth is True]
    elif probe.pass_when == "any":
        shown = list(verdicts)
    else:
        shown = [(s, v) for s, v in verdicts if v.truth is not wanted]
    summary = f"{probe.summary}: {matched} of {len(verdicts)} match"
    if unknown:
        summary += f", {unknown} unknown"
    # When a `none` probe passes, every note would only say what is absent: name the
    # resources that were looked at and leave it there.
    quiet = met is True and probe.pass_when == "none"
    evidence = tuple(_evidence(s, () if quiet else v.notes) for s, v in shown)
    return ProbeResult(state, summary, evidence)


def _count_result(
    probe: Probe,
    count: Count,
    kept: Sequence[tuple[Subject, _Verdict | None]],
    candidates: int,
    kinds: str,
) -> ProbeResult:
    known = sum(1 for _, undecided in kept if undecided is None)
    unknown = len(kept) - known
    outcomes: list[Truth] = []
    bounds: list[str] = []
    if count.at_least is not None:
        bounds.append(f"at least {count.at_least}")
        lowest_met = known >= count.at_least
        outcomes.append(True if lowest_met else (None if len(kept) >= count.at_least else False))
    if count.at_most is not None:
        bounds.append(f"at most {count.at_most}")
        highest_met = len(kept) <= count.at_most
        outcomes.append(True if highest_met else (None if known <= count.at_most else False))
    met = _kleene_all(outcomes)
    state: ProbeState = "pass" if met else ("unknown" if met is None else "fail")
    summary = f"{probe.summary}: {known} counted of {candidates} selected"
    if unknown:
        summary += f", {unknown} unknown"
    summary += f"; expected {' and '.join(bounds)}"
    evidence = tuple(
        _evidence(subject, undecided.notes if undecided else ()) for subject, undecided in kept
    )
    return ProbeResult(state, summary, evidence)
