"""The domain model: checklists, items, answers and reports. No I/O here.

Every model in the package is a frozen, slotted dataclass with a docstring per field, so
their declarations look alike line by line (`duplicates` pairs them by shape with those of
cost/, scan/ and site/); they declare different data and share no logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CHECKLIST_FORMAT = "meshkb/checklist/v1"
REPORT_FORMAT = "meshkb/report/v1"

SEVERITIES = ("blocker", "required", "recommended", "optional")
"""Severities from the most to the least serious; reports list them in this order."""
STATES = ("open", "pass", "fail", "na", "waived")
"""Answer states. `pass` means the item's check statement holds for the system."""
STATE_LABELS = {"open": "Open", "pass": "Pass", "fail": "Fail", "na": "N/A", "waived": "Waived"}
"""How the page and the reports name each state."""
DONE_STATES = frozenset({"pass", "na", "waived"})
"""States rendered as a ticked box in the Markdown report."""
MESHES = ("istio", "linkerd", "cilium")
DATAPLANES = ("sidecar", "ambient", "node-proxy")
HOW_KEYS = ("default", "istio", "linkerd", "cilium")


FILL_IN_HELP = (
    "<!-- Fill in: tick a box ([x]) when the check holds. Otherwise set State to fail, "
    "na (add a Reason) or waived (add an Owner and a Reason). Notes take Markdown; indent "
    "follow-on lines by four spaces. Then run: meshkb report check FILE -->"
)
"""The comment heading every fill-in report (and the page's export); here so the page
renderer need not import the report module."""


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference: a knowledge-base page section or an external primary source."""

    page: str | None = None
    """Page path relative to `docs/`, with an optional `#anchor`."""
    url: str | None = None
    """External source URL."""
    title: str | None = None
    """Title of the external source."""
    as_of: str | None = None
    """The version or date the cited fact holds for."""


@dataclass(frozen=True, slots=True)
class AppliesWhen:
    """Which meshes and data planes an item applies to; empty means all."""

    mesh: tuple[str, ...] = ()
    """Meshes (`istio`, `linkerd`, `cilium`); empty means every mesh."""
    dataplane: tuple[str, ...] = ()
    """Data planes (`sidecar`, `ambient`, `node-proxy`); empty means every data plane."""

    def matches(self, mesh: str | None, dataplane: str | None) -> bool:
        """Whether an item with this rule applies to a system on `mesh` / `dataplane`."""
        if mesh and self.mesh and mesh not in self.mesh:
            return False
        return not (dataplane and self.dataplane and dataplane not in self.dataplane)

    def describe(self) -> str:
        """A short human phrase, e.g. `istio (sidecar)`."""
        text = ", ".join(self.mesh) if self.mesh else "any mesh"
        if self.dataplane:
            text += f" ({', '.join(self.dataplane)})"
        return text


@dataclass(frozen=True, slots=True)
class Item:
    """One checklist item. Its `id` is opaque: never renumbered, never reused."""

    id: str
    """`PREFIX-NNNN`, e.g. `MIG-0003`."""
    rev: int
    """Bumped when the meaning of the item changes; answers to an older rev need re-verifying."""
    title: str
    """Short imperative title."""
    status: str = "active"
    """`active`, or `retired` for a tombstone."""
    check: str = ""
    """The verifiable statement (Markdown)."""
    why: str = ""
    """Why it matters (Markdown)."""
    how: tuple[tuple[str, str], ...] = ()
    """What to run or look at: `(key, markdown)` pairs; key `default` or a mesh name."""
    severity: str = "optional"
    """One of SEVERITIES."""
    applies_when: AppliesWhen = field(default_factory=AppliesWhen)
    """When the item applies."""
    refs: tuple[Ref, ...] = ()
    """Pages and sources that explain the item."""
    probe: Mapping[str, Any] | None = None
    """Optional declarative probe over Kubernetes manifests."""
    replaced_by: str | None = None
    """For a tombstone: the item that replaces it."""
    reason: str | None = None
    """For a tombstone: why it was retired."""

    @property
    def retired(self) -> bool:
        return self.status == "retired"


@dataclass(frozen=True, slots=True)
class Section:
    """A titled group of items."""

    id: str
    """Slug, unique in its checklist."""
    title: str
    """Section title."""
    intro: str = ""
    """Optional introduction (Markdown)."""
    items: tuple[Item, ...] = ()
    """Items in display order, tombstones included."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of an outcome: the first rule whose condition holds gives the result."""

    when: Mapping[str, Any]
    """A declarative condition over answers (see `score.condition_holds`)."""
    result: str
    """Machine-readable result, e.g. `plan-removal`."""
    label: str
    """Human-readable result, e.g. `Plan a removal`."""
    reason: str
    """Why this result follows."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A declarative decision computed from the answers."""

    id: str
    """Slug."""
    title: str
    """What is being decided."""
    rules: tuple[Rule, ...]
    """Evaluated in order; the first whose `when` holds wins."""
    otherwise: Rule
    """The result when no rule holds (its `when` is empty)."""


