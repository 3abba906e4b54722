"""The site's links, offline: sources, built HTML, no external request, every source listed.

1. Every link and anchor in docs/**/*.md and every page ref in checklists/*.yaml resolves
   (Markdown parsed with markdown-it-py's token stream, never with regexes).
2. Real builds (tests/sitebuild.py, shared with the other site tests): `mkdocs build
   --strict` and `zensical build --strict` of the same sources, each for the local preview
   and for an address below a path.
3. Every relative href/src in the built HTML resolves to a file, every #fragment to an id.
Then: no page loads anything from off the site, and every external link has a sources entry.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from meshkb.core.load import load_all
from meshkb.site.linklock import BuiltSite
from meshkb.site.sources import page_headings
from meshkb.site.sources_page import generated_page_headings

from ..conftest import CHECKLISTS, ROOT
from ..sitebuild import SUBPATH_URL, repo_site, repo_zensical_site

DOCS = ROOT / "docs"
SITE_URL = "http://127.0.0.1:8000/"
CHECKLIST_SET = {c.id: c for c in load_all(sorted(CHECKLISTS.glob("*.yaml")))}
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
MARKDOWN = MarkdownIt("commonmark").enable("table")
# Elements that make the browser fetch something, and the attribute it fetches.
FETCHING = {
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)")


def markdown_targets(text: str) -> list[str]:
    """Every link href and image src in a Markdown text, from markdown-it's tokens."""
    found: list[str] = []

    def walk(tokens: list) -> None:  # type: ignore[type-arg]
        for token in tokens:
            if token.type == "link_open":
                found.append(str(token.attrGet("href")))
            elif token.type == "image":
                found.append(str(token.attrGet("src")))
            if token.children:
                walk(token.children)

    walk(MARKDOWN.parse(text))
    return found


def anchors_of(page: str) -> set[str] | None:
    """The anchors a docs page (or a generated checklist page) offers; None if no such page."""
    if page.startswith("checklists/") and page.endswith(".md"):
        checklist = CHECKLIST_SET.get(posixpath.basename(page)[:-3])
        if checklist is None:
            return None
        return (
            {i.id for i in checklist.all_items()}
            | {s.id for s in checklist.sections}
            | {"progress"}
        )
    path = DOCS / page
    if not path.is_file():
        return None
    return {heading.anchor for heading in page_headings(path.read_text(encoding="utf-8"))}


def is_external(target: str) -> bool:
    return bool(urlsplit(target).scheme) or target.startswith("//")


@pytest.mark.parametrize("page", PAGES)
def test_every_link_and_anchor_in_the_markdown_resolves(page: str) -> None:
    problems = []
    for target in markdown_targets((DOCS / page).read_text(encoding="utf-8")):
        if is_external(target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (
            posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(path)))
            if path
            else page
        )
        if resolved.endswith((".svg", ".png")):
            if not (DOCS / resolved).is_file():
                problems.append(f"{target}: no file docs/{resolved}")
            continue
        anchors = anchors_of(resolved)
        if anchors is None:
            problems.append(f"{target}: no page {resolved}")
        elif anchor and anchor not in anchors:
            problems.append(f"{target}: {resolved} has no anchor #{anchor}")
    assert problems == []


