"""The MkDocs plugin: the only module that imports mkdocs. Hooks only wire.

A convenience, not a requirement (docs/engines.md): the site's pages, /go/ links and
assets are files `meshkb site generate` writes into docs/, which any engine builds. The
plugin loads every checklist once per build and gives the Markdown extension the page,
a link resolver and a logger; it adds the generated files a site has not written (the
same `site.generate` output), warns when one in docs/ is out of date, checks the anchors
of embedded checklists, and reports problems as warnings so `--strict` fails on them.
"""

from __future__ import annotations

import functools
import posixpath
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.model import Checklist
from meshkb.markdown_ext import MeshkbExtension, PageContext
from meshkb.site.catalogue import item_owners, load_checklists
from meshkb.site.generate import REFRESH, every_page_assets, generated_files
from meshkb.site.markdown_text import LinkResolver
from meshkb.site.sources import page_headings
from meshkb.site.urls import page_path, relative_href

log = get_plugin_logger(__name__)

NAV_SECTION = "Checklists"
EXTENSION = "meshkb.markdown_ext"
"""The extension's name in mkdocs.yml, where Zensical finds it; the plugin's instance replaces it."""


class MeshkbConfig(base.Config):  # type: ignore[no-untyped-call] # mkdocs' __init_subclass__ is untyped
    checklists_dir = c.Type(str, default="checklists")
    """Folder of checklist YAML files, relative to mkdocs.yml."""


class MeshkbPlugin(BasePlugin[MeshkbConfig]):  # type: ignore[no-untyped-call] # as above
    def __init__(self) -> None:
        self.extension = MeshkbExtension()
        self.checklists: dict[str, Checklist] = {}
        self.broken: dict[str, list[Problem]] = {}
        self.links: list[tuple[File, str, str]] = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.extension.report = _warn
        self.extension.lookup = self._lookup
        extensions = config.markdown_extensions
        extensions[:] = [e for e in extensions if e != EXTENSION and e is not self.extension]
        if isinstance(config.mdx_configs.get(EXTENSION), dict):
            self.extension.setConfigs(config.mdx_configs.pop(EXTENSION))
        extensions.append(self.extension)
        css, js = every_page_assets()
        for wanted, target in ((css, config.extra_css), (js, config.extra_javascript)):
            for src in wanted:
                if src not in [str(t) for t in target]:
                    target.append(src)
        return config

    def _directory(self, config: MkDocsConfig, option: str) -> Path:
        root = Path(config.config_file_path or ".").parent
        return root / str(self.config[option])

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.checklists, problems = load_checklists(self._directory(config, "checklists_dir"))
        self.broken = {}
        for problem in problems:
            _warn(problem)
            self.broken.setdefault(Path(problem.file).stem, []).append(problem)
        self.extension.owners = item_owners(self.checklists.values())
        self.extension.catalogue = self.checklists.values
        for path, content in generated_files(self.checklists.values()).items():
            present = files.get_file_from_path(path)
            if present is None:
                md = path.endswith(".md")
                inclusion = InclusionLevel.NOT_IN_NAV if md else InclusionLevel.UNDEFINED
                files.append(File.generated(config, path, content=content, inclusion=inclusion))
            elif present.abs_src_path and _differs(Path(present.abs_src_path), content):
                log.warning(f"{present.abs_src_path} is out of date: run `{REFRESH}`")
        return files

    def _lookup(self, name: str) -> Checklist:
        if name in self.checklists:
            return self.checklists[name]
        if name in self.broken:
            raise MeshkbError(f"checklist {name!r} has errors (reported above)")
        known = ", ".join(sorted(self.checklists)) or "none"
        raise MeshkbError(f"unknown checklist {name!r} (known: {known})")

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        listed = {page.file.src_uri for page in nav.pages}
        missing: list[Page] = []
        for checklist in self.checklists.values():
            file = files.get_file_from_path(page_path(checklist.id))
            if file is not None and file.src_uri not in listed and isinstance(file.page, Page):
                missing.append(file.page)
        if missing:
            add_to_nav(nav, missing)
        return nav

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        source = page.file.content_string
        self.links = []
        self.extension.context = PageContext(
            source=page.file.src_uri,
            line_offset=max(source.count("\n") - markdown.count("\n"), 0),
            resolve=self._resolver(page, files),
            page_title=lambda path: _title(files, path),
        )
        return markdown

    def _resolver(self, page: Page, files: Files) -> LinkResolver:
        def resolve(target: str) -> str:
            path, _, anchor = target.partition("#")
            suffix = f"#{anchor}" if anchor else ""
            if not path:
                if anchor:  # checked like a Markdown link to an anchor on the same page
                    self.links.append((page.file, anchor, target))
                return suffix
            if not path.endswith(".md"):
                return get_relative_url(path, page.file.url) + suffix
            file = files.get_file_from_path(posixpath.normpath(path))
            if file is None:
                log.warning(
                    f"Doc file '{page.file.src_uri}' embeds a checklist linking to '{target}', "
                    "which is not found among documentation files."
                )
                return relative_href(target, page.file.src_uri)
            if anchor:
                self.links.append((file, anchor, target))
            return get_relative_url(file.url, page.file.url) + suffix

        return resolve

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        state = self.extension.state
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= state.anchors
        if page.links_to_anchors is not None:
            for file, anchor, original in self.links:
                page.links_to_anchors.setdefault(file, {}).setdefault(anchor, original)
        self.extension.context = PageContext()
        return html

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        directory = self._directory(config, "checklists_dir")
        if directory.is_dir():
            server.watch(str(directory))
        return server


def _differs(path: Path, content: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") != content
    except (OSError, UnicodeDecodeError):
        return True


def _warn(problem: Problem) -> None:
    log.warning(str(problem))


def _title(files: Files, target: str) -> str | None:
    """A page's title; for `path#anchor`, the title and the heading's text."""
    path, _, anchor = target.partition("#")
    file = files.get_file_from_path(posixpath.normpath(path))
    page = file.page if file is not None else None
    title = page.title if isinstance(page, Page) and page.title else None
    if not (title and anchor and file is not None):
        return title
    heading = _headings(file.abs_src_path or "", file.content_string).get(anchor)
    return f"{title} \u203a {heading}" if heading else title


@functools.lru_cache(maxsize=256)
def _headings(src: str, text: str) -> dict[str, str]:
    """Anchor -> heading text of one page's Markdown."""
    return {h.anchor: h.text for h in page_headings(text)}


def add_to_nav(nav: Navigation, pages: list[Page]) -> None:
    """Append pages to the nav's "Checklists" section (created when absent)."""
    section = next(
        (i for i in nav.items if isinstance(i, Section) and i.title == NAV_SECTION), None
    )
    if section is None:
        section = Section(NAV_SECTION, [])
        nav.items.append(section)
    for page in pages:
        page.parent = section
        section.children.append(page)
    nav.pages = [p for p in nav.pages if p not in pages]
    nav.pages.extend(pages)
    previous: Page | None = None
    for page in nav.pages:
        page.previous_page = previous
        page.next_page = None
        if previous is not None:
            previous.next_page = page
        previous = page
