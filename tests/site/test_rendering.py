"""What the built pages show: no escaped pipes in code, no empty table headers, source
links named by their section, and the items citing a page as a compact list."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from meshkb.core.load import checklist_files, load_all
from meshkb.site.crossref import citations, render_citations_html

from ..conftest import CHECKLISTS
from ..sitebuild import repo_site


class _Collect(HTMLParser):
    """Text of every <code>, the cells of every table's header row, and links' texts."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self.headers: list[list[str]] = []
        self.links: list[tuple[str, str]] = []
        self._code = 0
        self._thead = False
        self._cell: list[str] | None = None
        self._link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code":
            self._code += 1
            self.codes.append("")
        elif tag == "thead":
            self._thead = True
            self.headers.append([])
        elif tag == "th" and self._thead:
            self._cell = []
        elif tag == "a":
            self._link = (dict(attrs).get("href") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._code -= 1
        elif tag == "thead":
            self._thead = False
        elif tag == "th" and self._cell is not None:
            self.headers[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "a" and self._link:
            self.links.append((self._link[0], "".join(self._link[1]).strip()))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._code:
            self.codes[-1] += data
        if self._cell is not None:
            self._cell.append(data)
        if self._link:
            self._link[1].append(data)


@pytest.fixture(scope="module")
def pages() -> dict[str, _Collect]:
    site = repo_site()
    found = {}
    for path in sorted(site.rglob("index.html")):
        if "go" in path.relative_to(site).parts[:1]:
            continue
        parser = _Collect()
        parser.feed(path.read_text(encoding="utf-8"))
        found[path.relative_to(site).as_posix()] = parser
    return found


def test_no_code_span_shows_an_escaped_pipe(pages: dict[str, _Collect]) -> None:
    shown = {page: [c for c in p.codes if "\\|" in c] for page, p in pages.items()}
    assert {page: codes for page, codes in shown.items() if codes} == {}
    cli = pages["reference/cli/index.html"].codes
    assert "--format md|json|yaml|junit" in cli


def test_no_table_has_an_empty_header_row(pages: dict[str, _Collect]) -> None:
    empty = [page for page, p in pages.items() for row in p.headers if not any(row)]
    assert empty == []
    assert ["Project", "Native sidecar support"] in pages["traps/index.html"].headers


def test_source_links_are_named_by_their_section_never_by_an_anchor(
    pages: dict[str, _Collect],
) -> None:
    migration = pages["checklists/migration/index.html"]
    texts = [text for _, text in migration.links]
    assert not [t for t in texts if "\u203a #" in t or t.startswith("#")]
    # MIG-0001 cites migrate.md#one-namespace: the page title, then the heading's text.
    cited = [t for href, t in migration.links if href.endswith("migrate/#one-namespace")]
    assert cited and all(t.startswith("The migration pattern \u203a ") for t in cited), cited
    assert all(len(t) > len("The migration pattern \u203a ") for t in cited)


def test_the_items_citing_a_page_are_one_line_per_checklist() -> None:
    checklists = load_all(checklist_files(CHECKLISTS))
    text = render_citations_html(checklists, "traps.md")
    rows = citations(checklists, "traps.md")
    lines = [line for line in text.splitlines() if line.startswith("<li>")]
    assert len(lines) == len({row.checklist.id for row in rows}) < len(rows)
    for row in rows:
        assert (
            f'<a href="../checklists/{row.checklist.id}/#{row.item.id}">{row.item.id}</a>' in text
        )
    assert "this section" not in text and "<table" not in text


def test_item_titles_in_the_citations_stay_text(tmp_path: Path) -> None:
    checklists = load_all(checklist_files(CHECKLISTS))
    from dataclasses import replace

    first = checklists[0]
    section = first.sections[0]
    item = replace(section.items[0], title="A *star* [link](x) `tick` <b>|")
    hostile = replace(first, sections=(replace(section, items=(item,)),))
    page = item.refs[0].page.partition("#")[0] if item.refs and item.refs[0].page else ""
    assert page, "the first item cites no page: pick an item that does"
    text = render_citations_html([hostile], page)
    assert "A *star* [link](x) `tick` &lt;b&gt;|" in text