@dataclass(frozen=True, slots=True)
class Checklist:
    """A checklist as loaded from `checklists/<id>.yaml`."""

    id: str
    """Slug; also the CLI argument."""
    prefix: str
    """Three capitals that start every item ID."""
    version: str
    """Semantic version of the content."""
    title: str
    """Title."""
    summary: str
    """One or two sentences (Markdown)."""
    last_reviewed: str
    """ISO date of the last content review."""
    sections: tuple[Section, ...]
    """Sections in display order."""
    applies_to: AppliesWhen = field(default_factory=AppliesWhen)
    """Meshes and data planes the checklist covers."""
    outcomes: tuple[Outcome, ...] = ()
    """Declarative outcomes."""
    source: str = ""
    """The file it was loaded from, for messages."""

    def all_items(self) -> list[Item]:
        """Every item, tombstones included, in display order."""
        return [item for section in self.sections for item in section.items]

    def active_items(self) -> list[Item]:
        """Items that are not retired, in display order."""
        return [item for item in self.all_items() if not item.retired]

    def item_by_id(self) -> dict[str, Item]:
        """Every item (tombstones included) by ID."""
        return {item.id: item for item in self.all_items()}

    def display_numbers(self) -> dict[str, str]:
        """`2.3`-style numbers for active items; computed, never stored or cited."""
        numbers: dict[str, str] = {}
        for s_index, section in enumerate(self.sections, start=1):
            active = [item for item in section.items if not item.retired]
            for i_index, item in enumerate(active, start=1):
                numbers[item.id] = f"{s_index}.{i_index}"
        return numbers


@dataclass(frozen=True, slots=True)
class AnswerEvidence:
    """A piece of evidence under an answer."""

    text: str
    """One line naming what was seen, e.g. the resource and the field."""
    source: str = "person"
    """`person`, or `probe` when a manifest probe found it."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A reviewer's answer to one item."""

    id: str
    """The item ID."""
    rev: int
    """The item rev the answer was given for."""
    state: str = "open"
    """One of STATES."""
    note: str = ""
    """Free Markdown."""
    reason: str = ""
    """Required for `na` and `waived`."""
    owner: str = ""
    """Required for `waived`: who owns the accepted risk."""
    evidence: tuple[AnswerEvidence, ...] = ()
    """What was seen."""
    prefilled: bool = False
    """The state was set by a probe and no person has confirmed it yet."""
    automatic: bool = False
    """meshkb set this n/a from the report's scope (the item is for another mesh or data
    plane), not a person: carried forward, it is derived again from the new scope."""

    @property
    def effective_state(self) -> str:
        """The state scoring uses: an unconfirmed probe result still counts as open."""
        return "open" if self.prefilled else self.state


@dataclass(frozen=True, slots=True)
class Report:
    """A review of one system against one checklist version."""

    checklist: str
    """Checklist ID."""
    checklist_version: str
    """The checklist version the report was made from."""
    system: str = ""
    """What is being reviewed, e.g. a namespace or a service."""
    mesh: str = ""
    """`istio`, `linkerd`, `cilium`, or empty."""
    dataplane: str = ""
    """`sidecar`, `ambient`, `node-proxy`, or empty."""
    date: str = ""
    """ISO date of the review."""
    reviewers: tuple[str, ...] = ()
    """Who reviewed."""
    answers: tuple[Answer, ...] = ()
    """Answers in report order."""

    def answer_by_id(self) -> dict[str, Answer]:
        return {answer.id: answer for answer in self.answers}
