"""The links lock: every URL and anchor the site has published, checked against a build.

`tests/links.lock` lists site-relative URLs, one per line, sorted: every page, every
explicit heading anchor (`{#anchor}`), every checklist page with its section and item
anchors, every `/go/<ITEM-ID>/` page and every redirect source. A URL once published may
be cited in an ADR for years, so the update only ever adds lines: a page that moves keeps
its line and gets a redirect (mkdocs-redirects `redirect_maps`). Deleting a line is a
deliberate act a reviewer sees in the diff.

Run `meshkb links update` to add new entries, `meshkb links check SITE_DIR` to check
a built site. Core module: no mkdocs import; the site is read as HTML files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from meshkb.core.model import Checklist
from meshkb.site.sources import SiteConfig, docs_pages, page_headings
from meshkb.site.urls import page_url

LOCK_HEADER = """\
# meshkb links lock: every published URL and anchor, site-relative, one per line, sorted.
# `meshkb links update` adds new entries and never removes one: a page
# that moves keeps its line and gets a redirect in mkdocs.yml (redirect_maps).
"""
_MAX_REDIRECTS = 10
_PROBE_HOST = "http://meshkb.invalid"
"""A base for urljoin; never contacted."""


def published(site: SiteConfig, checklists: Iterable[Checklist]) -> list[str]:
    """The URLs and anchors the sources publish now, sorted."""
    from meshkb.core.files import read_text

    entries: set[str] = set()
    if site.docs_dir is not None:
        for page in docs_pages(site.docs_dir):
            url = "/" + page_url(page)
            entries.add(url)
            for heading in page_headings(read_text(site.docs_dir / page)):
                if heading.explicit:
                    entries.add(f"{url}#{heading.anchor}")
    for checklist in checklists:
        base = f"/checklists/{checklist.id}/"
        entries.add(base)
        entries.update(f"{base}#{section.id}" for section in checklist.sections)
        for item in checklist.all_items():
            entries.add(f"{base}#{item.id}")
            entries.add(f"/go/{item.id}/")
    entries.update("/" + page_url(old) for old in site.redirects)
    return sorted(entries)


def read_lock(path: Path) -> list[str]:
    """The entries of a lock file (comments and blank lines skipped); none if it is missing."""
    if not path.is_file():
        return []
    from meshkb.core.files import read_text

    lines = (line.strip() for line in read_text(path).splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def render_lock(entries: Iterable[str]) -> str:
    return LOCK_HEADER + "".join(f"{entry}\n" for entry in sorted(set(entries)))


def update_lock(path: Path, current: Iterable[str]) -> list[str]:
    """Add the `current` entries to the lock at `path`; return those that were new."""
    from meshkb.core.files import write_atomic

    locked = read_lock(path)
    added = sorted(set(current) - set(locked))
    text = render_lock([*locked, *added])
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text, force=True)
    return added


@dataclass(frozen=True, slots=True)
class BuiltPage:
    """What the lock check needs from one built HTML file."""

    ids: frozenset[str]
    """Every element id in the file."""
    refresh: str | None
    """The target of a `<meta http-equiv="refresh">` redirect, if the page is one."""


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refresh: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            _, _, rest = values.get("content", "").partition(";")
            key, _, target = rest.strip().partition("=")
            if key.strip().lower() == "url":
                self.refresh = target.strip().strip("'\"")


def parse_built_page(html: str) -> BuiltPage:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return BuiltPage(frozenset(parser.ids), parser.refresh)


class BuiltSite:
    """A built site folder, read lazily, with redirects followed the way a browser does."""

    def __init__(self, site_dir: Path, site_url: str = "/") -> None:
        self.site_dir = site_dir
        self.site_url = site_url
        self._prefix = urlsplit(site_url).path or "/"
        self._pages: dict[str, BuiltPage | None] = {}

    def file_for(self, path: str) -> Path:
        relative = path.lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        elif "." not in relative.rsplit("/", 1)[-1]:
            relative += "/index.html"
        return self.site_dir / relative

    def page(self, path: str) -> BuiltPage | None:
        if path not in self._pages:
            file = self.file_for(path)
            self._pages[path] = (
                parse_built_page(file.read_text(encoding="utf-8")) if file.is_file() else None
            )
        return self._pages[path]

    def problem(self, entry: str) -> str | None:
        """Why `entry` (`/path/` or `/path/#anchor`) does not resolve, or None when it does."""
        path, _, anchor = entry.partition("#")
        seen = [path]
        while True:
            page = self.page(path)
            if page is None:
                hops = " -> ".join(seen)
                file = self.file_for(path).relative_to(self.site_dir).as_posix()
                return f"{hops}: no {file} in the built site"
            if page.refresh is None:
                break
            target = self._site_path(urljoin(_PROBE_HOST + path, page.refresh))
            if target is None:
                return None  # an external redirect target: nothing here to check
            path, _, target_anchor = target.partition("#")
            anchor = anchor or target_anchor
            if path in seen or len(seen) > _MAX_REDIRECTS:
                return f"{' -> '.join([*seen, path])}: redirect loop"
            seen.append(path)
        if anchor and anchor not in page.ids:
            where = " -> ".join(seen)
            return f"{where}: the page has no element with id {anchor!r}"
        return None

    def _site_path(self, absolute: str) -> str | None:
        """A redirect target as a site-relative path, or None when it leaves the site."""
        if absolute.startswith(_PROBE_HOST + "/"):
            return absolute[len(_PROBE_HOST) :]
        if self.site_url.startswith(("http://", "https://")) and absolute.startswith(self.site_url):
            return "/" + absolute[len(self.site_url) :]
        return None


@dataclass(frozen=True, slots=True)
class LockCheck:
    """The result of checking a built site against the lock."""

    broken: tuple[str, ...]
    """Locked entries that no longer resolve, each with the reason."""
    new: tuple[str, ...]
    """Entries the sources publish that the lock does not list yet."""


def check_lock(locked: Sequence[str], current: Iterable[str], site: BuiltSite) -> LockCheck:
    broken = tuple(
        f"{entry}: {problem}" for entry in locked if (problem := site.problem(entry)) is not None
    )
    new = tuple(sorted(set(current) - set(locked)))
    return LockCheck(broken, new)
