"""The cost page's calculator computes what `meshkb cost` prints, in a real Chromium."""

from __future__ import annotations

import json
import random

import pytest
from meshkb.cost.calculator import calculator_data
from meshkb.cost.figures import CostInputs, load_cost_data
from meshkb.cost.model import compute_cost, cost_row, format_amount
from playwright.sync_api import Page

from ..conftest import run_cli
from .conftest import Site

pytestmark = pytest.mark.browser


def open_cost(page: Page, site: Site) -> None:
    page.goto(site.page("cost/"))
    page.wait_for_selector("[data-meshkb-cost-ready]")


def table(page: Page) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-meshkb-cost-row]')].map((tr) =>
             [tr.dataset.meshkbCostRow, [...tr.querySelectorAll('[data-meshkb-cost-cell]')].map((td) => td.textContent)]))"""
    )
    return rows


def cli_table(pods: int, nodes: int, rps: str, waypoints: int) -> dict[str, list[str]]:
    result = run_cli(
        "cost",
        "--pods",
        str(pods),
        "--nodes",
        str(nodes),
        "--rps",
        rps,
        "--waypoints",
        str(waypoints),
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    rows = json.loads(result.out)["rows"]

    def cell(value: float | None) -> str:
        return format_amount(value)

    return {
        row["id"]: [
            str(row["proxies"]),
            cell(row["reserved"]["cpu_cores"]),
            cell(row["reserved"]["memory_gib"]),
            cell(row["in_use"]["cpu_cores"]),
            cell(row["in_use"]["memory_gib"]),
        ]
        for row in rows
    }


@pytest.mark.parametrize(
    ("pods", "nodes", "rps", "waypoints"),
    [(200, 10, "1000", 1), (1234, 57, "333.5", 3), (0, 0, "0", 0)],
)
def test_typing_into_the_calculator_gives_the_cli_numbers(
    page: Page, site: Site, pods: int, nodes: int, rps: str, waypoints: int
) -> None:
    open_cost(page, site)
    for name, value in (("pods", pods), ("nodes", nodes), ("rps", rps), ("waypoints", waypoints)):
        page.fill(f"#meshkb-cost-{name}", str(value))
    assert table(page) == cli_table(pods, nodes, rps, waypoints)


def test_the_default_table_is_the_200_pod_example_before_any_input(page: Page, site: Site) -> None:
    open_cost(page, site)
    rows = table(page)
    assert rows["istio-sidecar"][:3] == ["200", "20.0", "25.0"]
    assert page.locator("[data-meshkb-cost-nojs]").is_hidden()


def test_javascript_and_python_agree_on_500_random_clusters(page: Page, site: Site) -> None:
    open_cost(page, site)
    data = load_cost_data()
    generator = random.Random(20261125)
    cases = [CostInputs(200, 10, 1000, 1), CostInputs(0, 0, 0, 0), CostInputs(1, 1, 0.5, 3)]
    cases += [
        CostInputs(
            generator.randrange(0, 20_000),
            generator.randrange(0, 2_000),
            generator.choice(
                [generator.randrange(0, 10**6), round(generator.uniform(0, 10**5), 3)]
            ),
            generator.randrange(0, 50),
        )
        for _ in range(500)
    ]
    expected = [
        [
            [
                row.proxy.id,
                row.proxies,
                format_amount(row.reserved_cpu_cores),
                format_amount(row.reserved_memory_gib),
                format_amount(row.in_use_cpu_cores),
                format_amount(row.in_use_memory_gib),
            ]
            for row in (cost_row(proxy, inputs) for proxy in data.proxies)
        ]
        for inputs in cases
    ]
    got = page.evaluate(
        """([data, cases]) => cases.map((inputs) => meshkb.cost.compute(data, inputs).map((r) =>
             [r.id, r.proxies, meshkb.cost.format(r.reserved_cpu), meshkb.cost.format(r.reserved_memory),
              meshkb.cost.format(r.in_use_cpu), meshkb.cost.format(r.in_use_memory)]))""",
        [
            calculator_data(data),
            [
                {"pods": c.pods, "nodes": c.nodes, "rps": c.rps, "waypoints": c.waypoints}
                for c in cases
            ],
        ],
    )
    assert got == expected
    assert compute_cost(200, 10, 1000).rows[0].reserved_cpu_cores == 20.0


def test_one_namespace_shared_by_both_scripts(page: Page, site: Site) -> None:
    open_cost(page, site)
    names = page.evaluate("() => Object.keys(window.meshkb).sort()")
    assert "cost" in names
    page.goto(site.page("checklists/removal/"))
    assert "cost" not in page.evaluate("() => Object.keys(window.meshkb)")


def test_calculator_survives_instant_navigation(page: Page, instant_site: Site) -> None:
    site = instant_site
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.goto(site.page(""))
    page.evaluate("() => { window.__stayed = true; }")
    page.locator("a[href$='cost/']:visible").first.click()
    page.wait_for_selector("[data-meshkb-cost-ready]")
    assert page.evaluate("() => window.__stayed") is True
    page.fill("#meshkb-cost-pods", "400")
    assert table(page)["istio-sidecar"][:3] == ["400", "40.0", "50.0"]
    assert problems == []


def marker(page: Page, panel: str) -> dict[str, object]:
    found: dict[str, object] = page.evaluate(
        """panel => { const svg = document.querySelector(`[data-meshkb-panel=${panel}]`);
             const g = svg.querySelector('[data-meshkb-marker]');
             return {x: Number(g.querySelector('line').getAttribute('x1')), text: g.querySelector('text').textContent,
                     dots: Object.fromEntries([...g.querySelectorAll('circle')].map(c => [c.dataset.meshkbDot, Number(c.getAttribute('cy'))])),
                     lines: [...svg.querySelectorAll('[data-meshkb-series]')].map(l => l.getAttribute('points'))}; }""",
        panel,
    )
    return found


def test_the_chart_follows_the_calculator(page: Page, site: Site) -> None:
    built = page.request.get(site.page("cost/")).text()
    open_cost(page, site)
    start = marker(page, "memory")
    # The script draws the example exactly where the build did.
    assert all(f'points="{points}"' in built for points in start["lines"])  # type: ignore[union-attr]
    assert start["text"] == "200 pods"
    page.fill("#meshkb-cost-pods", "5000")
    page.fill("#meshkb-cost-nodes", "50")
    moved = marker(page, "memory")
    assert moved["text"] == "5,000 pods"
    assert moved["x"] > start["x"]  # type: ignore[operator]
    # 5,000 pods reserve more than 200: the dot rises (a smaller y).
    dots, before = moved["dots"], start["dots"]
    assert dots["istio-sidecar"] < before["istio-sidecar"]  # type: ignore[index]
    cpu = marker(page, "cpu")
    assert set(cpu["dots"]) == {"istio-sidecar", "istio-waypoint"}  # type: ignore[arg-type]


def test_invalid_input_is_shown_and_keeps_the_last_result(page: Page, site: Site) -> None:
    open_cost(page, site)
    error = page.locator("[data-meshkb-cost-error]")
    assert error.is_hidden()
    page.fill("#meshkb-cost-pods", "12.5")
    assert page.get_attribute("#meshkb-cost-pods", "aria-invalid") == "true"
    assert error.is_visible()
    assert "whole numbers" in error.inner_text()
    assert table(page)["istio-sidecar"][0] == "200"
    assert marker(page, "memory")["text"] == "200 pods"
    page.fill("#meshkb-cost-pods", "300")
    assert error.is_hidden()
    assert table(page)["istio-sidecar"][0] == "300"
