"""The whole site in Chromium: axe finds nothing on any page in either colour scheme, long
commands wrap, the decision flow follows the scheme, nothing scrolls sideways on a phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from .conftest import Site, axe_run

pytestmark = pytest.mark.browser


def content_pages(site: Site) -> list[str]:
    """Every page of the site but the /go/ redirects, as paths below the site root."""
    pages = []
    for path in sorted(site.root.rglob("index.html")):
        relative = path.parent.relative_to(site.root).as_posix()
        if relative.split("/")[0] in ("go", "search", "assets"):
            continue
        pages.append("" if relative == "." else relative + "/")
    return pages


@pytest.fixture(params=["light", "dark"])
def scheme_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(
        color_scheme=request.param, viewport={"width": 1280, "height": 900}
    )
    try:
        yield context.new_page()
    finally:
        context.close()


KEY_PAGES = ["", "compare/", "cost/", "checklists/migration/"]
"""The pages that bench/pages.py screenshots and Lighthouse judge."""


def test_axe_finds_nothing_on_any_page(scheme_page: Page, site: Site) -> None:
    pages = content_pages(site)
    assert len(pages) > 25
    assert set(KEY_PAGES) <= set(pages)
    dark = scheme_page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    if site.engine == "zensical" and dark:
        # Every page in both schemes on MkDocs, every page in light on Zensical: the
        # structure is the same in both schemes and the palette is one stylesheet for both
        # engines, so Zensical's dark scheme is checked on the key pages (a quarter of
        # the suite's time was axe over every page four times).
        pages = KEY_PAGES
    found = {}
    for path in pages:
        scheme_page.goto(site.page(path))
        scheme_page.wait_for_load_state("networkidle")
        results = axe_run(scheme_page)
        if results.violations_count:
            found[path] = results.generate_report()
    assert not found, "\n".join(f"{path}:\n{report}" for path, report in found.items())


def test_the_search_dialog_has_a_name(page: Page, site: Site) -> None:
    page.goto(site.page(""))
    dialog = page.locator(".md-search[role=dialog]")
    # Material leaves its dialog unnamed and our script names it; Zensical names its own.
    zensical = site.engine == "zensical"
    assert dialog.get_attribute("aria-label") == ("Search" if zensical else "Search this site")


def test_long_commands_wrap_instead_of_running_off(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site.page("cite/"))
        overflowing = page.eval_on_selector_all(
            ".language-markdown pre > code, .language-console pre > code, .language-text pre > code",
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length",
        )
        assert overflowing == 0
    finally:
        context.close()


def test_the_decision_flow_follows_the_colour_scheme(browser: Browser, site: Site) -> None:
    looks = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(site.page("decide/"))
            image = page.locator("img[src$='decision-flow.svg']")
            image.scroll_into_view_if_needed()
            page.wait_for_function(
                "document.querySelector(\"img[src$='decision-flow.svg']\").complete"
            )
            looks[scheme] = image.evaluate("img => getComputedStyle(img).filter")
        finally:
            context.close()
    assert looks["light"] == "none"
    assert looks["dark"] != "none"


@pytest.mark.parametrize("path", ["", "compare/", "cost/", "checklists/migration/"])
def test_no_page_scrolls_sideways_on_a_phone(browser: Browser, site: Site, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(site.page(path))
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path or 'home'} is {width} px wide on a 390 px phone"
    finally:
        context.close()


def test_the_capability_grid_has_levels_a_legend_and_sticky_edges(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site.page("compare/"))
        grid = page.locator(".meshkb-grid table")
        levels = page.locator(".meshkb-legend .meshkb-lvl")
        assert levels.all_inner_texts() == [
            "Built in",
            "Partly",
            "Beta",
            "Other tool",
            "n/a",
            "Not verified",
        ]
        # Every level is a word and an icon, in its own colour.
        looks = levels.evaluate_all(
            """els => els.map(e => [getComputedStyle(e).color,
                 getComputedStyle(e, '::before').maskImage || getComputedStyle(e, '::before').webkitMaskImage])"""
        )
        assert len({c for c, _ in looks}) == 6 and len({i for _, i in looks}) == 6
        cells = grid.locator("tbody td:not(:first-child)")
        marked = grid.locator("tbody td:not(:first-child) .meshkb-lvl")
        assert marked.count() == cells.count() - 10  # the cost and release rows carry figures
        sticky = grid.evaluate(
            """t => [getComputedStyle(t.querySelector('thead th')).position,
                     getComputedStyle(t.querySelector('tbody td')).position]"""
        )
        assert sticky == ["sticky", "sticky"]
        # Scrolled sideways, the capability column stays where it was.
        first = grid.locator("tbody td").first
        before = first.bounding_box()
        grid.evaluate("t => t.scrollLeft = 400")
        after = first.bounding_box()
        assert before and after and abs(before["x"] - after["x"]) < 1
    finally:
        context.close()


TABLES_TAKEN_OUT = """
window.meshkbTablesTakenOut = 0;
new MutationObserver(records => {
  for (const record of records)
    for (const node of record.removedNodes)
      if (node.nodeName === "TABLE" || (node.querySelector && node.querySelector("table")))
        window.meshkbTablesTakenOut++;
}).observe(document, {childList: true, subtree: true});
"""


@pytest.mark.parametrize("path", ["compare/", "cost/", "traps/", "sources/"])
def test_the_theme_takes_no_table_out_of_the_page(browser: Browser, site: Site, path: str) -> None:
    """The theme's script takes every table without a class out of the page at start-up
    and puts it back in two scroll boxes; the site's tables have the boxes and a class in
    the HTML, so nothing moves (on the compare page that was a third of the blocking time)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.add_init_script(TABLES_TAKEN_OUT)
        page.goto(site.page(path))
        page.wait_for_load_state("networkidle")
        found = page.evaluate(
            """() => ({taken: window.meshkbTablesTakenOut,
                       plain: document.querySelectorAll("article table:not([class])").length,
                       ours: [...document.querySelectorAll("article table.meshkb-table")].map(t =>
                         t.parentElement.className + " < " + t.parentElement.parentElement.className)})"""
        )
        assert found["taken"] == 0 and found["plain"] == 0, found
        assert found["ours"] and set(found["ours"]) == {
            "md-typeset__table < md-typeset__scrollwrap"
        }
    finally:
        context.close()


