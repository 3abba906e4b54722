"""meshkb's site sources read as text: mkdocs.yml (site_url, nav, redirects) and page headings.

No mkdocs import. Heading anchors are computed the way the site's Markdown does it: an
explicit `{#anchor}` (attr_list) wins, else Python-Markdown toc's slug.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

from meshkb.core.errors import MeshkbError, Problem

DEFAULT_SITE_URL = "/"
"""Used when mkdocs.yml has no `site_url`: links are then relative to the site root."""


# Python-Markdown's attr_list syntax on a heading: at least one space, then `{...}` at the end.
_HEADING_ATTRS = re.compile(r"[ \t]+\{:?[ \t]*([^}\n]*?)[ \t]*\}[ \t]*$")


class _TolerantLoader(yaml.SafeLoader):
    """A safe loader that reads unknown tags (`!!python/name:...`, `!ENV`) as plain values."""


def _plain_value(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]  # node is a ScalarNode here


def _env_value(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """mkdocs' `!ENV VAR` or `!ENV [VAR, ..., default]`: the first variable set, else the default."""
    names = (
        loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else [
            loader.construct_scalar(node)  # type: ignore[arg-type]  # a ScalarNode here
        ]
    )
    *variables, default = names if len(names) > 1 else [*names, None]
    for name in variables:
        value = os.environ.get(str(name))
        if value:
            return value
    return default


_TolerantLoader.add_constructor("!ENV", _env_value)
_TolerantLoader.add_multi_constructor("", _plain_value)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """What links need from mkdocs.yml."""

    config_file: str
    """The mkdocs.yml read, or empty when there is none."""
    site_url: str
    """Base URL ending in `/`."""
    docs_dir: Path | None
    """The Markdown sources, when present."""
    nav_titles: Mapping[str, str] = field(default_factory=dict)
    """Page path (docs-relative) -> its title in the nav."""
    redirects: Mapping[str, str] = field(default_factory=dict)
    """mkdocs-redirects `redirect_maps`: old page path -> new page path."""
    checklists_dir: Path | None = None
    """The meshkb plugin's `checklists_dir` (default `checklists`) beside mkdocs.yml."""


def normalize_site_url(url: str) -> str:
    url = url.strip() or DEFAULT_SITE_URL
    return url if url.endswith("/") else url + "/"


def find_config(explicit: str | None, near: Iterable[Path] = ()) -> Path | None:
    """`explicit`, else the mkdocs.yml in the first of the `near` folders that has one.

    The CLI passes the folder above the checklists, so a project's own mkdocs.yml in the
    working directory is not mistaken for meshkb's.
    """
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise MeshkbError(Problem(explicit, "no such file"))
        return path
    for folder in near:
        candidate = folder / "mkdocs.yml"
        if candidate.is_file():
            return candidate
    return None


