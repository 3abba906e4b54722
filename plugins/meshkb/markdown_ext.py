"""Python-Markdown extension: `[[meshkb:NAME ARGS]]` alone in a paragraph embeds a widget.

`[[meshkb:checklist migration]]` embeds the migration checklist. Other directives are
plain callables `args -> html` in `MeshkbExtension.directives` (see `default_directives`);
`[[meshkb:items]]` lists the checklist items whose refs cite the page, `[[meshkb:sources]]`
the external sources the checklists cite. Their HTML goes into the page as it is (through
Python-Markdown's stash), so text from a checklist, escaped there, is never read as
Markdown, raw HTML or an attribute list; links go through the page's resolver, which the
plugin checks. The `markdown_directives` return Markdown spliced into the page: only the
ones rendering meshkb's own facts files are, never a checklist's text.
The extension works on its own (`markdown_extensions: [meshkb.markdown_ext]`, loading
checklists from `checklists_dir`); the MkDocs plugin configures it per page instead,
supplying the checklists it loaded, a link resolver and a logger. Under Zensical, which runs
no MkDocs plugin and keeps one instance of each extension for a whole build, each page gets
its own copy of the extension, knowing the page's path from Zensical's rendering context.
`[[meshkb:checklist-page NAME]]` is a checklist's own page (`meshkb site generate`):
the checklist's title is the page's heading and its sections fill the table of contents.
The extension also puts every table in the theme's scroll boxes from the start
(`TableTreeprocessor`), so the theme's script leaves the tables where they are.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from meshkb.core import facts
from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.load import find_checklist, load_checklist
from meshkb.core.markdown_lines import fenced
from meshkb.core.model import Checklist
from meshkb.site import crossref
from meshkb.site.catalogue import load_checklists, page_titles
from meshkb.site.compatibility import render_matrix_markdown
from meshkb.site.escape import escape_html
from meshkb.site.fragment import checklist_toc_tokens, render_checklist
from meshkb.site.generate import ASSET_DIR, ON_DEMAND
from meshkb.site.markdown_text import LinkResolver, TitleLookup
from meshkb.site.sources_page import render_sources_markdown
from meshkb.site.urls import relative_href, source_relative_href

Directive = Callable[[str], str]
"""A directive renderer: the text after the name -> an HTML block."""

_DIRECTIVE = re.compile(r"^ {0,3}\[\[meshkb:([a-z][a-z0-9-]*)(?:[ \t]+([^\]]*?))?[ \t]*\]\][ \t]*$")
_ID_ATTR = re.compile(r"<[^>]*?\sid=\"([^\"]+)\"")


def _raise(problem: Problem) -> None:
    raise MeshkbError(problem)


@dataclass(frozen=True, slots=True)
class PageContext:
    """What the extension knows about the page being converted."""

    source: str = "<markdown>"
    """The page's file, for messages."""
    line_offset: int = 0
    """Lines before the Markdown body (front matter), for messages."""
    resolve: LinkResolver | None = None
    """Docs-relative target -> href on this page; None: directory URLs from the checklist page."""
    page_title: TitleLookup | None = None
    """Docs-relative page -> title, for link texts."""


@dataclass(frozen=True, slots=True)
class DirectiveState:
    """What the last conversion produced, read by the plugin after each page."""

    anchors: set[str] = field(default_factory=set)
    """Element ids inside the embedded HTML."""
    checklists: list[str] = field(default_factory=list)
    """IDs of the checklists embedded."""
    toc: list[dict[str, Any]] = field(default_factory=list)
    """Table-of-contents entries (Python-Markdown toc tokens) the page's checklist adds."""
    assets: set[str] = field(default_factory=set)
    """Names of the on-demand assets (`ON_DEMAND`) the page's widgets need."""


def error_html(message: str) -> str:
    """A visible failure box (Material styles admonitions) for a non-strict build."""
    return (
        '<div class="admonition failure meshkb-error"><p class="admonition-title">meshkb</p>'
        f"<p>{escape_html(message)}</p></div>"
    )


