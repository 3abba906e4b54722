"""Stable links: item, checklist and page-section IDs -> URLs, Markdown links and citations.

Core module, no mkdocs import; site_source.py reads `mkdocs.yml` and the pages as text.
URLs follow the site's layout with directory URLs: a page `migrate.md` is published at
`{site_url}migrate/`, a checklist at `{site_url}checklists/<id>/` and every item, retired
ones included, at `{site_url}go/<ITEM-ID>/` (the meshkb plugin writes those pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.model import Checklist, Item
from meshkb.core.suggest import did_you_mean
from meshkb.site.sources import (
    DEFAULT_SITE_URL,
    Heading,
    SiteConfig,
    docs_pages,
    find_config,
    page_headings,
    read_site_config,
)
from meshkb.site.urls import page_url

__all__ = [
    "DEFAULT_SITE_URL",
    "Citation",
    "Link",
    "Resolver",
    "SiteConfig",
    "find_config",
    "parse_citation",
    "read_site_config",
]

ITEM_ID = re.compile(r"^[A-Z]{3}-[0-9]{4}$")
_ITEM_LIKE = re.compile(r"^[A-Za-z]{3}-[0-9]")
SEMVER = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)
_CITATION = re.compile(
    r"^meshkb:(?P<checklist>[a-z0-9][a-z0-9-]*)(?:@(?P<version>[^#\s]+))?(?:#(?P<item>[A-Za-z]{3}-[0-9]{4}))?$"
)


@dataclass(frozen=True, slots=True)
class Citation:
    """`meshkb:<checklist>[@<version>][#<ITEM-ID>]`: an item pinned to a checklist version."""

    checklist: str
    """Checklist ID."""
    version: str | None = None
    """Checklist version (semver) the citation was made against."""
    item: str | None = None
    """Item ID, or None to cite the whole checklist."""

    def __str__(self) -> str:
        text = f"meshkb:{self.checklist}"
        if self.version:
            text += f"@{self.version}"
        return text + (f"#{self.item}" if self.item else "")


def parse_citation(text: str) -> Citation:
    """Parse `meshkb:migration@1.0.0#MIG-0003` (version and item optional)."""
    match = _CITATION.match(text.strip())
    if not match:
        raise MeshkbError(
            f"{text!r} is not a meshkb citation; the form is meshkb:CHECKLIST[@VERSION][#ITEM-ID], e.g. meshkb:migration@1.0.0#MIG-0003"
        )
    version = match["version"]
    if version is not None and not SEMVER.match(version):
        raise MeshkbError(f"{text!r}: version {version!r} is not a semantic version like 1.0.0")
    item = match["item"].upper() if match["item"] else None
    return Citation(match["checklist"], version, item)


@dataclass(frozen=True, slots=True)
class Link:
    """A resolved ID: where it lives and how to cite it."""

    kind: str
    """`item`, `checklist` or `page`."""
    id: str
    """The ID in canonical form: `MIG-0003`, `migration`, `migrate.md#bypass-runbook`."""
    title: str
    """What the link text says."""
    url: str
    """The stable URL to cite."""
    anchor_url: str | None = None
    """For an item: its anchor on the checklist page."""
    citation: str | None = None
    """Versioned citation (items and checklists; pages carry no version)."""
    notes: tuple[str, ...] = ()
    """Things the person citing should know, e.g. a version that moved on."""

    @property
    def markdown(self) -> str:
        text = self.title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return f"[{text}]({self.url})"

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "anchor_url": self.anchor_url,
            "citation": self.citation,
            "markdown": self.markdown,
            "notes": list(self.notes),
        }


class Resolver:
    """Resolves IDs against the checklists and the docs of one site."""

    def __init__(self, site: SiteConfig, checklists: Mapping[str, Checklist]) -> None:
        self.site = site
        self.checklists = dict(checklists)
        self._items: dict[str, tuple[Checklist, Item]] = {
            item.id: (checklist, item)
            for checklist in checklists.values()
            for item in checklist.all_items()
        }
        self._headings: dict[str, list[Heading]] = {}

    def url(self, path: str) -> str:
        """`site_url` joined with a site-relative path."""
        return self.site.site_url + path

    def resolve(self, text: str) -> Link:
        """An item ID, a checklist ID, a page (`migrate`, `migrate.md#anchor`) or a citation.

        Site URLs and paths (`go/MIG-0003/`, `checklists/migration/#MIG-0003`) work too.
        """
        raw = text.strip()
        if raw.startswith("meshkb:"):
            return self.citation(parse_citation(raw))
        if self.site.site_url != "/" and raw.startswith(self.site.site_url):
            raw = raw[len(self.site.site_url) :]
        path, _, anchor = raw.partition("#")
        path = path.strip("/")
        if ITEM_ID.match(path.upper()) and not anchor:
            return self.item(path.upper())
        head, _, rest = path.partition("/")
        if head == "go" and rest and "/" not in rest and not anchor:
            return self.item(rest.upper())
        if head == "checklists" and rest and "/" not in rest:
            if anchor and ITEM_ID.match(anchor.upper()):
                return self.item(anchor.upper())
            return self.checklist(rest, anchor or None)
        if path in self.checklists and not anchor:
            link = self.checklist(path)
            if self.site.docs_dir and (self.site.docs_dir / f"{path}.md").is_file():
                note = f"'{path}' is also a page: ask for '{path}.md' to link the page"
                link = _with_notes(link, note)
            return link
        if self.site.docs_dir is not None:
            page = self._page_path(path)
            if page is not None:
                return self.page(page, anchor or None)
        raise self._unknown(raw, query=path)

    def item(self, item_id: str) -> Link:
        found = self._items.get(item_id)
        if found is None:
            raise self._unknown(item_id, sorted(self._items))
        checklist, item = found
        notes: list[str] = []
        title = f"{item.id}: {item.title}"
        if item.retired:
            title += " (retired)"
            where = (
                f"replaced by {item.replaced_by}; /go/{item.id}/ forwards there"
                if item.replaced_by
                else (item.reason or "no replacement")
            )
            notes.append(f"{item.id} is retired: {where}")
        return Link(
            kind="item",
            id=item.id,
            title=title,
            url=self.url(f"go/{item.id}/"),
            anchor_url=self.url(f"checklists/{checklist.id}/#{item.id}"),
            citation=str(Citation(checklist.id, checklist.version, item.id)),
            notes=tuple(notes),
        )

    def checklist(self, checklist_id: str, section: str | None = None) -> Link:
        """A checklist page, or one of its sections (`section` is the section's slug)."""
        checklist = self.checklists.get(checklist_id)
        if checklist is None:
            raise self._unknown(checklist_id, sorted(self.checklists))
        link = Link(
            kind="checklist",
            id=checklist.id,
            title=checklist.title,
            url=self.url(f"checklists/{checklist.id}/"),
            citation=str(Citation(checklist.id, checklist.version)),
        )
        if section is None:
            return link
        found = next((s for s in checklist.sections if s.id == section), None)
        if found is None:
            slugs = [s.id for s in checklist.sections]
            raise MeshkbError(
                Problem(
                    checklist.source,
                    f"checklist {checklist.id!r} has no section {section!r}{_suggest(section, slugs)}",
                )
            )
        return replace(
            link,
            id=f"{checklist.id}#{section}",
            title=f"{checklist.title} — {found.title}",
            url=f"{link.url}#{section}",
        )

    def citation(self, cited: Citation) -> Link:
        """Resolve a citation; a version other than the current one is noted, not refused."""
        checklist = self.checklists.get(cited.checklist)
        if checklist is None:
            raise self._unknown(cited.checklist, sorted(self.checklists))
        if cited.item is not None:
            link = self.item(cited.item)
            if not cited.item.startswith(checklist.prefix + "-"):
                raise MeshkbError(
                    f"{cited}: {cited.item} is not an item of checklist {checklist.id!r} (its items start with {checklist.prefix}-)"
                )
        else:
            link = self.checklist(checklist.id)
        if cited.version and cited.version != checklist.version:
            note = f"{cited} cites version {cited.version}; {checklist.id} is now at {checklist.version}"
            if cited.item:
                item = checklist.item_by_id()[cited.item]
                note += f" and {cited.item} at rev {item.rev}: check its meaning still matches"
            note += f", then cite {link.citation}"
            link = replace(_with_notes(link, note), citation=str(cited))
        return link

    def page(self, path: str, anchor: str | None = None, *, check: bool = True) -> Link:
        """A docs page, optionally one of its sections; `check` verifies both exist."""
        base = page_url(path)
        title = self.page_title(path) if check else path
        if anchor is None:
            return Link(kind="page", id=path, title=title, url=self.url(base))
        notes: tuple[str, ...] = ()
        if check:
            headings = self.headings(path)
            heading = next((h for h in headings if h.anchor == anchor), None)
            if heading is None:
                anchors = [h.anchor for h in headings]
                raise MeshkbError(
                    Problem(
                        self._doc_file(path),
                        f"no heading with anchor #{anchor}{_suggest(anchor, anchors, '#')}",
                    )
                )
            title = f"{title} — {heading.text}"
            if not heading.explicit:
                notes = (
                    f"#{anchor} is made from the heading text and changes when the heading is reworded; give the heading an explicit {{#{anchor}}} (line {heading.line})",
                )
        return Link(
            kind="page",
            id=f"{path}#{anchor}",
            title=title,
            url=self.url(f"{base}#{anchor}"),
            notes=notes,
        )

    def headings(self, path: str) -> list[Heading]:
        if path not in self._headings:
            from meshkb.core.files import read_text

            self._headings[path] = page_headings(read_text(self._doc_file(path)))
        return self._headings[path]

    def page_title(self, path: str) -> str:
        """The nav title, else the first level-1 heading, else the file name."""
        if path in self.site.nav_titles:
            return self.site.nav_titles[path]
        first = next((h.text for h in self.headings(path) if h.level == 1), None)
        return first or path

    def _doc_file(self, path: str) -> str:
        assert self.site.docs_dir is not None
        return str(self.site.docs_dir / path)

    def _page_path(self, path: str) -> str | None:
        assert self.site.docs_dir is not None
        stem = path[: -len(".md")] if path.endswith(".md") else path
        for candidate in (f"{stem}.md", f"{stem}/index.md" if stem else "index.md"):
            if (self.site.docs_dir / candidate).is_file():
                return candidate
        return None

    def _unknown(
        self, text: str, candidates: list[str] | None = None, query: str | None = None
    ) -> MeshkbError:
        if candidates is None:
            candidates = [*self.checklists, *self._items]
            if self.site.docs_dir is not None:
                candidates += [p[: -len(".md")] for p in docs_pages(self.site.docs_dir)]
        query = query if query is not None else text
        if _ITEM_LIKE.match(query):
            query = query.upper()
        return MeshkbError(f"unknown ID {text!r}{_suggest(query, candidates)}")


def _suggest(query: str, candidates: Iterable[str], prefix: str = "") -> str:
    """`; did you mean ...?` with the closest candidates, or nothing."""
    return did_you_mean(query, candidates, prefix)


def _with_notes(link: Link, *notes: str) -> Link:
    return replace(link, notes=(*link.notes, *notes))
