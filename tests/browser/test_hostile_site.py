"""A team checklist whose every text is an attack, on every page that shows checklist text.

The hostile site is a real `mkdocs build --strict` of the repository's sources with
`tests/cases/hostile/hostile.yaml` in the checklists folder, the way a team adds its own
checklist. Each page is loaded in Chromium and hovered; the test watches for any script
the checklist could run (a trap on `window.__pwned`, dialogs, event-handler attributes),
any request leaving 127.0.0.1, and checks the hostile text is on the page as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from meshkb.core.load import load_checklist
from meshkb.site.escape import replace_controls
from playwright.sync_api import Page, Request, expect

from ..conftest import CASES
from .conftest import Site

pytestmark = pytest.mark.browser

HOSTILE = load_checklist(CASES / "hostile" / "hostile.yaml")
ITEMS = {item.id: item for item in HOSTILE.all_items()}
TITLE = HOSTILE.title
OVERLAY = replace_controls(ITEMS["XSS-0004"].title)
CONTROLS = replace_controls(ITEMS["XSS-0005"].title)
GUIDE_PAGES = ["decide/", "traps/", "migrate/", "alternatives/", "compare/", "cost/", "remove/"]
"""The pages whose `[[meshkb:items]]` list names XSS-0004 (it cites each of them)."""

TRAP = """
Object.defineProperty(window, '__pwned', {
  configurable: false,
  get() { return undefined; },
  set(value) { window.__meshkbPwned(location.pathname + ': window.__pwned = ' + value); },
});
"""
"""Every payload in the hostile checklist sets `window.__pwned` or calls `alert`."""

INJECTED = """() => {
  const found = [];
  const injected = "img[src='x'], iframe, a[href^='javascript' i], article table [style],"
    + " article .meshkb-cites [style],"
    + " article [style*='fixed' i], .md-search-result img, .md-search-result script";
  for (const el of document.querySelectorAll('*')) {
    const handlers = [...el.attributes].some((a) => /^on/i.test(a.name));
    if (handlers || el.matches(injected)) found.push(el.outerHTML.slice(0, 160));
  }
  for (const script of document.scripts) {
    if (script.type !== 'application/json' && /__pwned|alert\\(/.test(script.textContent)) {
      found.push(script.outerHTML.slice(0, 160));
    }
  }
  return found;
}"""
"""What the checklist's text would have become had it been read as markup."""


@dataclass
class Watch:
    """What the browser did that a checklist must never make it do."""

    ran: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.ran == [], "checklist text ran as script"
        assert self.dialogs == [], "checklist text opened a dialog"
        assert self.outside == [], "a request left 127.0.0.1"
        assert self.errors == []


@pytest.fixture
def watch(page: Page) -> Iterator[Watch]:
    found = Watch()
    page.expose_function("__meshkbPwned", lambda what: found.ran.append(str(what)))
    page.add_init_script(TRAP)
    page.on("dialog", lambda dialog: (found.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda exc: found.errors.append(str(exc)))

    def on_request(request: Request) -> None:
        url = request.url
        if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname != "127.0.0.1":
            found.outside.append(url)

    page.on("request", on_request)
    yield found


def hover_everything(page: Page, selector: str) -> None:
    """Move the pointer over every cell and link a payload could sit in."""
    cells = page.locator(selector)
    for index in range(cells.count()):
        cell = cells.nth(index)
        cell.scroll_into_view_if_needed()
        cell.hover(force=True)  # an overlay on top would get the pointer: that is the point
    page.wait_for_timeout(200)


def assert_no_markup_was_injected(page: Page) -> None:
    assert page.evaluate(INJECTED) == []


def content_text(page: Page) -> str:
    return page.locator("article").first.evaluate("el => el.textContent")


@pytest.mark.parametrize("path", GUIDE_PAGES)
def test_guide_pages_show_the_items_list_as_text(
    page: Page, hostile_site: Site, watch: Watch, path: str
) -> None:
    page.goto(hostile_site.page(path))
    lines = page.locator("article ul.meshkb-cites li", has_text="XSS-")
    expect(lines.first).to_be_visible()
    hover_everything(page, "article ul.meshkb-cites li:has-text('XSS-'), article ul.meshkb-cites a")
    watch.assert_clean()
    text = content_text(page)
    assert f"XSS-0004 {OVERLAY}" in text
    assert TITLE in text
    if path == "decide/":
        assert f"XSS-0005 {CONTROLS}" in text
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page.content())
    # The attribute list stayed in the title: nothing covers the page.
    box = page.viewport_size or {"width": 1280, "height": 720}
    covering = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('article .meshkb-cites') !== null"
        " && document.elementFromPoint(1, 1).closest('article .meshkb-cites') !== null",
        [box["width"] // 2, box["height"] // 2],
    )
    assert covering is False
    assert_no_markup_was_injected(page)
    watch.assert_clean()


def test_sources_page_shows_titles_dates_and_links_as_text(
    page: Page, hostile_site: Site, watch: Watch
) -> None:
    page.goto(hostile_site.page("sources/"))
    hover_everything(
        page, "article table tr:has-text('XSS-') td, article table tr:has-text('XSS-') a"
    )
    watch.assert_clean()
    text = content_text(page)
    for item_id in ("XSS-0001", "XSS-0004"):
        for ref in (r for r in ITEMS[item_id].refs if r.url):
            link = page.locator(f"article table a[href='{ref.url}']")
            expect(link).to_have_count(1)
            assert link.evaluate("el => el.textContent") == ref.title
            assert ref.as_of in text
    assert_no_markup_was_injected(page)
    watch.assert_clean()


def test_the_checklist_page_nav_toc_and_title_show_text(
    page: Page, hostile_site: Site, watch: Watch
) -> None:
    page.goto(hostile_site.page("checklists/hostile/"))
    expect(page.locator(".meshkb[data-meshkb-ready]")).to_have_count(1)
    page.locator("details").evaluate_all("els => els.forEach(el => el.open = true)")
    hover_everything(page, ".meshkb-item-title, .meshkb-refs a, .meshkb-asof")
    assert page.title() == f"{TITLE} - meshkb"
    nav = page.locator(".md-nav--primary").first.evaluate("el => el.textContent")
    assert TITLE in nav
    toc = page.locator(".md-nav--secondary").last.evaluate("el => el.textContent")
    assert f"1. {HOSTILE.sections[0].title}" in toc
    text = content_text(page)
    assert OVERLAY in text and CONTROLS in text
    # The per-mesh "how" is one tab per mesh; each shows its text as text.
    tabs = page.locator("li#XSS-0001 .meshkb-tab-labels label")
    expect(tabs).to_have_text(["Istio", "Linkerd"])
    for n, mesh in enumerate(("istio", "linkerd")):
        tabs.nth(n).click()
        block = page.locator(f"li#XSS-0001 [data-meshkb-tab-block={mesh}]")
        expect(block).to_be_visible()
        shown = block.evaluate("el => el.textContent")
        assert dict(ITEMS["XSS-0001"].how)[mesh].replace("`", "") in shown
    assert_no_markup_was_injected(page)
    watch.assert_clean()


@pytest.mark.parametrize("path", ["", "reference/cli/"])
def test_other_pages_show_the_checklist_title_in_the_nav_as_text(
    page: Page, hostile_site: Site, watch: Watch, path: str
) -> None:
    page.goto(hostile_site.page(path))
    nav = page.locator(".md-nav--primary").first.evaluate("el => el.textContent")
    assert TITLE in nav
    assert_no_markup_was_injected(page)
    watch.assert_clean()


@pytest.mark.parametrize("item_id", sorted(ITEMS))
def test_go_pages_show_the_item_as_text_before_forwarding(
    page: Page, hostile_site: Site, watch: Watch, item_id: str
) -> None:
    # The forward answers 204 No Content, so the /go/ page stays on screen to be read.
    forward = re.compile(r"/checklists/hostile/")
    page.route(forward, lambda route: route.fulfill(status=204))
    with page.expect_request(forward):
        page.goto(hostile_site.page(f"go/{item_id}/"))
    item = ITEMS[item_id]
    text = page.locator("body").evaluate("el => el.textContent")
    assert f"{item.replaced_by or item_id}: " in text
    assert TITLE in text
    if item.retired:
        assert replace_controls(item.title) in text and (item.reason or "") in text
    else:
        assert f"{item_id}: {replace_controls(item.title)}" in page.title()
    assert_no_markup_was_injected(page)
    page.unroute(forward)
    page.goto(hostile_site.page(f"go/{item_id}/"))
    page.wait_for_url(re.compile(rf"/checklists/hostile/#{item.replaced_by or item_id}$"))
    expect(page.locator(".meshkb[data-meshkb-ready]")).to_have_count(1)
    watch.assert_clean()


@pytest.mark.parametrize("query", ["onerror", "Overlay", "svg onload"])
def test_search_shows_hostile_results_as_text(
    page: Page, hostile_site: Site, watch: Watch, query: str
) -> None:
    page.goto(hostile_site.page(""))
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # Typed, as a reader does: Material's search reads the box on keyup (and once when its
    # index is ready), so a value set without keys is lost once the index has loaded.
    page.locator("input.md-search__input").press_sequentially(query)
    # The list shows hits for the first letters before the whole query: wait for the
    # hostile text the whole query finds, shown as text.
    results = page.locator(".md-search-result")
    expected = (
        "<img src=x onerror=" if query == "onerror" else re.compile(f"XSS-|{re.escape(TITLE)}")
    )
    expect(results).to_contain_text(expected, timeout=20_000)
    hover_everything(page, ".md-search-result__item")
    assert_no_markup_was_injected(page)
    watch.assert_clean()
