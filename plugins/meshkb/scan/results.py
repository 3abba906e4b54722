"""What a scan finds: items with probes, their results, and the scan's outcome."""

from __future__ import annotations

from dataclasses import dataclass

from meshkb.core.errors import Problem
from meshkb.scan.probe_model import (
    Failure,
    Probe,
    ProbeState,
    ScanEvidence,
)

GATING_SEVERITIES = frozenset({"blocker", "required"})
"""Severities whose probes' failures gate when the probe does not say (`failure`)."""


def failure_of(probe: Probe, severity: str | None) -> Failure:
    """What the probe's failure means: its `failure`, else by the item's severity."""
    if probe.failure is not None:
        return probe.failure
    return "breaks" if severity in GATING_SEVERITIES else "finding"


@dataclass(frozen=True, slots=True)
class ScanItem:
    """A checklist item with a probe."""

    item_id: str
    """Item ID, e.g. `TRP-0008` (or a proposal key)."""
    title: str
    """Item title."""
    probe: Probe
    """The parsed probe."""
    severity: str | None = None
    """blocker, required, recommended or optional."""
    checklist: str = ""
    """The checklist's ID, e.g. `traps` (empty for a proposal)."""
    check: str = ""
    """The item's verifiable statement (Markdown)."""
    how: str = ""
    """What to run or look at (Markdown; the item's default advice)."""

    @property
    def failure(self) -> Failure:
        """What a failure of its probe means (see `failure_of`)."""
        return failure_of(self.probe, self.severity)


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What a probe found for one item."""

    item_id: str
    """Item ID."""
    title: str
    """Item title."""
    state: ProbeState
    """pass, fail or unknown."""
    summary: str
    """The probe's summary with the counts behind the answer."""
    evidence: tuple[ScanEvidence, ...]
    """Resources behind the answer, each with file, document and line."""
    severity: str | None = None
    """The item's severity, when known."""
    failure: Failure = "finding"
    """What a failure means: breaks (gates), finding or signal."""

    @property
    def gates(self) -> bool:
        """Whether it fails `meshkb scan --gate`: failed, and the manifests break the check."""
        return self.state == "fail" and self.failure == "breaks"


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """Results of one scan and what got in the way."""

    results: tuple[ItemResult, ...]
    """One result per item, in the order given."""
    problems: tuple[Problem, ...]
    """Input that could not be read; printed one per line on stderr."""
    notices: tuple[Problem, ...]
    """Things worth saying that are not errors (kinds not checked)."""
    resources_read: int
    """How many resources the probes saw."""
