"""The MkDocs plugin: the only module that imports mkdocs. Hooks only wire.

It loads every checklist once per build, generates `checklists/<id>.md` and
`go/<ITEM-ID>/index.html` for each, registers the Markdown extension, ships the
assets, and reports problems as warnings so `mkdocs build --strict` fails on them.
"""

from __future__ import annotations

import functools
import json
import posixpath
from html import escape
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import get_relative_url

from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.model import Checklist
from meshkb.markdown_ext import MeshkbExtension, PageContext, item_owners, load_checklists
from meshkb.site.gopages import render_go_pages
from meshkb.site.markdown_text import LinkResolver
from meshkb.site.sources import page_headings
from meshkb.site.urls import page_path, page_url, relative_href

log = get_plugin_logger(__name__)

ASSETS = Path(__file__).parent / "assets"
ASSET_DIR = "assets/meshkb"
ON_DEMAND = {"meshkb-cost.css": "data-meshkb-cost", "meshkb-cost.js": "data-meshkb-cost"}
"""Scripts loaded only by pages whose HTML holds the marker, not on every page."""
NAV_SECTION = "Checklists"


class MeshkbConfig(base.Config):  # type: ignore[no-untyped-call] # mkdocs' __init_subclass__ is untyped
    checklists_dir = c.Type(str, default="checklists")
    """Folder of checklist YAML files, relative to mkdocs.yml."""


class MeshkbPlugin(BasePlugin[MeshkbConfig]):  # type: ignore[no-untyped-call] # as above
    def __init__(self) -> None:
        self.extension = MeshkbExtension()
        self.checklists: dict[str, Checklist] = {}
        self.broken: dict[str, list[Problem]] = {}
        self.links: list[tuple[File, str, str]] = []
        self.generated: set[str] = set()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.extension.report = _warn
        self.extension.lookup = self._lookup
        if self.extension not in config.markdown_extensions:
            config.markdown_extensions.append(self.extension)
        for asset in assets():
            if asset.name in ON_DEMAND:
                continue
            target = config.extra_css if asset.suffix == ".css" else config.extra_javascript
            if f"{ASSET_DIR}/{asset.name}" not in [str(t) for t in target]:
                target.append(f"{ASSET_DIR}/{asset.name}")
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
        for asset in assets():
            files.append(
                File.generated(config, f"{ASSET_DIR}/{asset.name}", abs_src_path=str(asset))
            )
        self.generated = set()
        for checklist in self.checklists.values():
            if files.get_file_from_path(page_path(checklist.id)) is None:
                self.generated.add(page_path(checklist.id))
                files.append(
                    File.generated(
                        config,
                        page_path(checklist.id),
                        content=page_markdown(checklist),
                        inclusion=InclusionLevel.NOT_IN_NAV,
                    )
                )
        pages = render_go_pages(
            self.checklists.values(),
            site_url=config.site_url or "",
            checklist_url=lambda cid: _url(files, page_path(cid)),
        )
        for item_id, html in pages.items():
            files.append(File.generated(config, f"go/{item_id}/index.html", content=html))
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
            heading_level=1 if page.file.src_uri in self.generated else 2,
        )
        return markdown

    def _resolver(self, page: Page, files: Files) -> LinkResolver:
        def resolve(target: str) -> str:
            path, _, anchor = target.partition("#")
            suffix = f"#{anchor}" if anchor else ""
            if not path:
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
        if page.file.src_uri in self.generated and len(state.checklists) == 1:
            page.toc = checklist_toc(self.checklists[state.checklists[0]])
        self.extension.context = PageContext()
        for name, marker in ON_DEMAND.items():
            if marker in html:
                # Inside the content, so instant navigation runs it too; the script is idempotent.
                src = get_relative_url(f"{ASSET_DIR}/{name}", page.url or ".")
                if name.endswith(".css"):
                    html += f'\n<link rel="stylesheet" href="{src}">\n'
                else:
                    html += f'\n<script src="{src}"></script>\n'
        return html

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        directory = self._directory(config, "checklists_dir")
        if directory.is_dir():
            server.watch(str(directory))
        return server


def assets() -> list[Path]:
    """The stylesheets and scripts shipped in the package, `meshkb.*` first."""
    found = (p for p in ASSETS.iterdir() if p.suffix in (".css", ".js"))
    return sorted(found, key=lambda p: (p.stem != "meshkb", p.name))


def _warn(problem: Problem) -> None:
    log.warning(str(problem))


def _url(files: Files, path: str) -> str:
    file = files.get_file_from_path(path)
    return file.url if file is not None else page_url(path)


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


def page_markdown(checklist: Checklist) -> str:
    """The generated page: a title and the directive.

    MkDocs themes print page titles as HTML, so the title is escaped here.
    """
    title = json.dumps(escape(checklist.title, quote=False))
    return f"---\ntitle: {title}\n---\n\n[[meshkb:checklist {checklist.id}]]\n"


def checklist_toc(checklist: Checklist) -> TableOfContents:
    """Progress and one entry per section, for Material's table of contents."""
    entries = [AnchorLink("Progress", f"meshkb-{checklist.id}-progress", 2)]
    entries.extend(
        AnchorLink(escape(f"{number}. {section.title}"), section.id, 2)
        for number, section in enumerate(checklist.sections, start=1)
    )
    return TableOfContents(entries)


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
