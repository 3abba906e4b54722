"""The cost chart: two SVG panels drawn at build time from the cost model, no script needed.

Both axes are logarithmic (pods from `chart.min_pods` to `chart.max_pods`), so a per-node
or per-waypoint component stays visible beside per-pod sidecars instead of lying on the
axis. A marker stands at the worked example's pod count; on the cost page the
calculator's script (assets/meshkb-cost.js) redraws the lines and moves the marker to the
reader's numbers, with the scales the panels carry in `data-meshkb-scale`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

from meshkb.cost.figures import CostData, CostInputs, ProxyFigures, load_cost_data
from meshkb.cost.model import CostRow, cost_row, format_amount

_SYSTEM_FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Colours that keep 3:1 against white and against Material's slate background; the
# dashes tell the lines apart without colour.
_SERIES_STYLES = (("#d8572a", ""), ("#1f84c6", "9 5"), ("#2a9d5c", "2 5"), ("#a45fc0", "12 4 2 4"))

# Panel geometry, in SVG units: drawn 400 wide and scaled to its box, so on a 390 px
# phone (about 350 px of content) the 14-unit text is 12 px or more.
_W, _LEFT, _RIGHT, _TOP, _BOTTOM = 400, 60, 270, 34, 214
_FONT = 14


def _label_lines(text: str, width: int = 15) -> list[str]:
    """A line-end label in lines of about `width` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _decades(low: float, high: float) -> list[float]:
    """Powers of ten from `low` to `high` (both powers of ten)."""
    first, last = round(math.log10(low)), round(math.log10(high))
    return [10.0**e for e in range(first, last + 1)]


def _tick_text(value: float) -> str:
    """A power of ten, short: 0.1, 1, 10, 100, 1k, 10k."""
    return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"


def _reserved_memory(row: CostRow) -> float | None:
    return row.reserved_memory_gib


def _reserved_cpu(row: CostRow) -> float | None:
    return row.reserved_cpu_cores


def _points(min_pods: int, max_pods: int) -> list[int]:
    """Pod counts to plot: 1, 2 and 5 times each power of ten, and the ends."""
    found = {min_pods, max_pods}
    for power in _decades(
        10 ** math.floor(math.log10(min_pods)), 10 ** math.ceil(math.log10(max_pods))
    ):
        for factor in (1, 2, 5):
            pods = int(factor * power)
            if min_pods <= pods <= max_pods:
                found.add(pods)
    return sorted(found)


