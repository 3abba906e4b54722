"""`[[meshkb:items]]` and `[[meshkb:sources]]`: checklist text reaches the page as text.

The directives run inside the site's own Markdown (raw HTML and attribute lists on), so
every test converts a real page with the real extensions and reads the HTML back.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meshkb.core.load import load_checklist
from meshkb.core.model import Ref
from meshkb.markdown_ext import MeshkbExtension, PageContext
from meshkb.site import crossref
from meshkb.site.escape import replace_controls
from meshkb.site.urls import is_source_url

from ..conftest import CASES
from .test_render import Node, parse

HOSTILE = load_checklist(CASES / "hostile" / "hostile.yaml")
SITE_EXTENSIONS = ["attr_list", "tables", "md_in_html", "admonition", "def_list", "toc"]
"""What the site's mkdocs.yml turns on that could read markup in spliced text."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("checklists")
    shutil.copy2(CASES / "hostile" / "hostile.yaml", target / "hostile.yaml")
    shutil.copy2(CASES / "valid" / "sample.yaml", target / "sample.yaml")
    return target


def convert(text: str, page: str, folder: Path | None = None, **context: object) -> str:
    ext = MeshkbExtension(checklists_dir=str(folder or CASES / "hostile"))
    ext.context = PageContext(source=page, **context)  # type: ignore[arg-type]
    return markdown.markdown(text, extensions=[*SITE_EXTENSIONS, ext])


def assert_inert(tree: Node) -> None:
    """No element a checklist could have added: only table and list markup, links and emphasis."""
    ours = {  # the attributes meshkb itself writes, exactly
        ("ul", "class", "meshkb-cites"),
        ("a", "class", "meshkb-cites__section"),
        ("a", "title", "the section it cites"),
        ("div", "class", "md-typeset__scrollwrap"),  # the theme's boxes around a table
        ("div", "class", "md-typeset__table"),
        ("table", "class", "meshkb-table"),
    }
    tags = {"p", "em", "strong", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "a"}
    for node in tree.iter()[1:]:
        assert node.tag in tags or (node.tag, "class", node.attrs.get("class")) in ours, node
        for name, value in node.attrs.items():
            if node.tag == "a" and name == "href":
                continue
            assert (node.tag, name, value) in ours, node.attrs
        assert node.tag != "a" or "href" in node.attrs, node.attrs
        href = node.attrs.get("href", "#")
        assert is_source_url(href) or href.startswith(("../checklists/", "checklists/", "#")), href


class _Cells(HTMLParser):
    """The text of each table cell, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "td":
            self.cells.append("")
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "td"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.cells[-1] += data


class _Lines(HTMLParser):
    """The text of each list item, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "li":
            self.lines.append("")
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "li"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.lines[-1] += data


def lines(html: str) -> list[str]:
    parser = _Lines()
    parser.feed(html)
    parser.close()
    return parser.lines


def cells(html: str) -> list[str]:
    parser = _Cells()
    parser.feed(html)
    parser.close()
    return parser.cells


@pytest.mark.parametrize("page", ["decide.md", "index.md"])
def test_items_directive_shows_hostile_titles_as_text(page: str) -> None:
    html = convert("[[meshkb:items]]\n", page)
    tree = parse(html)
    assert_inert(tree)
    cited = [
        i for i in HOSTILE.active_items() if any((r.page or "").startswith(page) for r in i.refs)
    ]
    assert len(cited) >= 2
    (line,) = tree.find_all("li")  # one line for the one checklist
    (text,) = lines(html)
    assert text.startswith(f"{HOSTILE.title} ({len(cited)} items): ")
    hrefs = [a.attrs["href"] for a in line.find_all("a")]
    base = "checklists/hostile/" if page == "index.md" else "../checklists/hostile/"
    for item in cited:
        assert f"{item.id} {replace_controls(item.title)}" in text
        assert f"{base}#{item.id}" in hrefs


def test_an_attribute_list_in_a_title_stays_in_the_title() -> None:
    html = convert("[[meshkb:items]]\n", "decide.md")
    assert "onmouseover=" not in html.replace("onmouseover=&quot;", "")
    text = parse(html).all_text()
    assert '{: onmouseover="window.__pwned=1" style="position:fixed;' in text


def test_a_stash_placeholder_in_a_title_pulls_in_nothing() -> None:
    # Python-Markdown's raw-HTML placeholders are STX wzxhzdk:N ETX: a title spelling one
    # must not be replaced by another block's HTML.
    html = convert("[[meshkb:items]]\n\n<div>kept</div>\n", "decide.md")
    assert html.count("<div>kept</div>") == 1
    assert "\ufffdwzxhzdk:0\ufffd" in html
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html)


