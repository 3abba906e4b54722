"""Which checklist items cite a page: the links from each page back to its items.

Derived from the items' `refs`, so a page never lists an item that no longer points to
it, and a new item shows up on the pages it cites without anyone editing them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from meshkb.core.model import Checklist, Item


@dataclass(frozen=True, slots=True)
class CitingItem:
    """One item citing one page section."""

    checklist: Checklist
    """The item's checklist."""
    item: Item
    """The citing item."""
    anchor: str
    """The cited section's anchor on the page, or empty for the page as a whole."""


def citations(checklists: Iterable[Checklist], page: str) -> list[CitingItem]:
    """Live items whose refs point to `page` (a path under docs/), in checklist order."""
    found = []
    for checklist in checklists:
        for item in checklist.active_items():
            anchors = [
                (ref.page.partition("#")[2])
                for ref in item.refs
                if ref.page and ref.page.partition("#")[0] == page
            ]
            if anchors:
                found.append(CitingItem(checklist, item, anchors[0]))
    return found


def render_citations_markdown(checklists: Iterable[Checklist], page: str) -> str:
    """The items citing `page`, compact: one line per checklist, each item its ID and title.

    Links are relative to `page`; Markdown in a title is escaped, so it stays text.
    """
    rows = citations(checklists, page)
    if not rows:
        return "*No checklist item cites this page yet.*\n"
    base = posixpath.dirname(page)
    by_checklist: dict[str, list[CitingItem]] = {}
    for row in rows:
        by_checklist.setdefault(row.checklist.id, []).append(row)
    lines = []
    for group in by_checklist.values():
        checklist = group[0].checklist
        target = posixpath.relpath(f"checklists/{checklist.id}.md", base or ".")
        entries = " · ".join(
            f"[{row.item.id}]({target}#{row.item.id}) {_escape_markdown(row.item.title)}"
            for row in group
        )
        count = f"{len(group)} item" + ("s" if len(group) > 1 else "")
        lines.append(f"- **[{checklist.title}]({target})** ({count}): {entries}")
    return "\n".join(lines) + "\n"


def _escape_markdown(text: str) -> str:
    """Text that Markdown shows as it is: its punctuation backslash-escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|#!~{}" else ch for ch in text)


def render_checklist_sources_markdown(checklists: Iterable[Checklist], page: str) -> str:
    """Every external source the checklists cite: title, what it holds for, who cites it.

    The date checked is the citing checklist's `last_reviewed`: a source is checked when the
    items that cite it are reviewed.
    """
    base = posixpath.dirname(page)
    cited: dict[str, tuple[str, str, str, list[str]]] = {}
    for checklist in checklists:
        target = posixpath.relpath(f"checklists/{checklist.id}.md", base or ".")
        for item in checklist.active_items():
            for ref in item.refs:
                if not ref.url:
                    continue
                title, as_of, checked, items = cited.setdefault(
                    ref.url, (ref.title or ref.url, ref.as_of or "", checklist.last_reviewed, [])
                )
                items.append(f"[{item.id}]({target}#{item.id})")
                cited[ref.url] = (title, as_of, max(checked, checklist.last_reviewed), items)
    lines = ["| Source | Holds for | Cited by | Checked |", "|---|---|---|---|"]
    for url, (title, as_of, checked, items) in sorted(
        cited.items(), key=lambda kv: kv[1][0].lower()
    ):
        label = title.replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
        lines.append(f"| [{label}]({url}) | {as_of} | {', '.join(items)} | {checked} |")
    return "\n".join(lines) + "\n"
