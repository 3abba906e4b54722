"""The compatibility matrix, generated from the facts: which mesh release states which Kubernetes.

`data/compatibility.yaml` names the Kubernetes minors shown (fact keys) and the rows: a
label, the fact holding the range the project states (or the text shown when none is
confirmed) and whether the release is still supported. Each cell follows from the range:
"yes" inside it, "—" below it, and above it "not stated" for a supported release (support
may still be added) or "—" for one at end of life; a row with no range is "not stated"
throughout. `[[meshkb:compatibility-matrix]]` splices the table into a page; its fact
references resolve like any others, so the range cell carries its source mark.

A range is parsed in exactly the forms the facts hold (`RANGE_FORMS`); any other value is a
problem located at the row that cites it, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from meshkb.core import validate
from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.facts import FactBase, references
from meshkb.core.files import read_text
from meshkb.core.yaml_policy import Located, load_yaml_text

DATA_PATH = Path(__file__).resolve().parents[1] / "data" / "compatibility.yaml"
"""The shipped matrix definition."""

Minor = tuple[int, int]
"""A Kubernetes minor: (1, 31) for 1.31."""

YES, OUTSIDE, NOT_STATED = "yes", "—", "not stated"

_MINOR = r"(\d+)\.(\d+)"
RANGE_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("1.32\u20131.36 (an en dash)", re.compile(rf"{_MINOR}\u2013{_MINOR}")),
    ("Kubernetes 1.30-1.34", re.compile(rf"Kubernetes {_MINOR}-{_MINOR}")),
    (
        "an AKS revision row, asm-1-28 (…, AKS 1.30-1.35)",
        re.compile(rf"asm-\d+-\d+ \([^()]*, AKS {_MINOR}-{_MINOR}\)"),
    ),
)
"""The forms a stated range takes in the facts, each with an example; both ends inclusive."""


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    """Markdown; may cite facts."""
    range: str | None
    """Fact key of the stated Kubernetes range; None when no range is confirmed."""
    supported: bool
    """Still supported: newer minors than the range are "not stated" rather than "—"."""
    unconfirmed: str
    """The range cell when `range` is None."""
    path: str
    """JSON path of the row in the data file, for messages."""


@dataclass(frozen=True, slots=True)
class Matrix:
    columns: tuple[str, ...]
    """Fact keys of the Kubernetes minors shown, oldest first."""
    rows: tuple[Row, ...]
    located: Located
    """The data file, to locate problems found against the facts."""


def parse_minor(text: str) -> Minor:
    """`1.31` -> (1, 31); MeshkbError for anything else."""
    match = re.fullmatch(_MINOR, text)
    if match is None:
        raise MeshkbError(f"{text!r} is not a Kubernetes minor such as 1.31")
    return int(match.group(1)), int(match.group(2))


def parse_range(text: str) -> tuple[Minor, Minor]:
    """The first and last minor of a stated range (inclusive), in one of `RANGE_FORMS`."""
    for _, pattern in RANGE_FORMS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        a, b, c, d = (int(g) for g in match.groups())
        low, high = (a, b), (c, d)
        if low > high:
            raise MeshkbError(f"{text!r} runs backwards (from {a}.{b} down to {c}.{d})")
        return low, high
    forms = "; ".join(name for name, _ in RANGE_FORMS)
    raise MeshkbError(f"{text!r} is not a Kubernetes range in a known form ({forms})")


def cell(minor: Minor, stated: tuple[Minor, Minor] | None, supported: bool) -> str:
    """One cell: a Kubernetes minor against a release's stated range."""
    if stated is None:
        return NOT_STATED
    low, high = stated
    if minor < low:
        return OUTSIDE
    if minor <= high:
        return YES
    return NOT_STATED if supported else OUTSIDE


def load_matrix(path: Path | None = None) -> Matrix:
    """The matrix definition at `path` (default `DATA_PATH`), validated; located MeshkbError."""
    path = path or DATA_PATH
    located = load_yaml_text(read_text(path), str(path))
    found = [located.at(p, m) for p, m in validate.errors(located.data, "compatibility")]
    if found:
        raise MeshkbError(found)
    data = located.data
    rows = tuple(
        Row(
            raw["label"],
            raw.get("range"),
            bool(raw.get("supported", False)),
            raw.get("unconfirmed", ""),
            f"$.rows[{index}]",
        )
        for index, raw in enumerate(data["rows"])
    )
    return Matrix(tuple(data["columns"]), rows, located)


def render_matrix_markdown(base: FactBase, matrix: Matrix | None = None) -> str:
    """The matrix as a Markdown table citing the facts; MeshkbError lists every problem."""
    matrix = matrix or load_matrix()
    problems: list[Problem] = []

    def value(key: str, where: str) -> str | None:
        try:
            return base.lookup(key).value
        except MeshkbError as exc:
            problems.extend(matrix.located.at(where, p.message) for p in exc.problems)
            return None

    def cited(text: str, where: str) -> None:
        for key in references(text):
            value(key, where)

    minors: list[Minor] = []
    for index, key in enumerate(matrix.columns):
        where = f"$.columns[{index}]"
        text = value(key, where)
        if text is None:
            continue
        try:
            minor = parse_minor(text)
        except MeshkbError as exc:
            problems.append(matrix.located.at(where, f"fact {key!r}: {exc.problems[0].message}"))
            continue
        if minors and minor <= minors[-1]:
            problems.append(matrix.located.at(where, f"{text} does not follow the column before"))
        minors.append(minor)
    lines = [
        _line(["Mesh version", "Stated range", *(f"[[fact:{k}|bare]]" for k in matrix.columns)]),
        "|" + "---|" * (len(matrix.columns) + 2),
    ]
    for row in matrix.rows:
        cited(row.label, f"{row.path}.label")
        stated: tuple[Minor, Minor] | None = None
        if row.range is None:
            cited(row.unconfirmed, f"{row.path}.unconfirmed")
            shown = row.unconfirmed
        else:
            shown = f"[[fact:{row.range}]]"
            text = value(row.range, f"{row.path}.range")
            if text is not None:
                try:
                    stated = parse_range(text)
                except MeshkbError as exc:
                    message = f"fact {row.range!r}: {exc.problems[0].message}"
                    problems.append(matrix.located.at(f"{row.path}.range", message))
        lines.append(_line([row.label, shown, *(cell(m, stated, row.supported) for m in minors)]))
    if problems:
        raise MeshkbError(problems)
    return "\n".join(lines)


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
