"""Evaluating probes: conditions compiled once per scan, notes built only where shown.

Each condition of a probe is compiled into two functions over one subject:

- `truth(subject, element)` answers True, False or None (unknown) and builds nothing;
- `explain(subject, where, element)` gives the same answer with the notes the evidence
  shows (`spec.selector = {...}`, `spec.template.spec.containers is absent`).

A result shows the notes of only some subjects (a `none` probe that passes shows none),
and a combination (`all`, `any`, `every`, `some`) keeps the notes of only the parts that
explain its answer: notes are written where they are kept, answers alone found for the
rest. `element` is the value that paths start at inside `every`/`some` (and `where` its
concrete path); at the resource level both are unused. The semantics, three-valued Kleene
logic included, are described in `probe.py`, which holds the probe model.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from .manifests import Resource
from .probe import (
    NAMESPACE_METADATA,
    POD_METADATA,
    POD_SPEC,
    POD_TEMPLATE_AT,
    AllOf,
    CannotTell,
    Condition,
    Count,
    Evidence,
    FieldPath,
    FieldTest,
    Inventory,
    Key,
    NamespaceHas,
    Not,
    Position,
    Probe,
    ProbeResult,
    ProbeState,
    Quantified,
    Selector,
    Step,
    Subject,
    Truth,
    parse_quantity,
)

Notes: TypeAlias = tuple[str, ...]
Explained: TypeAlias = tuple[Truth, Notes]
Answered: TypeAlias = tuple[Truth, Notes | None]
"""An answer, with its notes or None when they are not written yet."""
Located: TypeAlias = tuple[Sequence[tuple[str, Any]], str] | str
"""(concrete path, value) pairs with the path to name when there are none; or why unknown."""
TruthFn: TypeAlias = Callable[[Subject, Any], Truth]
ExplainFn: TypeAlias = Callable[[Subject, str, Any], Explained]
ValuesFn: TypeAlias = Callable[[Subject, Any], Sequence[Any] | None]
"""The values a path reaches; None when the manifests cannot show them."""
LocateFn: TypeAlias = Callable[[Subject, str, Any], Located]


@dataclass(frozen=True, slots=True)
class Compiled:
    """A condition compiled for one probe's scope."""

    truth: TruthFn
    """The answer alone."""
    explain: ExplainFn
    """The answer and the notes that explain it."""
    simple: bool = True
    """Whether its notes are cheap to write: a single test, not a combination of tests."""


_UNSEEN: Any = object()


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
            value = found.get(key, _UNSEEN)
            if value is _UNSEEN:
                template = POD_TEMPLATE_AT.get(resource.kind)
                value = None if template is None else walk_keys((*template, part), resource.body)
                found[key] = value
            return value

        return of


@dataclass(frozen=True, slots=True)
class _Access:
    """A path compiled for one probe's scope: its values, or its values with where they are."""

    values: ValuesFn
    locate: LocateFn


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
    made = inventory.subjects
    if made is None:
        made = tuple(Subject(resource) for resource in inventory.resources)
    controlled = inventory.controlled
    subjects = [made[position] for position in positions if position not in controlled]
    if "Namespace" in selector.kinds:
        subjects += inventory.implied_namespaces
    return [s for s in subjects if selector_matches(selector, s)]


def selector_matches(selector: Selector, subject: Subject) -> bool:
    """Whether the subject has a selected kind, namespace, name, labels and annotations."""
    resource = subject.resource
    if resource.kind not in selector.kinds:
        return False
    if selector.namespaces and namespace_name(resource) not in selector.namespaces:
        return False
    if selector.names and resource.name not in selector.names:
        return False
    if (selector.labels or selector.annotations) and subject.implied_by is not None:
        return False  # a namespace that is not in the input shows no labels
    for key, wanted in selector.labels.items():
        if not same_value(_metadata_map(resource, "labels").get(key), wanted):
            return False
    for key, wanted in selector.annotations.items():
        if not same_value(_metadata_map(resource, "annotations").get(key), wanted):
            return False
    return True


def _metadata_map(resource: Resource, key: str) -> dict[str, Any]:
    metadata = resource.body.get("metadata")
    value = metadata.get(key) if isinstance(metadata, dict) else None
    return value if isinstance(value, dict) else {}


