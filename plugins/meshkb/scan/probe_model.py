"""The probe model: declarative, read-only checks over Kubernetes manifests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from meshkb.scan.resources import Origin, Resource

ProbeState: TypeAlias = Literal["pass", "fail", "unknown"]


PassWhen: TypeAlias = Literal["all", "any", "none"]


Failure: TypeAlias = Literal["breaks", "finding", "signal"]
"""What a failed probe means: the manifests break the check (gates), a finding, a signal."""


Truth: TypeAlias = bool | None
"""True, False, or None for unknown."""


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


FIELD_OPERATORS = (
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


QUANTITY_OPERATORS = frozenset({"at_least", "at_most", "less_than", "more_than"})


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
    cannot_confirm: str | None = None
    """What manifests cannot show of the check: a would-be pass is unknown, naming this."""
    failure: Failure | None = None
    """What a failure means; None: by the item's severity (see `results.failure_of`)."""


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
class ScanEvidence:
    """One resource behind a probe's answer, and what was seen in it."""

    resource: str
    """`Deployment default/reviews-v1`."""
    origin: Origin
    """File, document and line."""
    notes: tuple[str, ...] = ()
    """What was observed, each naming the field: `spec.template... is absent`."""

    def __reduce__(self) -> tuple[type[ScanEvidence], tuple[str, Origin, tuple[str, ...]]]:
        return ScanEvidence, (self.resource, self.origin, self.notes)  # as Origin's

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
    evidence: tuple[ScanEvidence, ...]
    """The resources that decided the answer."""