def read_site_config(path: Path | None, site_url: str | None = None) -> SiteConfig:
    """Read mkdocs.yml tolerantly; `site_url` (e.g. from --site-url) wins over the file."""
    if path is None:
        return SiteConfig("", normalize_site_url(site_url or DEFAULT_SITE_URL), None)
    from meshkb.core.files import read_text

    text = read_text(path)
    try:
        # A SafeLoader subclass: unknown tags become plain values, never Python objects.
        data = yaml.load(text, Loader=_TolerantLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise MeshkbError(
            Problem(str(path), f"not valid YAML: {exc.problem}", line, column)
        ) from None
    if not isinstance(data, dict):
        data = {}
    docs = path.parent / str(data.get("docs_dir") or "docs")
    return SiteConfig(
        config_file=str(path),
        site_url=normalize_site_url(site_url or str(data.get("site_url") or DEFAULT_SITE_URL)),
        docs_dir=docs if docs.is_dir() else None,
        nav_titles=_nav_titles(data.get("nav")),
        redirects=_redirect_maps(data.get("plugins")),
        checklists_dir=path.parent
        / str(_plugin_options(data.get("plugins"), "meshkb").get("checklists_dir") or "checklists"),
    )


def _nav_titles(nav: Any) -> dict[str, str]:
    titles: dict[str, str] = {}
    if isinstance(nav, list):
        for entry in nav:
            if isinstance(entry, dict):
                for title, target in entry.items():
                    if isinstance(target, str):
                        titles[target] = str(title)
                    else:
                        titles.update(_nav_titles(target))
    return titles


def _plugin_options(plugins: Any, wanted: str) -> dict[str, Any]:
    """The options of the plugin `wanted` in mkdocs.yml's `plugins` (a list or a mapping)."""
    entries = plugins.items() if isinstance(plugins, dict) else []
    if isinstance(plugins, list):
        entries = [next(iter(p.items())) for p in plugins if isinstance(p, dict) and p]
    for name, options in entries:
        if name == wanted and isinstance(options, dict):
            return options
    return {}


def _redirect_maps(plugins: Any) -> dict[str, str]:
    maps = _plugin_options(plugins, "redirects").get("redirect_maps") or {}
    return {str(old): str(new) for old, new in maps.items()} if isinstance(maps, dict) else {}


def docs_pages(docs_dir: Path) -> list[str]:
    """Every Markdown page under `docs_dir`, docs-relative, sorted (dot-folders skipped)."""
    pages = []
    for path in docs_dir.rglob("*.md"):
        relative = path.relative_to(docs_dir)
        if not any(part.startswith(".") for part in relative.parts):
            pages.append(relative.as_posix())
    return sorted(pages)


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of a page and the anchor the site gives it."""

    level: int
    """1 to 6."""
    text: str
    """The heading's plain text, without its attribute list."""
    anchor: str
    """The element id: the explicit `{#anchor}`, else the slug Python-Markdown's toc makes."""
    explicit: bool
    """True for `{#anchor}`: explicit anchors are the stable ones."""
    line: int
    """1-based line in the file."""


def slugify(text: str, separator: str = "-") -> str:
    """Python-Markdown toc's default slug (`markdown.extensions.toc.slugify`)."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


def _strip_front_matter(text: str) -> tuple[str, int]:
    """Drop a YAML front matter block; return the rest and how many lines were dropped."""
    lines = text.split("\n")
    if lines and lines[0].rstrip() == "---":
        for index in range(1, len(lines)):
            if lines[index].rstrip() in ("---", "..."):
                return "\n".join(lines[index + 1 :]), index + 1
    return text, 0


@functools.cache
def _parsers() -> tuple[MarkdownIt, MarkdownIt]:
    """markdown-it for the block structure only, and for one heading's inline text.

    Only headings' text is needed: parsing the inline content of every paragraph too was
    most of the time `page_headings` took (about 30 ms a page).
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable("inline"), MarkdownIt("commonmark")


def page_headings(text: str) -> list[Heading]:
    """Headings from markdown-it-py's token stream (so `#` lines in code blocks are not headings)."""
    from meshkb.site.sources_page import generated_page_headings

    blocks, inlines = _parsers()
    body, offset = _strip_front_matter(text.replace("\r\n", "\n"))
    body = generated_page_headings(body)  # the generated Sources page's headings
    tokens = blocks.parse(body)
    found: list[tuple[int, str, str | None, int]] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = inlines.parseInline(tokens[index + 1].content)[0]
        plain = "".join(
            child.content if child.type in ("text", "code_inline") else " "
            for child in inline.children or []
            if child.type in ("text", "code_inline", "softbreak")
        )
        anchor = None
        attrs = _HEADING_ATTRS.search(plain)
        if attrs:
            plain = plain[: attrs.start()]
            for part in attrs.group(1).split():
                if part.startswith("#") and len(part) > 1:
                    anchor = part[1:]
        line = (token.map[0] if token.map else 0) + 1 + offset
        found.append((int(token.tag[1:]), plain.strip(), anchor, line))
    used = {anchor for _, _, anchor, _ in found if anchor}
    headings = []
    for level, plain, anchor, line in found:
        explicit = anchor is not None
        if anchor is None:
            anchor = _unique(slugify(plain), used)
            used.add(anchor)
        headings.append(Heading(level, plain, anchor, explicit, line))
    return headings


def _unique(slug: str, used: set[str]) -> str:
    """Python-Markdown toc's `unique`: `slug`, `slug_1`, `slug_2`, ..."""
    candidate, number = slug, 0
    while candidate in used or not candidate:
        number += 1
        candidate = f"{slug}_{number}"
    return candidate