def evaluate_probe(probe: Probe, inventory: Inventory) -> ProbeResult:
    """Run one probe over the inventory."""
    candidates = select_subjects(probe.select, inventory)
    kinds = _kinds_text(probe.select.kinds)
    if not candidates:
        summary = f"{probe.summary}: nothing selected (no {kinds} in the input)"
        return ProbeResult("unknown", summary, ())
    scope = Scope(inventory)
    where = None if probe.where is None else compile_condition(probe.where, scope)
    kept: list[Subject] = []
    # Per kept subject: whether `where` was unknown for it (its answer is then unknown).
    undecided: list[bool] = []
    if where is None:
        kept = candidates
        undecided = [False] * len(candidates)
    else:
        where_truth = where.truth
        for subject in candidates:
            truth = where_truth(subject, None)
            if truth is not False:
                kept.append(subject)
                undecided.append(truth is None)
    if probe.count is not None:
        notes = [
            where.explain(subject, "", None)[1] if where is not None and unsure else None
            for subject, unsure in zip(kept, undecided, strict=True)
        ]
        return _count_result(probe, probe.count, kept, notes, len(candidates), kinds)
    if not kept:
        summary = (
            f"{probe.summary}: nothing selected ({len(candidates)} {kinds}, none kept by where)"
        )
        return ProbeResult("unknown", summary, ())
    assert probe.expect is not None  # the schema requires expect when there is no count
    expect = compile_condition(probe.expect, scope)

    def explained(index: int) -> Explained:
        explain = where.explain if where is not None and undecided[index] else expect.explain
        return explain(kept[index], "", None)

    if probe.pass_when == "none":
        # Usually passes, showing no notes at all: answer first, explain only what is shown.
        expect_truth = expect.truth
        truths = [
            None if unsure else expect_truth(subject, None)
            for subject, unsure in zip(kept, undecided, strict=True)
        ]
        return _expect_result(probe, kept, truths, lambda index: explained(index)[1])
    # Otherwise most resources are usually shown: explain each one right away.
    answers = [explained(index) for index in range(len(kept))]
    truths = [answer for answer, _ in answers]
    return _expect_result(probe, kept, truths, lambda index: answers[index][1])


def _expect_result(
    probe: Probe,
    subjects: Sequence[Subject],
    truths: Sequence[Truth],
    notes_of: Callable[[int], Notes],
) -> ProbeResult:
    matched, unknown = truths.count(True), truths.count(None)
    if probe.pass_when == "all":
        met = kleene_all(truths)
    elif probe.pass_when == "any":
        met = kleene_any(truths)
    else:
        met = kleene_all([not truth if truth is not None else None for truth in truths])
    state: ProbeState = "pass" if met else ("unknown" if met is None else "fail")
    # Show the resources behind the answer: on pass, those that made it (all of them, or
    # for `any` the matches); otherwise those that broke it and those left unknown.
    wanted: Truth = probe.pass_when != "none"
    indices = range(len(subjects))
    if met:
        shown = [i for i in indices if probe.pass_when != "any" or truths[i] is True]
    elif probe.pass_when == "any":
        shown = list(indices)
    else:
        shown = [i for i in indices if truths[i] is not wanted]
    summary = f"{probe.summary}: {matched} of {len(subjects)} match"
    if unknown:
        summary += f", {unknown} unknown"
    # When a `none` probe passes, every note would only say what is absent: name the
    # resources that were looked at and leave it there (and build no notes at all).
    quiet = met is True and probe.pass_when == "none"
    evidence = tuple(_evidence(subjects[i], () if quiet else notes_of(i)) for i in shown)
    return ProbeResult(state, summary, evidence)


def _count_result(
    probe: Probe,
    count: Count,
    kept: Sequence[Subject],
    notes: Sequence[Notes | None],
    candidates: int,
    kinds: str,
) -> ProbeResult:
    """`notes` holds, per kept subject, why `where` was unknown (None when it held)."""
    known = notes.count(None)
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
    met = kleene_all(outcomes)
    state: ProbeState = "pass" if met else ("unknown" if met is None else "fail")
    summary = f"{probe.summary}: {known} counted of {candidates} selected"
    if unknown:
        summary += f", {unknown} unknown"
    summary += f"; expected {' and '.join(bounds)}"
    evidence = tuple(_evidence(s, found or ()) for s, found in zip(kept, notes, strict=True))
    return ProbeResult(state, summary, evidence)


def _evidence(subject: Subject, notes: Sequence[str] = ()) -> Evidence:
    if subject.implied_by is not None:
        notes = (f"not in the input (named by {subject.implied_by.ref})", *notes)
    return Evidence(subject.ref, subject.resource.origin, tuple(dict.fromkeys(notes)))


