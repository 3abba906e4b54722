"""Typo suggestions: the one ranking every "did you mean" uses.

Candidates are ranked by edit distance (Levenshtein's, with swaps), with runs of digits compared by value
first, so `MIG-003` suggests `MIG-0003` (the same number, padded) before `MIG-0013` (one edit
away too, but another item).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DIGITS = re.compile(r"[0-9]+")


def distance(a: str, b: str) -> int:
    """The edit distance: insertions, deletions, substitutions and swaps of neighbours.

    Levenshtein's distance with adjacent transpositions (the optimal string alignment
    distance), so `isito` is one edit from `istio`.
    """
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _by_value(text: str) -> str:
    return _DIGITS.sub(lambda m: str(int(m.group())), text)


def closest(query: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` candidates near `query`, the nearest first; none when nothing is near.

    Near means at most a third of the query's length in edits (at least one), after numbers
    are compared by value, or a candidate that starts with the query. Ties keep the order
    of `candidates`.
    """
    pool = list(dict.fromkeys(candidates))
    if not query or len(query) > 100:  # no typo of a name is that long; the work grows with it
        return []
    limit = max(1, len(query) // 3)
    folded = query.casefold()
    ranked = []
    for index, candidate in enumerate(pool):
        other = candidate.casefold()
        by_value = distance(_by_value(folded), _by_value(other))
        plain = distance(folded, other)
        if min(by_value, plain) <= limit or other.startswith(folded):
            ranked.append((min(by_value, plain), plain, index, candidate))
    ranked.sort()
    return [candidate for *_, candidate in ranked[:n]]


def did_you_mean(query: str, candidates: Iterable[str], prefix: str = "") -> str:
    """`; did you mean A, B?` with the closest candidates (each after `prefix`), or ''."""
    near = closest(query, candidates)
    return f"; did you mean {', '.join(prefix + c for c in near)}?" if near else ""
