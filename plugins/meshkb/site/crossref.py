"""Which checklist items cite a page: the links from each page back to its items.

Derived from the items' `refs`, so a page never lists an item that no longer points to
it, and a new item shows up on the pages it cites without anyone editing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from meshkb.core.model import Checklist, Item
from meshkb.site.escape import escape_html
from meshkb.site.markdown_text import LinkResolver
from meshkb.site.urls import is_source_url, page_path, relative_href


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


def render_citations_html(
    checklists: Iterable[Checklist],
    page: str,
    *,
    here: str | None = None,
    resolve: LinkResolver | None = None,
) -> str:
    """The items citing `page`, compact: one line per checklist, each item its ID and title.

    HTML, not Markdown: a title is data, and the page's Markdown (raw HTML and attribute
    lists on) would read markup or a `{: ...}` list in it. `here` is the page the list is
    on (default: `page`); `resolve` turns docs-relative targets into hrefs there (the
    plugin's also registers them for its link checks). Each item's `§` links the section
    of `page` it cites, so a renamed heading breaks the build, not the reader.
    """
    rows = citations(checklists, page)
    if not rows:
        return "<p><em>No checklist item cites this page yet.</em></p>"
    href = _hrefs(here or page, resolve)
    by_checklist: dict[str, list[CitingItem]] = {}
    for row in rows:
        by_checklist.setdefault(row.checklist.id, []).append(row)
    lines = []
    for group in by_checklist.values():
        checklist = group[0].checklist
        target = page_path(checklist.id)
        entries = " · ".join(
            f'<a href="{href(f"{target}#{row.item.id}")}">{escape_html(row.item.id)}</a> '
            f"{escape_html(row.item.title)}"
            + (
                f' <a class="meshkb-cites__section" href="{href(f"{page}#{row.anchor}")}"'
                ' title="the section it cites">§</a>'
                if row.anchor
                else ""
            )
            for row in group
        )
        count = f"{len(group)} item" + ("s" if len(group) > 1 else "")
        lines.append(
            f'<li><strong><a href="{href(target)}">{escape_html(checklist.title)}</a></strong>'
            f" ({count}): {entries}</li>"
        )
    return '<ul class="meshkb-cites">\n' + "\n".join(lines) + "\n</ul>"


def render_checklist_sources_html(
    checklists: Iterable[Checklist], here: str, resolve: LinkResolver | None = None
) -> str:
    """Every external source the checklists cite: title, what it holds for, who cites it.

    The date checked is the citing checklist's `last_reviewed`: a source is checked when the
    items that cite it are reviewed. HTML for the reason `render_citations_html` gives.
    """
    href = _hrefs(here, resolve)
    cited: dict[str, tuple[str, str, str, list[str]]] = {}
    for checklist in checklists:
        target = page_path(checklist.id)
        for item in checklist.active_items():
            for ref in item.refs:
                if not ref.url:
                    continue
                title, as_of, checked, items = cited.setdefault(
                    ref.url, (ref.title or ref.url, ref.as_of or "", checklist.last_reviewed, [])
                )
                items.append(f'<a href="{href(f"{target}#{item.id}")}">{escape_html(item.id)}</a>')
                cited[ref.url] = (title, as_of, max(checked, checklist.last_reviewed), items)
    body = []
    for url, (title, as_of, checked, items) in sorted(
        cited.items(), key=lambda kv: kv[1][0].lower()
    ):
        label = escape_html(title)
        source = f'<a href="{escape_html(url)}">{label}</a>' if is_source_url(url) else label
        body.append(
            f"<tr><td>{source}</td><td>{escape_html(as_of)}</td>"
            f"<td>{', '.join(items)}</td><td>{escape_html(checked)}</td></tr>"
        )
    return _table(("Source", "Holds for", "Cited by", "Checked"), body)


def _hrefs(here: str, resolve: LinkResolver | None) -> LinkResolver:
    """Docs-relative target -> escaped href on `here` (its own anchors stay `#anchor`)."""
    resolver: LinkResolver = resolve or (lambda target: relative_href(target, here))

    def href(target: str) -> str:
        path, _, anchor = target.partition("#")
        resolved = resolver(f"#{anchor}" if path == here and anchor else target)
        return escape_html(resolved)

    return href


TABLE_CLASS = "meshkb-table"
TABLE_BOXES = ("md-typeset__scrollwrap", "md-typeset__table")
"""A site table's class and the theme's two scroll boxes around it, outermost first, as
the theme's script would add them at start-up (markdown_ext.TableTreeprocessor)."""


def _table(head: Iterable[str], rows: list[str]) -> str:
    """A table as the site's Markdown tables are: in the theme's boxes, with its class."""
    cells = "".join(f"<th>{escape_html(h)}</th>" for h in head)
    outer, inner = TABLE_BOXES
    return (
        f'<div class="{outer}"><div class="{inner}"><table class="{TABLE_CLASS}">\n'
        f"<thead>\n<tr>{cells}</tr>\n</thead>\n<tbody>\n"
        + "".join(f"{row}\n" for row in rows)
        + "</tbody>\n</table></div></div>"
    )
