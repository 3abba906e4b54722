"""What a scan finds: items with probes, their results, and the scan's outcome."""

from __future__ import annotations

from dataclasses import dataclass

from meshkb.core.errors import Problem
from meshkb.scan.probe_model import (
    Probe,
    ProbeState,
    ScanEvidence,
)


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
    """blocker, required, recommended or optional; sets the SARIF level of a failure."""


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
