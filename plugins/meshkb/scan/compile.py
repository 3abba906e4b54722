"""Probe conditions compiled once into closures: one that answers, one that also explains."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from meshkb.scan.access import (
    Access,
    Scope,
    access_for,
    field_holds,
    namespace_name,
    same_value,
    value_text,
)
from meshkb.scan.inventory import kinds_text, selector_matches
from meshkb.scan.probe_model import (
    AllOf,
    CannotTell,
    Condition,
    FieldTest,
    Inventory,
    NamespaceHas,
    Not,
    Quantified,
    Subject,
    Truth,
)
from meshkb.scan.resources import Resource

Notes: TypeAlias = tuple[str, ...]


Explained: TypeAlias = tuple[Truth, Notes]


Answered: TypeAlias = tuple[Truth, Notes | None]
"""An answer, with its notes or None when they are not written yet."""


TruthFn: TypeAlias = Callable[[Subject, Any], Truth]


ExplainFn: TypeAlias = Callable[[Subject, str, Any], Explained]


@dataclass(frozen=True, slots=True)
class Compiled:
    """A condition compiled for one probe's scope."""

    truth: TruthFn
    """The answer alone."""
    explain: ExplainFn
    """The answer and the notes that explain it."""
    simple: bool = True
    """Whether its notes are cheap to write: a single test, not a combination of tests."""


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


def compile_condition(condition: Condition, scope: Scope, *, inner: bool = False) -> Compiled:
    """Compile a condition for one probe's scope; `inner`: its paths start at an element."""
    if isinstance(condition, FieldTest):
        return _compile_field(condition, access_for(condition.path, scope, inner))
    if isinstance(condition, Quantified):
        check = compile_condition(condition.check, scope, inner=True)
        return _compile_quantified(condition, access_for(condition.path, scope, inner), check)
    if isinstance(condition, Not):
        return _compile_not(compile_condition(condition.condition, scope, inner=inner))
    if isinstance(condition, NamespaceHas):
        return _compile_namespace_has(condition, scope.inventory)
    if isinstance(condition, CannotTell):
        return _compile_cannot_tell(condition)
    parts = [compile_condition(part, scope, inner=inner) for part in condition.conditions]
    return _compile_junction(parts, conjunction=isinstance(condition, AllOf))


def _compile_field(test: FieldTest, access: Access) -> Compiled:
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
        # Kleene's all/any written out, as in _compile_quantified's `truth`: this runs once
        # per resource and part on the scan's hot path, where kleene_all over a generator
        # costs a call and a frame per answer.
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


def _compile_quantified(condition: Quantified, access: Access, check: Compiled) -> Compiled:
    values, locate = access.values, access.locate
    every = condition.quantifier == "every"
    check_truth = check.truth
    deciding, otherwise = (False, True) if every else (True, False)

    def truth(subject: Subject, element: Any) -> Truth:
        found = values(subject, element)
        if found is None:
            return None
        result: Truth = otherwise  # Kleene, written out: see _compile_junction
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
    kinds = kinds_text(selector.kinds)
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
