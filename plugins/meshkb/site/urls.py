"""URLs of docs pages: one rule for the site, the links and the link lock."""

from __future__ import annotations

import posixpath
import re
from functools import cache

from meshkb.core.errors import MeshkbError

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


@cache
def _source_url() -> re.Pattern[str]:
    from meshkb.core.validate import schema

    ref = schema("checklist")["$defs"]["ref"]["oneOf"][1]
    return re.compile(str(ref["properties"]["url"]["pattern"]))


def is_source_url(url: str) -> bool:
    """Whether `url` is a source URL as the checklist schema has them: https, nothing that ends a link.

    The schema refuses any other; pages check again before they link one (defence in depth).
    """
    return _source_url().fullmatch(url) is not None


def source_relative_href(target: str, from_page: str) -> str:
    """An href from the source file `from_page` to the docs-relative `target`, as files.

    `checklists/migration.md` -> `migrate.md#x` gives `../migrate.md#x`. Zensical reads
    every relative URL in a page's HTML this way and rewrites it to the built URL.
    """
    path, _, anchor = target.partition("#")
    href = posixpath.relpath(path, posixpath.dirname(from_page) or ".") if path else ""
    return href + (f"#{anchor}" if anchor else "")


def is_relative(href: str) -> bool:
    return bool(href) and not _SCHEME.match(href) and not href.startswith(("/", "#", "\\"))


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})
"""Hosts of a local preview (`mkdocs serve`): links there work on this machine only."""


def checked_site_url(url: str, where: str) -> str:
    """`url` as a site's base URL ending in `/`; MeshkbError naming `where` unless http(s)."""
    from urllib.parse import urlsplit

    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise MeshkbError(
            f"{where}: {url!r} is not a site URL (expected http(s)://host/path/, no query or fragment)"
        )
    return text if text.endswith("/") else text + "/"


def is_local_preview(url: str) -> bool:
    """Whether links under `url` reach only this machine (a `mkdocs serve` preview)."""
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "") in LOCAL_HOSTS
