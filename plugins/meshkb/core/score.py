"""Answers + checklist -> progress per severity, the gate, and the outcomes.

The page's JavaScript implements the same rules; `tests/vectors/` holds the cases
both must agree on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meshkb.core.model import SEVERITIES, STATES, Answer, Checklist, Report


@dataclass(frozen=True, slots=True)
class Progress:
    """Progress of one severity: `done` of `total`, `na` items left out of `total`."""

    severity: str
    """The severity."""
    done: int
    """Items passed or waived."""
    total: int
    """Applicable items: every live item of this severity except those answered n/a."""
    counts: Mapping[str, int]
    """Items per state."""


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    """What an outcome's rules gave for these answers."""

    id: str
    title: str
    result: str
    label: str
    reason: str


@dataclass(frozen=True, slots=True)
class Score:
    """Everything `report check` and the page show about a set of answers."""

    progress: tuple[Progress, ...]
    """One entry per severity that has items, most serious first."""
    gate: bool
    """True when no blocker is open or failed."""
    blocking: tuple[str, ...]
    """IDs of blockers that are open or failed."""
    outcomes: tuple[OutcomeResult, ...]
    """One result per outcome."""
    states: Mapping[str, str]
    """The state used for scoring, per live item ID."""
    reverify: tuple[str, ...]
    """Items answered for an older rev: counted as open until re-verified."""
    unconfirmed: tuple[str, ...]
    """Items whose state a probe set and no person has confirmed: counted as open."""


def effective_states(checklist: Checklist, answers: Mapping[str, Answer]) -> dict[str, str]:
    """The state each live item counts as: open when unanswered, outdated or unconfirmed."""
    states: dict[str, str] = {}
    for item in checklist.active_items():
        answer = answers.get(item.id)
        if answer is None or answer.rev != item.rev:
            states[item.id] = "open"
        else:
            states[item.id] = answer.effective_state
    return states


def score(checklist: Checklist, report: Report) -> Score:
    """Score a report against the current checklist."""
    answers = report.answer_by_id()
    states = effective_states(checklist, answers)
    items = checklist.active_items()
    progress = []
    for severity in SEVERITIES:
        of_severity = [item for item in items if item.severity == severity]
        if not of_severity:
            continue
        counts = dict.fromkeys(STATES, 0)
        for item in of_severity:
            counts[states[item.id]] += 1
        progress.append(
            Progress(
                severity=severity,
                done=counts["pass"] + counts["waived"],
                total=len(of_severity) - counts["na"],
                counts=counts,
            )
        )
    blocking = tuple(
        item.id
        for item in items
        if item.severity == "blocker" and states[item.id] in ("open", "fail")
    )
    live = {item.id: item for item in items}
    reverify = tuple(a.id for a in report.answers if a.id in live and a.rev != live[a.id].rev)
    unconfirmed = tuple(
        a.id for a in report.answers if a.id in live and a.prefilled and a.rev == live[a.id].rev
    )
    return Score(
        progress=tuple(progress),
        gate=not blocking,
        blocking=blocking,
        outcomes=tuple(evaluate_outcomes(checklist, states)),
        states=states,
        reverify=reverify,
        unconfirmed=unconfirmed,
    )


def evaluate_outcomes(checklist: Checklist, states: Mapping[str, str]) -> list[OutcomeResult]:
    """Each outcome's first rule that holds, or its `otherwise`."""
    results = []
    for outcome in checklist.outcomes:
        chosen = next(
            (rule for rule in outcome.rules if condition_holds(rule.when, states)),
            outcome.otherwise,
        )
        results.append(
            OutcomeResult(outcome.id, outcome.title, chosen.result, chosen.label, chosen.reason)
        )
    return results


def condition_holds(condition: Mapping[str, Any], states: Mapping[str, str]) -> bool:
    """Evaluate a declarative condition; an unanswered item counts as `open`."""
    if "all" in condition:
        return all(condition_holds(sub, states) for sub in condition["all"])
    if "any" in condition:
        return any(condition_holds(sub, states) for sub in condition["any"])
    if "not" in condition:
        return not condition_holds(condition["not"], states)
    wanted = condition["state"]
    wanted_set = {wanted} if isinstance(wanted, str) else set(wanted)
    if "item" in condition:
        return states.get(condition["item"], "open") in wanted_set
    count = sum(1 for item_id in condition["count"] if states.get(item_id, "open") in wanted_set)
    if "at_least" in condition and count < condition["at_least"]:
        return False
    return not ("at_most" in condition and count > condition["at_most"])


def score_to_data(result: Score) -> dict[str, Any]:
    """Plain data for JSON output and for comparing with the page."""
    return {
        "progress": {
            p.severity: {"done": p.done, "total": p.total, **dict(p.counts)}
            for p in result.progress
        },
        "gate": result.gate,
        "blocking": list(result.blocking),
        "outcomes": {
            o.id: {"result": o.result, "label": o.label, "reason": o.reason}
            for o in result.outcomes
        },
        "reverify": list(result.reverify),
        "unconfirmed": list(result.unconfirmed),
    }