def kleene_all(truths: Iterable[Truth]) -> Truth:
    """False if any is False, else unknown if any is unknown, else True."""
    values = list(truths)
    if False in values:
        return False
    return None if None in values else True


def kleene_any(truths: Iterable[Truth]) -> Truth:
    """True if any is True, else unknown if any is unknown, else False."""
    values = list(truths)
    if True in values:
        return True
    return None if None in values else False


def _kinds_text(kinds: Sequence[str]) -> str:
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"


def compile_condition(condition: Condition, scope: Scope, *, inner: bool = False) -> Compiled:
    """Compile a condition for one probe's scope; `inner`: its paths start at an element."""
    if isinstance(condition, FieldTest):
        return _compile_field(condition, _access(condition.path, scope, inner))
    if isinstance(condition, Quantified):
        check = compile_condition(condition.check, scope, inner=True)
        return _compile_quantified(condition, _access(condition.path, scope, inner), check)
    if isinstance(condition, Not):
        return _compile_not(compile_condition(condition.condition, scope, inner=inner))
    if isinstance(condition, NamespaceHas):
        return _compile_namespace_has(condition, scope.inventory)
    if isinstance(condition, CannotTell):
        return _compile_cannot_tell(condition)
    parts = [compile_condition(part, scope, inner=inner) for part in condition.conditions]
    return _compile_junction(parts, conjunction=isinstance(condition, AllOf))


def _compile_field(test: FieldTest, access: _Access) -> Compiled:
    values, locate = access.values, access.locate
    holds = _holds(test.operator, test.operand)

    def truth(subject: Subject, element: Any) -> Truth:
        found = values(subject, element)
        return None if found is None else holds(found)

    def explain(subject: Subject, where: str, element: Any) -> Explained:
        located = locate(subject, where, element)
        if isinstance(located, str):
            return None, (located,)
        found, at = located
        notes = tuple(f"{path} = {value_text(value)}" for path, value in found)
        return holds([value for _, value in found]), notes or (f"{at} is absent",)

    return Compiled(truth, explain)


def _holds(operator: str, operand: Any) -> Callable[[Sequence[Any]], bool]:
    """Whether the values a path reached pass the test."""
    if operator == "exists":
        return lambda found: bool(found) == operand
    if operator == "not_equals":
        return lambda found: bool(found) and not any(same_value(v, operand) for v in found)
    if operator == "equals":
        return lambda found: any(same_value(v, operand) for v in found)
    return lambda found: any(field_holds(operator, operand, v) for v in found)


def _answer(part: Compiled, subject: Subject, where: str, element: Any) -> Answered:
    """A part's answer, with its notes when they are cheap (None: write them when kept).

    A combination keeps the notes of only some of its parts (see `_explaining`): writing
    the others' would be wasted, but answering a combination twice costs too.
    """
    if part.simple:
        return part.explain(subject, where, element)
    return part.truth(subject, element), None


def _notes(part: Compiled, answered: Answered, subject: Subject, where: str, element: Any) -> Notes:
    """A part's notes: those `_answer` wrote, or written now."""
    written = answered[1]
    return part.explain(subject, where, element)[1] if written is None else written


def _compile_junction(parts: Sequence[Compiled], *, conjunction: bool) -> Compiled:
    truths = tuple(part.truth for part in parts)
    # all: False decides, any: True decides; otherwise one unknown makes the answer unknown.
    deciding, otherwise = (False, True) if conjunction else (True, False)

    def truth(subject: Subject, element: Any) -> Truth:
        result: Truth = otherwise
        for part in truths:
            answer = part(subject, element)
            if answer is deciding:
                return deciding
            if answer is None:
                result = None
        return result

    def explain(subject: Subject, where: str, element: Any) -> Explained:
        answers = [_answer(part, subject, where, element) for part in parts]
        truths = [answer for answer, _ in answers]
        answer = kleene_all(truths) if conjunction else kleene_any(truths)
        keep = _explaining(answer, conjunction=conjunction)
        notes = [
            note
            for part, answered in zip(parts, answers, strict=True)
            if answered[0] in keep
            for note in _notes(part, answered, subject, where, element)
        ]
        return answer, tuple(dict.fromkeys(notes))

    return Compiled(truth, explain, simple=False)


def _explaining(truth: Truth, *, conjunction: bool) -> tuple[Truth, ...]:
    """The answers of the parts whose notes explain the combined truth.

    all-of: when it holds, every part explains it; when it fails, the failing parts; when
    unknown, the parts that held and the unknown ones. any-of mirrors that, keeping only
    the unknown parts when unknown.
    """
    if truth is None:
        return (True, None) if conjunction else (None,)
    if truth is conjunction:
        return (True, False, None)
    return (truth,)