class MeshkbExtension(Extension):  # type: ignore[misc] # Python-Markdown ships no types
    """Registers the directive preprocessor."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "checklists_dir": [
                "checklists",
                "Folder of checklist YAML files (when no plugin supplies them)",
            ],
        }
        super().__init__(**kwargs)
        self.context = PageContext()
        self.state = DirectiveState()
        self.report: Callable[[Problem], None] = _raise
        """Called with each problem; the default raises, the plugin logs a warning."""
        self.lookup: Callable[[str], Checklist] = self._load_from_dir
        """Checklist ID -> checklist; raises MeshkbError."""
        self.owners: dict[str, str] = {}
        """Item ID -> checklist ID across all checklists, for cross-file replacements."""
        self.directives: dict[str, Directive] = default_directives(self)
        """Directive name -> renderer; add entries to support more directives."""
        self.markdown_directives: dict[str, Directive] = {
            "fact-sources": lambda args: render_sources_markdown(self.facts(), args.split()),
            "compatibility-matrix": lambda args: render_matrix_markdown(self.facts()),
        }
        """Directive name -> renderer of Markdown spliced into the page (no checklist text)."""
        self.catalogue: Callable[[], Iterable[Checklist]] = self._all_from_dir
        """Every checklist, for directives that look across them."""
        self.facts: Callable[[], facts.FactBase] = facts.shipped
        """The facts `[[fact:KEY]]` references resolve against."""

    def extendMarkdown(self, md: Markdown) -> None:  # Python-Markdown's API name
        ext = self.for_engine_page(md)
        md.registerExtension(ext)
        # After whitespace normalisation (30) and before fenced code (25), so line numbers hold.
        md.preprocessors.register(_DirectivePreprocessor(md, ext), "meshkb_directives", 27)
        md.preprocessors.register(_FactPreprocessor(md, ext), "meshkb_facts", 26)
        # Last of the tree's steps, when every table is in the tree.
        md.treeprocessors.register(TableTreeprocessor(md), "meshkb_tables", 1)
        # After toc's treeprocessor, whose tokens MkDocs and Zensical read after conversion.
        md.postprocessors.register(_TocPostprocessor(md, ext), "meshkb_toc", 5)

    def reset(self) -> None:
        self.state = DirectiveState()

    def for_engine_page(self, md: Markdown) -> MeshkbExtension:
        """This extension, or a copy of it for the page an engine's rendering context names.

        Zensical registers a `rendering_context` preprocessor holding the page (`page.path`
        is docs-relative) before the other extensions, and keeps one instance of each
        extension for the whole build, so per-page state lives on a copy. Zensical rewrites
        every relative URL in the HTML as a path from the page's file, so the copy's links
        are paths between files. MkDocs has no such context: there the plugin sets
        `context` per page.
        """
        for processor in md.preprocessors:
            path = getattr(getattr(processor, "page", None), "path", None)
            if getattr(processor, "name", None) == "rendering_context" and isinstance(path, str):
                copy = MeshkbExtension(checklists_dir=self.getConfig("checklists_dir"))
                root = (getattr(processor, "config", None) or {}).get("root_dir")
                copy.context = PageContext(
                    source=path,
                    resolve=functools.partial(_source_relative, path),
                    page_title=page_titles(Path(root) / "mkdocs.yml") if root else None,
                )
                return copy
        return self

    def href(self, target: str) -> str:
        """A docs-relative target (page or file) as an href on the page being converted."""
        if self.context.resolve is not None:
            return self.context.resolve(target)
        return relative_href(target, self.context.source)

    def _load_from_dir(self, name: str) -> Checklist:
        directory = Path(str(self.getConfig("checklists_dir")))
        return load_checklist(find_checklist(name, [directory]))

    def _all_from_dir(self) -> Iterable[Checklist]:
        checklists, problems = load_checklists(Path(str(self.getConfig("checklists_dir"))))
        if problems:
            raise MeshkbError(problems)
        return checklists.values()

    def items_directive(self, args: str) -> str:
        """`[[meshkb:items]]`: the items citing this page (or the docs path given)."""
        here = self.context.source
        return crossref.render_citations_html(
            self.catalogue(), args.strip() or here, here=here, resolve=self.context.resolve
        )

    def sources_directive(self, args: str) -> str:
        """`[[meshkb:sources]]`: every external source the checklists cite."""
        return crossref.render_checklist_sources_html(
            self.catalogue(), self.context.source, self.context.resolve
        )

    def checklist_directive(self, args: str, *, own_page: bool = False) -> str:
        """`[[meshkb:checklist NAME]]`; `own_page`: `[[meshkb:checklist-page NAME]]`."""
        name = args.strip()
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
            raise MeshkbError(f"checklist directive needs one checklist ID, got {name!r}")
        checklist = self.lookup(name)
        self.state.checklists.append(checklist.id)
        known_page = self.context.resolve is not None or self.context.source.endswith(".md")
        if own_page:
            self.state.toc.extend(checklist_toc_tokens(checklist))
        return render_checklist(
            checklist,
            resolve=self.href if known_page else None,
            page_title=self.context.page_title,
            heading_level=1 if own_page else 2,
            owners=self.owners,
        )

    def expand(self, name: str, args: str, line: int) -> str:
        """Render one directive, reporting problems at the page's file and line."""
        where = self.context.source
        directive = self.directives.get(name) or self.markdown_directives.get(name)
        try:
            if directive is None:
                known = ", ".join(sorted([*self.directives, *self.markdown_directives]))
                raise MeshkbError(f"unknown directive [[meshkb:{name}]] (known: {known})")
            html = directive(args)
        except MeshkbError as exc:
            # A problem located in a checklist file is reported there; any other at the directive.
            problems = [
                p if p.line is not None else Problem(where, p.message, line, 1)
                for p in exc.problems
            ]
            for problem in problems:
                self.report(problem)
            return error_html("; ".join(str(p) for p in problems))
        self.state.anchors.update(_ID_ATTR.findall(html))
        self.state.assets.update(a for a, marker in ON_DEMAND.items() if marker in html)
        return html

    def asset_tags(self) -> str:
        """The on-demand stylesheets and scripts the page's widgets need, as HTML.

        Inside the content, so instant navigation runs them too; the scripts are idempotent.
        Deferred like the theme's own (docs/engines.md#scripts): none holds up the parser.
        """
        tags = []
        for name in sorted(self.state.assets):
            src = escape_html(self.href(f"{ASSET_DIR}/{name}"))
            if name.endswith(".css"):
                tags.append(f'<link rel="stylesheet" href="{src}">')
            else:
                tags.append(f'<script defer src="{src}"></script>')
        return "\n".join(tags)


