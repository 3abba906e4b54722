"""One source, two engines: `mkdocs build --strict` and `zensical build --strict` publish
the same pages with the same anchors (docs/engines.md).

The link lock, the built-HTML link check and the no-external-request check run on both
builds in test_links_lock.py and test_site.py; the browser tests run on both too.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from meshkb.core.load import checklist_files, load_all

from ..conftest import CHECKLISTS
from ..sitebuild import repo_site, repo_zensical_site


class _ContentIds(HTMLParser):
    """The ids inside the page's content (`<article>`), or in the whole page when it has none.

    The theme's own ids (search box, drawer, palette toggles) differ between engines and
    are not the site's anchors.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.article: set[str] = set()
        self.everywhere: set[str] = set()
        self._depth = 0
        self.has_article = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._depth += 1
            self.has_article = True
        ids = {value for name, value in attrs if name == "id" and value}
        self.everywhere |= ids
        if self._depth:
            self.article |= ids

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self._depth:
            self._depth -= 1


THEME_IDS = {"__skip"}
"""Ids a theme puts inside the article: Zensical's skip-link target."""


def anchors(site: Path) -> dict[str, frozenset[str]]:
    """Site URL (`migrate/`, `go/MIG-0003/`, `404.html`) -> the anchors on that page."""
    pages: dict[str, frozenset[str]] = {}
    for file in sorted(site.rglob("*.html")):
        parser = _ContentIds()
        parser.feed(file.read_text(encoding="utf-8"))
        url = file.relative_to(site).as_posix().removesuffix("index.html")
        ids = parser.article if parser.has_article else parser.everywhere
        pages[url] = frozenset(ids - THEME_IDS)
    return pages


def test_both_engines_publish_the_same_urls_and_anchors() -> None:
    mkdocs, zensical = anchors(repo_site()), anchors(repo_zensical_site())
    assert sorted(set(mkdocs) ^ set(zensical)) == [], "pages only one engine publishes"
    differing = {
        url: (sorted(mkdocs[url] - zensical[url]), sorted(zensical[url] - mkdocs[url]))
        for url in mkdocs
        if mkdocs[url] != zensical[url]
    }
    assert differing == {}, "anchors (only MkDocs, only Zensical) per page"
    # The comparison covers what the plugin used to add: checklist pages and /go/ links.
    for checklist in load_all(checklist_files(CHECKLISTS)):
        page = f"checklists/{checklist.id}/"
        assert f"meshkb-{checklist.id}-progress" in mkdocs[page]
        for item in checklist.all_items():
            assert item.id in mkdocs[page]
            assert f"go/{item.id}/" in mkdocs
    assert len(mkdocs) > 90


def test_the_go_pages_are_the_same_files_on_both() -> None:
    mkdocs, zensical = repo_site(), repo_zensical_site()
    go = sorted((mkdocs / "go").rglob("index.html"))
    assert go
    for page in go:
        twin = zensical / page.relative_to(mkdocs)
        assert twin.read_bytes() == page.read_bytes(), page.relative_to(mkdocs)


def test_a_checklist_page_has_its_sections_in_the_table_of_contents_on_both() -> None:
    checklist = next(c for c in load_all(checklist_files(CHECKLISTS)) if c.id == "migration")
    for site in (repo_site(), repo_zensical_site()):
        html = (site / "checklists" / "migration" / "index.html").read_text(encoding="utf-8")
        toc = html[html.index('data-md-component="toc"') :]
        assert 'href="#meshkb-migration-progress"' in toc, site
        for section in checklist.sections:
            assert f'href="#{section.id}"' in toc, (site, section.id)
        assert html.count('class="meshkb-title"') == 1
        assert '<h1 class="meshkb-title">' in html


class _Scripts(HTMLParser):
    """Each `<script src>` of a page, with whether it is deferred, async or a module."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []
        self.features: list[str] = []
        self._config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if tag == "script" and given.get("src"):
            waits = "defer" in given or "async" in given or given.get("type") == "module"
            self.found.append((str(given["src"]), waits))
        self._config = tag == "script" and given.get("id") == "__config"

    def handle_data(self, data: str) -> None:
        if self._config:
            self.features = json.loads(data).get("features", [])
            self._config = False


def test_no_page_runs_a_script_before_it_paints_on_both() -> None:
    """docs/engines.md#scripts: every script the theme writes waits for the parsed page,
    in its order, and instant navigation is off, on every page the two engines publish."""
    for built in (repo_site(), repo_zensical_site()):
        pages = [p for p in sorted(built.rglob("*.html")) if "/go/" not in p.as_posix()]
        assert len(pages) > 20, built
        for page in pages:
            parser = _Scripts()
            parser.feed(page.read_text(encoding="utf-8"))
            if not parser.found:  # a redirect page
                continue
            names = [src.rsplit("/", 1)[-1] for src, _ in parser.found]
            assert any(n.startswith("bundle.") for n in names), (page, names)
            assert "meshkb-page.js" in names, (page, names)
            blocking = [src for src, waits in parser.found if not waits]
            assert blocking == [], f"{page}: scripts that block the first paint: {blocking}"
            assert "navigation.instant" not in parser.features, page