def test_every_page_ref_in_the_checklists_resolves() -> None:
    problems = []
    for checklist in CHECKLIST_SET.values():
        for item in checklist.active_items():
            for ref in item.refs:
                if ref.page is None:
                    continue
                page, _, anchor = ref.page.partition("#")
                anchors = anchors_of(page)
                if anchors is None or (anchor and anchor not in anchors):
                    problems.append(f"{item.id}: {ref.page}")
    assert problems == []


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.fetched: list[tuple[str, str]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("href", "src", "data"):
            if name in values:
                self.links.append((tag, name, values[name]))
        if (
            tag in FETCHING
            and FETCHING[tag] in values
            and not (tag == "link" and values.get("rel") == "canonical")
        ):
            self.fetched.append((tag, values[FETCHING[tag]]))
        if "style" in values:
            self.styles.append(values["style"])
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


PUBLISHED: dict[Path, str] = {}
"""Built site -> the address it was built for."""


@pytest.fixture(
    scope="module",
    params=[
        ("mkdocs", None),
        ("mkdocs", SUBPATH_URL),
        ("zensical", None),
        ("zensical", SUBPATH_URL),
    ],
    ids=["mkdocs-local", "mkdocs-subpath", "zensical-local", "zensical-subpath"],
)
def site(request: pytest.FixtureRequest) -> Path:
    """The site built by each engine for the local preview, and for an address below a path."""
    engine, url = request.param
    built = repo_zensical_site(url) if engine == "zensical" else repo_site(url)
    PUBLISHED[built] = url or SITE_URL
    return built


def built_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def broken_references(site: Path) -> tuple[list[str], int]:
    """Relative href/src in the built HTML that miss their file or #fragment; and how many checked.

    A root-relative link (404.html's) must stay under the published address's path.
    """
    site_url = PUBLISHED.get(site, SITE_URL)
    prefix = urlsplit(site_url).path
    checker = BuiltSite(site, site_url)
    problems = []
    checked = 0
    for file in built_pages(site):
        here = "/" + file.relative_to(site).as_posix()
        parser = _Refs()
        parser.feed(file.read_text(encoding="utf-8"))
        for tag, attribute, target in parser.links:
            if is_external(target) or target.startswith(("mailto:", "data:")) or (tag == "meta"):
                continue
            if target.startswith("/"):
                if not target.startswith(prefix):
                    problems.append(f"{here}: <{tag} {attribute}={target!r}>: outside {prefix}")
                    continue
                target = "/" + target[len(prefix) :]
            absolute = posixpath.normpath(
                posixpath.join(
                    posixpath.dirname(here), target.split("#")[0] or posixpath.basename(here)
                )
            )
            path_part = target.split("#")[0]
            # A same-page link (`#x`) stays on its file (`404.html`, not a folder `404.html/`).
            if path_part.endswith("/") or path_part == ".":
                absolute += "/"
            anchor = target.partition("#")[2]
            entry = absolute.replace("/index.html", "/") + (f"#{anchor}" if anchor else "")
            if (
                not (site / absolute.lstrip("/")).exists()
                and not (site / absolute.lstrip("/") / "index.html").exists()
            ):
                problems.append(f"{here}: <{tag} {attribute}={target!r}>: no such file")
                continue
            if (
                anchor
                and (site / absolute.lstrip("/")).suffix not in ("", ".html")
                and not absolute.endswith("/")
            ):
                continue
            problem = checker.problem(entry) if anchor else None
            if problem:
                problems.append(f"{here}: <{tag} {attribute}={target!r}>: {problem}")
            checked += 1
    return problems, checked


def test_every_relative_href_and_src_in_the_built_html_resolves(site: Path) -> None:
    problems, checked = broken_references(site)
    assert problems == []
    assert checked > 1000


def test_the_built_html_check_catches_missing_files_and_fragments(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">A</h2>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="a/#here">ok</a><a href="a/#gone">x</a><a href="b/">x</a><img src="c.svg">',
        encoding="utf-8",
    )
    problems, checked = broken_references(tmp_path)
    assert problems == [
        "/index.html: <a href='a/#gone'>: /a/: the page has no element with id 'gone'",
        "/index.html: <a href='b/'>: no such file",
        "/index.html: <img src='c.svg'>: no such file",
    ]
    assert checked == 2


def external_requests(site: Path) -> list[str]:
    """Every place a built page or stylesheet would fetch something from off the site."""
    site_url = PUBLISHED.get(site, SITE_URL)

    def off_site(url: str) -> bool:
        return is_external(url) and not url.startswith((site_url, "data:"))

    offenders = []
    for file in built_pages(site):
        parser = _Refs()
        parser.feed(file.read_text(encoding="utf-8"))
        where = file.relative_to(site)
        offenders += [f"{where}: <{tag}> {url}" for tag, url in parser.fetched if off_site(url)]
        for style in parser.styles:
            offenders += [f"{where}: style url({u})" for u in CSS_URL.findall(style) if off_site(u)]
    for css in sorted(site.rglob("*.css")):
        text = css.read_text(encoding="utf-8")
        offenders += [
            f"{css.relative_to(site)}: url({u})" for u in CSS_URL.findall(text) if off_site(u)
        ]
    return offenders


def test_no_page_makes_an_external_request(site: Path) -> None:
    assert external_requests(site) == []


def test_a_published_build_names_its_address_and_never_the_local_preview(site: Path) -> None:
    site_url = PUBLISHED[site]
    page = (site / "migrate" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{site_url}migrate/"' in page
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert locations and all(loc.startswith(site_url) for loc in locations)
    if site_url == SITE_URL:
        return
    ours = [p for p in site.rglob("*") if p.suffix in (".html", ".xml", ".json")]
    named = [str(p.relative_to(site)) for p in ours if SITE_URL in p.read_text("utf-8", "replace")]
    assert named == []


def test_the_external_request_check_catches_web_fonts_and_cdns(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        '<img src="//cdn.example/x.png"><link rel="icon" href="data:,">'
        '<div style="background:url(http://img.example/a.png)"></div>',
        encoding="utf-8",
    )
    (tmp_path / "a.css").write_text(
        "@font-face{src:url(https://fonts.gstatic.com/x.woff2)}", encoding="utf-8"
    )
    assert external_requests(tmp_path) == [
        "index.html: <link> https://fonts.googleapis.com/css?family=Roboto",
        "index.html: <img> //cdn.example/x.png",
        "index.html: style url(http://img.example/a.png)",
        "a.css: url(https://fonts.gstatic.com/x.woff2)",
    ]


def external_links() -> dict[str, str]:
    found: dict[str, str] = {}
    for page in PAGES:
        for target in markdown_targets((DOCS / page).read_text(encoding="utf-8")):
            if is_external(target) and not target.startswith(SITE_URL):
                found.setdefault(target, f"docs/{page}")
    for checklist in CHECKLIST_SET.values():
        for item in checklist.active_items():
            for ref in item.refs:
                if ref.url:
                    found.setdefault(ref.url, item.id)
    return found


@pytest.mark.parametrize(("url", "where"), sorted(external_links().items()))
def test_external_links_are_well_formed(url: str, where: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme == "https", f"{where}: {url} is not https"
    assert "." in parts.netloc and " " not in url, f"{where}: {url} is malformed"


def test_every_external_source_is_listed_with_the_date_it_was_checked() -> None:
    # The Sources page is generated from the facts files: read it as the build renders it.
    sources = generated_page_headings((DOCS / "sources.md").read_text(encoding="utf-8"))
    listed = {u for u in markdown_targets(sources) if is_external(u)}
    pages_only = {
        u: w
        for u, w in external_links().items()
        if w.startswith("docs/") and w != "docs/sources.md"
    }
    assert sorted(u for u in pages_only if u not in listed) == []
    # Hand-written entries each carry a "Checked" date; checklist sources carry last_reviewed.
    entries = sources.split("\n### ")[1:]
    assert entries and all("Checked 20" in " ".join(entry.split()) for entry in entries)
    assert "[[meshkb:sources]]" in sources


def test_search_indexes_the_items_not_the_checklist_controls(site: Path) -> None:
    import json

    mkdocs_index = site / "search" / "search_index.json"
    if mkdocs_index.is_file():
        docs = json.loads(mkdocs_index.read_text(encoding="utf-8"))["docs"]
    else:  # Zensical's index
        docs = json.loads((site / "search.json").read_text(encoding="utf-8"))["items"]
    text = " ".join(doc["text"] for doc in docs if doc["location"].startswith("checklists/"))
    assert "Write the bypass runbook for Linkerd" in text
    assert "SeverityDone" not in text and "Export Markdown" not in text and "Gate:" not in text