def _source_relative(page: str, target: str) -> str:
    return source_relative_href(target, page)


def default_directives(ext: MeshkbExtension) -> dict[str, Directive]:
    """The built-in directives: a checklist, the items and sources tables, the cost widgets."""
    from meshkb.cost.calculator import render_cost_calculator_html
    from meshkb.cost.chart import render_cost_chart_svg

    return {
        "checklist": ext.checklist_directive,
        "items": ext.items_directive,
        "sources": ext.sources_directive,
        "checklist-page": lambda args: ext.checklist_directive(args, own_page=True),
        "cost-chart": lambda args: render_cost_chart_svg(),
        "cost-calculator": lambda args: render_cost_calculator_html(),
    }


class _DirectivePreprocessor(Preprocessor):  # type: ignore[misc] # as above
    def __init__(self, md: Markdown, ext: MeshkbExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        self.ext.state = DirectiveState()
        out: list[str] = []
        for index, (line, code) in enumerate(zip(lines, fenced(lines), strict=True)):
            if code:
                out.append(line)
                continue
            match = _DIRECTIVE.match(line)
            alone = (index == 0 or not lines[index - 1].strip()) and (
                index + 1 == len(lines) or not lines[index + 1].strip()
            )
            if not match or not alone:
                out.append(line)
                continue
            name = match.group(1)
            html = self.ext.expand(
                name, match.group(2) or "", index + 1 + self.ext.context.line_offset
            )
            if name in self.ext.markdown_directives:
                out.extend(["", *html.split("\n"), ""])
            else:
                out.extend(["", self.md.htmlStash.store(html), ""])
        if self.ext.state.assets:
            out.extend(["", self.md.htmlStash.store(self.ext.asset_tags()), ""])
        return out


class _TocPostprocessor(Postprocessor):  # type: ignore[misc] # as above
    """Adds the embedded checklist's entries to the tokens the toc extension made."""

    def __init__(self, md: Markdown, ext: MeshkbExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        if self.ext.state.toc:
            self.md.toc_tokens = [*getattr(self.md, "toc_tokens", []), *self.ext.state.toc]
        return text


class TableTreeprocessor(Treeprocessor):  # type: ignore[misc] # as above
    """Puts every Markdown table in the theme's two scroll boxes and names it `meshkb-table`.

    The theme's script (Material's and Zensical's alike) does this at start-up to every
    table without a class: it takes the table out of the page and puts it back inside
    `div.md-typeset__scrollwrap > div.md-typeset__table`. On a phone that took up to a
    third of the page's blocking time (the compare page's grid alone is about 320
    elements). Here the boxes are in the HTML from the start, and the class makes the
    script leave the table alone. meshkb's stylesheet (assets/meshkb.css, on every page)
    gives `table.meshkb-table` the rules the theme gives a table without a class; a
    browser test compares the two on both engines.
    """

    def run(self, root: etree.Element) -> None:
        for parent in root.findall(".//table/.."):
            for index, table in enumerate(list(parent)):
                if table.tag != "table" or "class" in table.attrib:
                    continue
                table.set("class", crossref.TABLE_CLASS)
                outer = etree.Element("div", {"class": crossref.TABLE_BOXES[0]})
                inner = etree.SubElement(outer, "div", {"class": crossref.TABLE_BOXES[1]})
                outer.tail, table.tail = table.tail, None
                parent.remove(table)
                inner.append(table)
                parent.insert(index, outer)


class _FactPreprocessor(Preprocessor):  # type: ignore[misc] # as above
    """`[[fact:KEY]]` -> value, unit and a link to the source (facts.py does the work)."""

    def __init__(self, md: Markdown, ext: MeshkbExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        if not any("[[fact:" in line for line in lines):
            return lines
        ctx = self.ext.context
        try:
            base = self.ext.facts()
        except MeshkbError as exc:
            for problem in exc.problems:
                self.ext.report(problem)
            return lines
        return facts.resolve_lines(
            base,
            lines,
            ctx.source,
            lambda message, line, col: self.ext.report(
                Problem(ctx.source, message, line + ctx.line_offset, col)
            ),
        )


def makeExtension(**kwargs: Any) -> MeshkbExtension:  # Python-Markdown's API name
    return MeshkbExtension(**kwargs)