def test_same_page_anchors_stay_on_the_page_and_other_pages_resolve() -> None:
    seen: list[str] = []

    def resolve(target: str) -> str:
        seen.append(target)
        return f"/resolved/{target}"

    html = convert("[[meshkb:items]]\n", "decide.md", resolve=resolve)
    assert "#three-conditions" in seen, "the same page's anchor goes to the resolver as itself"
    assert "checklists/hostile.md#XSS-0004" in seen and "checklists/hostile.md" in seen
    assert 'href="/resolved/#three-conditions"' in html


def test_items_for_another_page_link_from_this_one(folder: Path) -> None:
    html = convert("[[meshkb:items index.md]]\n", "reference/cli.md", folder)
    tree = parse(html)
    links = [a.attrs["href"] for a in tree.find_all("a")]
    assert "../../checklists/hostile/#XSS-0001" in links
    assert "../../#start-here" in links, "the cited page's section, not this page's"


def test_sources_directive_shows_hostile_titles_and_dates_as_text(folder: Path) -> None:
    html = convert("[[meshkb:sources]]\n", "sources.md", folder)
    tree = parse(html)
    assert_inert(tree)
    text = tree.all_text()
    for ref in (r for i in HOSTILE.active_items() for r in i.refs if r.url):
        assert ref.title in text and ref.as_of in text
        link = next(a for a in tree.find_all("a") if a.attrs["href"] == ref.url)
        assert link.all_text() == ref.title
    assert "<td onmouseover" not in html and "| cell {: onmouseover" in text


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        'https://example.com/"><svg onload=alert(1)>',
        "https://example.com/)<svg/onload=alert(1)>",
        "https://example.com/x {: onclick=alert(1) }",
        "https://trusted.example@evil.example/",
        "http://example.com/",
    ],
)
def test_a_source_url_the_schema_refuses_is_never_linked(url: str) -> None:
    # Built past the schema on purpose: the page checks again (defence in depth).
    item = HOSTILE.active_items()[0]
    bad = replace(item, refs=(Ref(url=url, title="T<b>", as_of="now"),))
    section = replace(HOSTILE.sections[0], items=(bad,))
    checklist = replace(HOSTILE, sections=(section,))
    assert not is_source_url(url)
    html = crossref.render_checklist_sources_html([checklist], "sources.md")
    tree = parse(html)
    assert [a.attrs["href"] for a in tree.find_all("a")] == [f"../checklists/hostile/#{item.id}"]
    assert "T<b>" in tree.all_text() and "<b>" not in html


def test_the_schema_pattern_is_the_page_check() -> None:
    for url in ("https://istio.io/latest/docs/", "https://example.com/a_(b)?q=x&y=1#frag"):
        assert is_source_url(url)
    for url in ("https://example.com/a'b", "https://exa mple.com/", "https://example.com/%zz"):
        assert not is_source_url(url)


def test_no_citing_item_says_so() -> None:
    html = convert("[[meshkb:items]]\n", "nowhere.md")
    assert html == "<p><em>No checklist item cites this page yet.</em></p>"


_TEXT = st.text(
    alphabet=st.sampled_from(list("<>&\"'`{}:=|[]()*_#\\!-/ ax\n\t\x00\x02\x03\x1b\u202e\u200b")),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, checklist_title=_TEXT, as_of=_TEXT)
def test_any_text_comes_out_as_the_same_text(title: str, checklist_title: str, as_of: str) -> None:
    item = HOSTILE.active_items()[0]
    ref = Ref(url="https://example.com/x", title=title, as_of=as_of)
    odd_item = replace(item, title=title, refs=(Ref(page="decide.md"), ref))
    section = replace(HOSTILE.sections[0], items=(odd_item,))
    checklist = replace(HOSTILE, title=checklist_title, sections=(section,))
    ext = MeshkbExtension()
    ext.catalogue = lambda: [checklist]
    ext.context = PageContext(source="decide.md")
    page = markdown.markdown(
        "[[meshkb:items]]\n\n[[meshkb:sources]]\n", extensions=[*SITE_EXTENSIONS, ext]
    )
    assert_inert(parse(page))
    assert lines(page) == [
        f"{replace_controls(checklist_title)} (1 item): {item.id} {replace_controls(title)}"
    ]
    texts = cells(page)  # the sources table
    assert texts[:2] == [replace_controls(title), replace_controls(as_of)]