class _Scale:
    """log10 mapping of one axis onto [start, end]."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        value = min(max(value, self.low), self.high)
        share = (math.log10(value) - math.log10(self.low)) / (
            math.log10(self.high) - math.log10(self.low)
        )
        return self.start + (self.end - self.start) * share

    def attr(self) -> str:
        return f"{self.low:g} {self.high:g} {self.start:g} {self.end:g}"


def _stroke(index: int, width: float = 2.5) -> str:
    colour, dash = _SERIES_STYLES[index % len(_SERIES_STYLES)]
    dash_attr = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
    return f' stroke="{colour}" stroke-width="{width:g}"{dash_attr}'


def _same_lines(
    drawn: Sequence[ProxyFigures],
    rows: dict[int, dict[str, CostRow]],
    value_of: Callable[[CostRow], float | None],
) -> list[list[ProxyFigures]]:
    """The series grouped by the line they draw: series with equal values share one."""
    by_line: dict[tuple[float | None, ...], list[ProxyFigures]] = {}
    for proxy in drawn:
        by_line.setdefault(tuple(value_of(rows[n][proxy.id]) for n in rows), []).append(proxy)
    return list(by_line.values())


def render_cost_chart_svg(
    data: CostData | None = None, *, id_prefix: str = "meshkb-cost-chart"
) -> str:
    """Two accessible inline SVGs (reserved memory, reserved CPU) in one figure.

    Text and axes use `currentColor`, so the chart follows the page's light or dark
    scheme; series differ by colour and dash and are named at their line's end.
    Components without a verified request figure are named in the caption instead.
    """
    data = data or load_cost_data()
    chart = data.chart
    esc = html.escape
    drawn = [p for p in data.proxies if p.requests is not None]
    left_out = [p.label for p in data.proxies if p.requests is None]
    waypoints = data.example.waypoints
    pod_counts = _points(chart.min_pods, chart.max_pods)

    def inputs(pods: int) -> CostInputs:
        return CostInputs(pods, math.ceil(pods / chart.pods_per_node), 0, waypoints)

    rows = {pods: {p.id: cost_row(p, inputs(pods)) for p in drawn} for pods in pod_counts}
    example = {p.id: cost_row(p, data.example) for p in drawn}
    ratio = f"nodes = pods ÷ {chart.pods_per_node}, rounded up; {waypoints} waypoint"
    largest = rows[chart.max_pods]
    summary = "; ".join(
        f"{p.label} {format_amount(largest[p.id].reserved_memory_gib)} GiB and "
        f"{format_amount(largest[p.id].reserved_cpu_cores)} cores"
        for p in drawn
    )
    at_example = "; ".join(
        f"{p.label} {format_amount(example[p.id].reserved_memory_gib)} GiB and "
        f"{format_amount(example[p.id].reserved_cpu_cores)} cores"
        for p in drawn
    )
    panels: tuple[tuple[str, str, Callable[[CostRow], float | None]], ...] = (
        ("memory", "Reserved memory (GiB)", _reserved_memory),
        ("cpu", "Reserved CPU (cores)", _reserved_cpu),
    )
    caption = (
        f"Default requests of each proxy, both axes logarithmic; {ratio}. "
        "The marker stands at the calculator's pod count."
    )
    for what, _, value_of in panels:
        caption += "".join(
            f" {' and '.join(p.label for p in group)} reserve the same {what.replace('cpu', 'CPU')}, so they share one line."
            for group in _same_lines(drawn, rows, value_of)
            if len(group) > 1
        )
    if left_out:
        caption += f" Not drawn, for lack of a verified request figure: {', '.join(left_out)}."
    sources = dict.fromkeys(p.requests.source for p in drawn if p.requests)
    source_text = "Sources: " + "; ".join(f"{s.title} ({s.as_of})" for s in sources) + "."
    x = _Scale(chart.min_pods, chart.max_pods, _LEFT, _RIGHT)
    out = [
        f'<figure class="meshkb-cost-chart" data-meshkb-cost-chart="" data-pods-per-node="{chart.pods_per_node}" '
        f'data-pods="{" ".join(map(str, pod_counts))}" data-example-waypoints="{waypoints}">',
        '<div class="meshkb-cost-chart__panels">',
    ]
    for what, title, value_of in panels:
        values = [v for n in pod_counts for p in drawn if (v := value_of(rows[n][p.id]))]
        high = 10 ** math.ceil(math.log10(max(values)))
        low = 10 ** math.floor(math.log10(min(values)))
        y = _Scale(low, high, _BOTTOM, _TOP)
        title_id, desc_id = f"{id_prefix}-{what}-title", f"{id_prefix}-{what}-desc"
        desc = (
            f"A line chart of the {title.lower()} that mesh proxies reserve through their default "
            f"requests, from {chart.min_pods:,} to {chart.max_pods:,} meshed pods on logarithmic axes. "
            f"At {chart.max_pods:,} pods: {summary}. At the example's {data.example.pods} pods: {at_example}."
        )
        out.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_BOTTOM + 44}" role="img" '
            f'aria-labelledby="{title_id} {desc_id}" font-family="{esc(_SYSTEM_FONTS)}" font-size="{_FONT}" '
            f'fill="currentColor" data-meshkb-panel="{what}" data-meshkb-scale="{x.attr()} {y.attr()}">'
        )
        out.append(f'<title id="{title_id}">{esc(title)} as a cluster grows</title>')
        out.append(f'<desc id="{desc_id}">{esc(desc)}</desc>')
        out.append(f'<text x="{_LEFT}" y="{_TOP - 14}" font-weight="600">{esc(title)}</text>')
        for tick in _decades(low, high):
            ty = y(tick)
            out.append(
                f'<line x1="{_LEFT}" x2="{_RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="currentColor" '
                f'stroke-opacity="{0.55 if tick == low else 0.15}"/>'
            )
            out.append(
                f'<text x="{_LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{_tick_text(tick)}</text>'
            )
        for tick in _decades(chart.min_pods, chart.max_pods):
            tx = x(tick)
            out.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{_TOP}" y2="{_BOTTOM + 4}" stroke="currentColor" stroke-opacity="0.15"/>'
            )
            out.append(
                f'<text x="{tx:.1f}" y="{_BOTTOM + 19}" text-anchor="middle">{_tick_text(tick)}</text>'
            )
        out.append(
            f'<text x="{(_LEFT + _RIGHT) / 2}" y="{_BOTTOM + 38}" text-anchor="middle">Meshed pods</text>'
        )
        groups = _same_lines(drawn, rows, value_of)
        ends = []
        for group in groups:
            index = drawn.index(group[0])
            ids = " ".join(p.id for p in group)
            points = " ".join(
                f"{x(n):.1f},{y(value_of(rows[n][group[0].id]) or low):.1f}" for n in pod_counts
            )
            out.append(
                f'<polyline points="{points}" fill="none"{_stroke(index)} data-meshkb-series="{esc(ids)}"/>'
            )
            ends.append(
                (
                    y(value_of(largest[group[0].id]) or low),
                    index,
                    " + ".join(p.label for p in group),
                )
            )
        ends.sort()
        lines_of = {index: _label_lines(label) for _, index, label in ends}
        # Each label takes its lines' height; they are spread so none overlaps the next.
        tops, cursor = [], float(_TOP - 6)
        for end_y, index, _ in ends:
            height = 15 * len(lines_of[index])
            top = max(end_y - 5, cursor)
            tops.append(top)
            cursor = top + height + 3
        overflow = cursor - (_BOTTOM + 4)
        if overflow > 0:
            tops = [t - overflow for t in tops]
        for top, (end_y, index, _) in zip(tops, ends, strict=True):
            out.append(
                f'<line x1="{_RIGHT + 3}" x2="{_RIGHT + 13}" y1="{end_y:.1f}" y2="{top + 6:.1f}"{_stroke(index, 2)}/>'
            )
            spans = "".join(
                f'<tspan x="{_RIGHT + 16}" dy="{0 if n == 0 else 15}">{esc(line)}</tspan>'
                for n, line in enumerate(lines_of[index])
            )
            out.append(f'<text x="{_RIGHT + 16}" y="{top + 10:.1f}" font-size="13">{spans}</text>')
        # The marker: the calculator's pod count, the value of each line there.
        mx = x(max(data.example.pods, 1))
        out.append(
            f'<g data-meshkb-marker=""><line x1="{mx:.1f}" x2="{mx:.1f}" y1="{_TOP}" y2="{_BOTTOM}" stroke="currentColor" stroke-width="1.5" stroke-dasharray="3 3"/>'
        )
        for group in groups:
            index = drawn.index(group[0])
            value = value_of(example[group[0].id])
            my = y(value or low)
            out.append(
                f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="4" fill="{_SERIES_STYLES[index % 4][0]}" '
                f'stroke="var(--md-default-bg-color, #fff)" stroke-width="1.5" data-meshkb-dot="{esc(group[0].id)}"/>'
            )
        out.append(
            f'<text x="{mx + 5:.1f}" y="{_TOP + 13}" font-size="13" data-meshkb-marker-text="">{data.example.pods:,} pods</text></g>'
        )
        out.append("</svg>")
    out.append("</div>")
    out.append(
        f'<figcaption><span data-meshkb-chart-caption="">{esc(caption)}</span> <small>{esc(source_text)}</small></figcaption>'
    )
    out.append("</figure>")
    return "\n".join(out) + "\n"