def _compile_quantified(condition: Quantified, access: _Access, check: Compiled) -> Compiled:
    values, locate = access.values, access.locate
    every = condition.quantifier == "every"
    check_truth = check.truth
    deciding, otherwise = (False, True) if every else (True, False)

    def truth(subject: Subject, element: Any) -> Truth:
        found = values(subject, element)
        if found is None:
            return None
        result: Truth = otherwise
        for value in found:
            answer = check_truth(subject, value)
            if answer is deciding:
                return deciding
            if answer is None:
                result = None
        return result

    def explain(subject: Subject, where: str, element: Any) -> Explained:
        located = locate(subject, where, element)
        if isinstance(located, str):
            return None, (located,)
        found, at = located
        if not found:
            return every, (f"no element at {at}",)
        answers = [_answer(check, subject, path, value) for path, value in found]
        truths = [answer for answer, _ in answers]
        answer = kleene_all(truths) if every else kleene_any(truths)
        keep = _explaining(answer, conjunction=every)
        notes = []
        for (path, value), answered in zip(found, answers, strict=True):
            if answered[0] in keep:
                label = _element_label(value)
                notes += [note + label for note in _notes(check, answered, subject, path, value)]
        return answer, tuple(dict.fromkeys(notes))

    return Compiled(truth, explain, simple=False)


def _element_label(value: Any) -> str:
    name = value.get("name") if isinstance(value, dict) else None
    return f" (name: {name})" if isinstance(name, str) else ""


def _compile_not(inner: Compiled) -> Compiled:
    inner_truth, inner_explain = inner.truth, inner.explain

    def truth(subject: Subject, element: Any) -> Truth:
        answer = inner_truth(subject, element)
        return None if answer is None else not answer

    def explain(subject: Subject, where: str, element: Any) -> Explained:
        answer, notes = inner_explain(subject, where, element)
        return (None if answer is None else not answer), notes

    return Compiled(truth, explain, simple=inner.simple)


def _compile_namespace_has(condition: NamespaceHas, inventory: Inventory) -> Compiled:
    selector = condition.selector
    kinds = _kinds_text(selector.kinds)
    # The answer depends on the namespace only: work it out once per namespace.
    matches_in: dict[str, tuple[Resource, ...]] = {}

    def matches(name: str) -> tuple[Resource, ...]:
        found = matches_in.get(name)
        if found is None:
            if inventory.by_namespace is None:
                others: Iterable[Resource] = (
                    other for other in inventory.resources if other.effective_namespace == name
                )
            else:
                others = inventory.by_namespace.get(name, ())
            found = tuple(other for other in others if selector_matches(selector, Subject(other)))
            matches_in[name] = found
        return found

    def truth(subject: Subject, element: Any) -> Truth:
        name = namespace_name(subject.resource)
        return name is not None and bool(matches(name))

    def explain(subject: Subject, where: str, element: Any) -> Explained:
        resource = subject.resource
        name = namespace_name(resource)
        if name is None:
            return False, (f"{resource.ref} is not in a namespace",)
        found = matches(name)
        if not found:
            return False, (f"no {kinds} in namespace {name}",)
        return True, tuple(f"{other.ref} is in namespace {name}" for other in found)

    return Compiled(truth, explain)


def _compile_cannot_tell(condition: CannotTell) -> Compiled:
    note = (f"cannot tell from manifests {condition.reason}",)

    def truth(subject: Subject, element: Any) -> Truth:
        return None

    def explain(subject: Subject, where: str, element: Any) -> Explained:
        return None, note

    return Compiled(truth, explain)


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


def _access(path: FieldPath, scope: Scope, inner: bool) -> _Access:
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


def _element_access(path: FieldPath) -> _Access:
    rest = _Rest.of(path.steps)

    def values(subject: Subject, element: Any) -> Sequence[Any]:
        return rest.values(element)

    def locate(subject: Subject, where: str, element: Any) -> Located:
        return rest.located(where, element)

    return _Access(values, locate)


def _body_access(path: FieldPath) -> _Access:
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

    return _Access(values, locate)


def _pod_access(path: FieldPath, part: str, scope: Scope) -> _Access:
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

    return _Access(values, locate)


def _namespace_access(path: FieldPath, inventory: Inventory) -> _Access:
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

    return _Access(values, locate)


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
