"""Run one probe over the inventory: select, test, count, and say why."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from meshkb.scan.access import Scope
from meshkb.scan.compile import Explained, Notes, compile_condition, kleene_all, kleene_any
from meshkb.scan.inventory import kinds_text, select_subjects
from meshkb.scan.probe_model import (
    Count,
    Inventory,
    Probe,
    ProbeResult,
    ProbeState,
    ScanEvidence,
    Subject,
    Truth,
)


def evaluate_probe(probe: Probe, inventory: Inventory) -> ProbeResult:
    """Run one probe over the inventory.

    A probe whose `cannot_confirm` names a part of the check the manifests cannot show
    never passes: what would have been a pass is unknown, with the same evidence.
    """
    result = _evaluate(probe, inventory)
    if result.state != "pass" or probe.cannot_confirm is None:
        return result
    summary = f"{result.summary}; cannot tell from manifests {probe.cannot_confirm}"
    return ProbeResult("unknown", summary, result.evidence)


def _evaluate(probe: Probe, inventory: Inventory) -> ProbeResult:
    candidates = select_subjects(probe.select, inventory)
    kinds = kinds_text(probe.select.kinds)
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


def _evidence(subject: Subject, notes: Sequence[str] = ()) -> ScanEvidence:
    if subject.implied_by is not None:
        notes = (f"not in the input (named by {subject.implied_by.ref})", *notes)
    return ScanEvidence(subject.ref, subject.resource.origin, tuple(dict.fromkeys(notes)))
