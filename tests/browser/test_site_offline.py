"""With no network, every page, picture and the search work: nothing leaves 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from .conftest import Site

pytestmark = pytest.mark.browser


def test_search_pictures_and_pages_work_without_any_outside_request(page: Page, site: Site) -> None:
    outside: list[str] = []

    def on_request(request: Request) -> None:
        if urlsplit(request.url).hostname not in ("127.0.0.1", None) and not request.url.startswith(
            ("data:", "blob:")
        ):
            outside.append(request.url)

    page.on("request", on_request)
    page.goto(site.page("decide/"))
    flow = page.locator("img[src$='decision-flow.svg']")
    flow.scroll_into_view_if_needed()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=flow.element_handle()
    )
    page.goto(site.page("cost/"))
    # The chart: a figure of two panels (CPU and memory), drawn inline, no image to fetch.
    assert page.locator("figure.meshkb-cost-chart svg[data-meshkb-panel]").count() == 2
    # Material's search box, or Zensical's button and dialog (in a shadow root, which
    # Playwright's CSS locators enter).
    page.locator("label.md-search__icon, .md-search__input, .md-search__button").first.click()
    # Typed: Material's search reads the box on keyup, not on a value set without keys.
    box = page.locator("input.md-search__input, dialog input[role=combobox]").first
    box.press_sequentially("bypass runbook")
    # Both engines list results while the reader types: the list shows hits for "b" first,
    # so wait for the top hit to be the one the whole query asks for.
    results = page.locator(".md-search-result__item, dialog ol[role=listbox] > li")
    expect(results.first).to_contain_text("bypass", ignore_case=True, timeout=20_000)
    for path in (
        "",
        "alternatives/",
        "compare/",
        "migrate/",
        "traps/",
        "remove/",
        "sources/",
        "reference/cli/",
        "cite/",
    ):
        response = page.goto(site.page(path))
        assert response is not None and response.ok, path
    assert outside == []
