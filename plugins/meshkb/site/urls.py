"""URLs of docs pages: one rule for the site, the links and the link lock."""

from __future__ import annotations

import posixpath
import re

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def page_path(checklist_id: str) -> str:
    """The docs-relative path of a checklist's generated page."""
    return f"checklists/{checklist_id}.md"


def page_url(path: str) -> str:
    """The directory-style URL of a docs page: `migrate.md` -> `migrate/`, `index.md` -> ``."""
    if not path.endswith(".md"):
        return path
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_url(url: str, base: str) -> str:
    """Site-relative `url` as seen from the page at site-relative `base` (`a/b/` or `a/b.html`)."""
    base_dir = base if base.endswith("/") else posixpath.dirname(base)
    href = posixpath.relpath(url or ".", base_dir or ".")
    if url.endswith("/") or not url:
        href = "./" if href == "." else href + "/"
    return href


def relative_href(target: str, from_page: str) -> str:
    """An href from the page `from_page` to the docs-relative `target`, assuming directory URLs."""
    path, _, anchor = target.partition("#")
    href = ""
    if path:
        url = page_url(posixpath.normpath(path)) if path.endswith(".md") else path
        href = relative_url(url, page_url(from_page))
    return href + (f"#{anchor}" if anchor else "")


def is_relative(href: str) -> bool:
    return bool(href) and not _SCHEME.match(href) and not href.startswith(("/", "#", "\\"))
