"""The `/go/<ITEM-ID>/` pages: a stable link per item that forwards to it."""

from __future__ import annotations

from collections.abc import Iterable

from meshkb.core.model import (
    Checklist,
    Item,
)
from meshkb.site.escape import escape_html
from meshkb.site.urls import page_path, page_url, relative_url


def render_go_pages(checklists: Iterable[Checklist]) -> dict[str, str]:
    """`go/<ITEM-ID>/index.html` for every item: a meta refresh plus a visible link, no script.

    A retired item forwards to its replacement, with a note, or else to its tombstone.
    The pages are files in docs/ (`meshkb site generate`), the same for every address the
    site is published at: relative links, and no canonical link (a `noindex` page names
    none).
    """
    located: dict[str, tuple[Checklist, Item]] = {}
    for checklist in checklists:
        for item in checklist.all_items():
            located.setdefault(item.id, (checklist, item))
    pages: dict[str, str] = {}
    for item_id, (_, item) in located.items():
        note, target_id = "", item_id
        if item.retired and item.replaced_by in located:
            target_id = item.replaced_by or item_id
            note = f"{item_id} ({item.title}) was retired; it is replaced by {target_id}."
        elif item.retired:
            note = f"{item_id} ({item.title}) was retired: {item.reason or 'no longer checked'}."
        owner, target = located[target_id]
        url = page_url(page_path(owner.id))
        href = relative_url(url, f"go/{item_id}/") + f"#{target_id}"
        pages[item_id] = _go_html(href, f"{target_id}: {target.title}", owner.title, note)
    return pages


def _go_html(href: str, text: str, checklist_title: str, note: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape_html(text)}</title>\n"
        f'<meta http-equiv="refresh" content="0; url={escape_html(href)}">\n'
        '<meta name="robots" content="noindex">\n<link rel="icon" href="data:,">\n'
        "</head>\n<body>\n"
        + (f"<p>{escape_html(note)}</p>\n" if note else "")
        + f'<p>Go to <a href="{escape_html(href)}">{escape_html(text)}</a> in the {escape_html(checklist_title)} checklist.</p>\n'
        "</body>\n</html>\n"
    )