STYLES = """t => {
  const props = ["display", "max-width", "overflow-x", "font-size", "background-color",
    "border-top-width", "border-top-style", "border-top-color", "border-top-left-radius",
    "border-spacing", "min-width", "padding-top", "padding-left", "font-weight",
    "vertical-align", "text-align", "transition-duration"];
  const look = e => props.map(p => p + ": " + getComputedStyle(e).getPropertyValue(p));
  return [look(t), look(t.querySelector("th")), look(t.querySelector("td")),
          look(t.querySelector("td > code, td > a, td > strong") || t.querySelector("td"))];
}"""


def assert_named_tables_look_as_the_theme_draws_them(
    browser: Browser, site: Site, path: str
) -> None:
    """A page's first named table and its copy without the class, put beside it in the
    same boxes, compute the same styles: meshkb's copy of the theme's rules, against the
    theme's own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(site.page(path))
        page.wait_for_load_state("networkidle")
        ours = page.locator("article table.meshkb-table").first
        plain = ours.evaluate_handle(
            """t => { const copy = t.cloneNode(true); copy.removeAttribute("class");
                      t.after(copy); return copy; }"""
        )
        assert plain.evaluate("t => t.hasAttribute('class')") is False
        assert ours.evaluate(STYLES) == plain.evaluate(STYLES)
    finally:
        context.close()


@pytest.mark.parametrize("path", ["traps/", "cost/"])
def test_a_named_table_looks_as_the_theme_draws_a_table_without_a_class(
    browser: Browser, site: Site, path: str
) -> None:
    assert_named_tables_look_as_the_theme_draws_them(browser, site, path)


def test_without_the_sites_own_css_tables_still_look_as_the_theme_draws_them(
    browser: Browser, bare_site: Site
) -> None:
    """The rules are in meshkb's stylesheet, which the plugin puts on every page of a team's
    own site, not in this site's stylesheet."""
    assert "meshkb-site.css" not in (bare_site.root / "traps" / "index.html").read_text("utf-8")
    assert_named_tables_look_as_the_theme_draws_them(browser, bare_site, "traps/")


def test_the_grid_scrolls_by_itself_on_screen_and_prints_whole(
    browser: Browser, site: Site
) -> None:
    """The grid scrolls inside its own box on screen; on an A4 page it is a plain table,
    cut off neither at 80% of the window's height nor at the page's width."""
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    try:
        page = context.new_page()
        page.goto(site.page("compare/"))
        page.wait_for_load_state("networkidle")
        grid = page.locator(".meshkb-grid table.meshkb-table")
        assert grid.count() == 1
        assert grid.evaluate("t => t.scrollHeight > t.clientHeight + 1")
        page.emulate_media(media="print")
        cut = grid.evaluate(
            """t => ({tall: t.scrollHeight - t.clientHeight, wide: t.scrollWidth - t.clientWidth,
                      past: t.getBoundingClientRect().right - document.documentElement.clientWidth})"""
        )
        assert cut["tall"] <= 1 and cut["wide"] <= 1 and cut["past"] <= 0, cut
    finally:
        context.close()
