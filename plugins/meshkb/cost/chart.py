"""The cost chart: an SVG drawn at build time from the cost model, no script needed."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence

from meshkb.cost.model import (
    CostData,
    CostInputs,
    CostRow,
    ProxyFigures,
    cost_row,
    format_amount,
    load_cost_data,
)

_SYSTEM_FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


# Mid-tone colours read on light and dark backgrounds; dashes tell the lines apart too.
_SERIES_STYLES = (("#e0603f", ""), ("#2b8cbe", "8 5"), ("#2ca25f", "1 5"), ("#b15fc6", "12 4 1 4"))


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * power >= value:
            return float(factor * power)
    return float(10 * power)


def _tick_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else format_amount(value)


def _reserved_memory(row: CostRow) -> float:
    return row.reserved_memory_gib or 0.0


def _reserved_cpu(row: CostRow) -> float:
    return row.reserved_cpu_cores or 0.0


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _same_lines(
    drawn: Sequence[ProxyFigures],
    rows: Mapping[int, Mapping[str, CostRow]],
    value_of: Callable[[CostRow], float],
) -> list[str]:
    """Labels of series that draw exactly the same line, joined with 'and'."""
    by_line: dict[tuple[float, ...], list[str]] = {}
    for proxy in drawn:
        line = tuple(value_of(rows[pods][proxy.id]) for pods in rows)
        by_line.setdefault(line, []).append(proxy.label)
    return [" and ".join(labels) for labels in by_line.values() if len(labels) > 1]


def render_cost_chart_svg(
    data: CostData | None = None, *, id_prefix: str = "meshkb-cost-chart"
) -> str:
    """An accessible inline SVG: reserved memory and CPU against cluster size, per mesh/mode.

    Text and axes use `currentColor`, so the chart follows the page's light or dark
    scheme; series differ by colour and dash. Components without a verified request
    figure are named in the caption instead of drawn.
    """
    data = data or load_cost_data()
    chart = data.chart
    esc = html.escape
    drawn = [p for p in data.proxies if p.requests is not None]
    left_out = [p.label for p in data.proxies if p.requests is None]
    pod_counts = list(range(0, chart.max_pods + 1, chart.step_pods))
    if pod_counts[-1] != chart.max_pods:
        pod_counts.append(chart.max_pods)
    waypoints = data.example.waypoints
    rows = {
        pods: {
            p.id: cost_row(p, CostInputs(pods, math.ceil(pods / chart.pods_per_node), 0, waypoints))
            for p in drawn
        }
        for pods in pod_counts
    }
    panels: tuple[tuple[str, str, Callable[[CostRow], float], int], ...] = (
        ("Memory (GiB): reserved, and in use (thin)", "memory", _reserved_memory, 70),
        ("Reserved CPU (cores)", "CPU", _reserved_cpu, 445),
    )
    plot_w, top, bottom = 265, 60, 300
    ratio = f"nodes = pods ÷ {chart.pods_per_node}, rounded up; {waypoints} waypoint"
    largest = rows[chart.max_pods]
    summary = "; ".join(
        f"{p.label} {format_amount(largest[p.id].reserved_memory_gib)} GiB and "
        f"{format_amount(largest[p.id].reserved_cpu_cores)} cores"
        for p in drawn
    )
    caption = f"Default requests of each proxy; {ratio}."
    for _, what, value_of, _ in panels:
        caption += "".join(
            f" {same} reserve the same {what}, so their lines coincide."
            for same in _same_lines(drawn, rows, value_of)
        )
    in_use = [p for p in drawn if rows[chart.max_pods][p.id].in_use_memory_gib is not None]
    if in_use:
        caption += (
            " Thin lines: memory the same proxies are measured to use, "
            + ", ".join(
                f"{p.label} {format_amount(rows[chart.max_pods][p.id].in_use_memory_gib)} GiB"
                for p in in_use
            )
            + f" at {chart.max_pods} pods: the scheduler counts requests, not use."
        )
    if left_out:
        caption += f" Not drawn, for lack of a verified request figure: {', '.join(left_out)}."
    sources = dict.fromkeys(p.requests.source for p in drawn if p.requests)
    sources.update(dict.fromkeys(p.usage.source for p in in_use if p.usage))
    source_text = "Sources: " + "; ".join(f"{s.title} ({s.as_of})" for s in sources) + "."
    caption_lines, source_lines = _wrap(caption, 105), _wrap(source_text, 118)
    legend_y = bottom + 68
    height = legend_y + 28 + 17 * len(caption_lines) + 15 * len(source_lines)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    desc = (
        "Two line charts of the CPU and memory that mesh proxies reserve through their "
        f"default requests, from 0 to {chart.max_pods} meshed pods. At {chart.max_pods} pods: "
        f"{summary}. {caption}"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="{esc(_SYSTEM_FONTS)}" '
        'font-size="13" fill="currentColor" class="meshkb-cost-chart">',
        f'<title id="{title_id}">Resources reserved by mesh proxies as a cluster grows</title>',
        f'<desc id="{desc_id}">{esc(desc)}</desc>',
    ]
    for panel_title, what, value_of, left in panels:
        y_max = _nice_ceiling(max(value_of(rows[n][p.id]) for n in pod_counts for p in drawn))

        def x_at(pods: int, left: int = left) -> float:
            return left + plot_w * pods / chart.max_pods

        def y_at(value: float, y_max: float = y_max) -> float:
            return bottom - (bottom - top) * value / y_max

        out.append(f'<text x="{left}" y="{top - 18}" font-weight="600">{esc(panel_title)}</text>')
        for step in range(6):
            value = y_max * step / 5
            y = y_at(value)
            opacity = 0.6 if step == 0 else 0.15
            out.append(
                f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="currentColor" stroke-opacity="{opacity}"/>'
            )
            out.append(
                f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_tick_text(value)}</text>'
            )
        for pods in range(0, chart.max_pods + 1, max(chart.max_pods // 5, 1)):
            x = x_at(pods)
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" y2="{bottom + 5}" '
                'stroke="currentColor"/>'
            )
            out.append(f'<text x="{x:.1f}" y="{bottom + 20}" text-anchor="middle">{pods}</text>')
        out.append(
            f'<text x="{left + plot_w / 2}" y="{bottom + 40}" text-anchor="middle">'
            "Meshed pods</text>"
        )
        for index, proxy in enumerate(drawn):
            points = " ".join(
                f"{x_at(pods):.1f},{y_at(value_of(rows[pods][proxy.id])):.1f}"
                for pods in pod_counts
            )
            out.append(f'<polyline points="{points}" fill="none"{_stroke(index)}/>')
            if what == "memory" and proxy in in_use:
                used = " ".join(
                    f"{x_at(pods):.1f},{y_at(rows[pods][proxy.id].in_use_memory_gib or 0.0):.1f}"
                    for pods in pod_counts
                )
                out.append(
                    f'<polyline points="{used}" fill="none" stroke-opacity="0.6"'
                    f"{_stroke(index, width=1.5)}/>"
                )
    for index, proxy in enumerate(drawn):
        x = 70 + index * 230
        out.append(
            f'<line x1="{x}" x2="{x + 34}" y1="{legend_y}" y2="{legend_y}"{_stroke(index)}/>'
        )
        out.append(f'<text x="{x + 42}" y="{legend_y + 4}">{esc(proxy.label)}</text>')
    y = legend_y + 28
    for line in caption_lines:
        out.append(f'<text x="70" y="{y}" font-size="12">{esc(line)}</text>')
        y += 17
    for line in source_lines:
        out.append(f'<text x="70" y="{y}" font-size="11" fill-opacity="0.8">{esc(line)}</text>')
        y += 15
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _stroke(index: int, width: float = 3) -> str:
    colour, dash = _SERIES_STYLES[index % len(_SERIES_STYLES)]
    dash_attr = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
    return f' stroke="{colour}" stroke-width="{width:g}"{dash_attr}'
