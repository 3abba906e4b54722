"""`meshkb cost`: what mesh proxies reserve (requests) and use, for a cluster of a given size.

The figures live in `data/cost.yaml`, each with its source and the version it holds for.
The formulas below are mirrored, operation for operation, in `assets/meshkb-cost.js`, so
the calculator on the site prints the same numbers as the CLI. Rounding is said once, in
`data/cost.yaml` (`rounding`): one decimal, halves up, via `tenths()`.
"""

from __future__ import annotations

import functools
import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from .errors import MeshkbError, Problem
from .record import record
from .yamlload import load_yaml_text

COST_DATA_PATH = Path(__file__).parent / "data" / "cost.yaml"
"""The sourced per-proxy figures."""
COST_FORMAT = "meshkb/cost/v1"
"""Format tag of cost.yaml and of the JSON output."""
MISSING = "—"
"""How a figure with no verified source is shown."""
MIB_PER_GIB = 1024
BYTES_PER_MB = 1_000_000
BYTES_PER_GIB = 1024**3
_SYSTEM_FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
# Mid-tone colours read on light and dark backgrounds; dashes tell the lines apart too.
_SERIES_STYLES = (("#e0603f", ""), ("#2b8cbe", "8 5"), ("#2ca25f", "1 5"), ("#b15fc6", "12 4 1 4"))

Per = Literal["pod", "node", "waypoint"]


@record
class Source:
    """Where a figure comes from."""

    title: str
    """What the source is."""
    url: str
    """Where to read it."""
    as_of: str
    """The version or date the figure holds for."""


@record
class ProxyRequests:
    """Default resource requests of one proxy: what the scheduler reserves."""

    cpu_millicores: float
    """CPU request in millicores (100 = 100m)."""
    memory_mib: float
    """Memory request in Mi."""
    source: Source
    """Where the defaults are set."""


@record
class ProxyUsage:
    """Measured use of one proxy."""

    cpu_cores_per_1000_rps: float | None
    """vCPU per 1000 requests per second through the proxy; None if not published."""
    memory_mb: float | None
    """Memory in MB (10^6 bytes) per proxy; None if not published."""
    source: Source
    """The measurement."""


@record
class ProxyFigures:
    """One mesh data-plane component and its figures."""

    id: str
    """Stable id, e.g. `istio-sidecar`."""
    label: str
    """Name shown to people."""
    mesh: str
    """istio, linkerd or cilium."""
    per: Per
    """One proxy per pod, per node, or per waypoint."""
    hops: int
    """Proxies of this kind one in-mesh request passes through."""
    requests: ProxyRequests | None
    """Default requests; None when no verified figure exists."""
    usage: ProxyUsage | None
    """Measured use; None when no figure exists."""
    about: Source | None
    """Source for the component itself when it has no figures."""
    notes: tuple[str, ...]
    """What a reader must know about these figures."""

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source behind the row, without repeats."""
        found = [
            s
            for s in (
                self.requests and self.requests.source,
                self.usage and self.usage.source,
                self.about,
            )
            if s
        ]
        return tuple(dict.fromkeys(found))


@record
class CostInputs:
    """The cluster being priced."""

    pods: int
    """Meshed pods."""
    nodes: int
    """Nodes running them."""
    rps: float
    """Mesh-wide requests per second between meshed workloads."""
    waypoints: int
    """Istio ambient waypoint proxies."""


@record
class ChartSettings:
    """The cluster sizes the chart spans."""

    max_pods: int
    """Right end of the x axis."""
    step_pods: int
    """Distance between plotted points."""
    pods_per_node: int
    """Fixed ratio used to derive nodes from pods."""


@record
class CostData:
    """Everything in cost.yaml."""

    proxies: tuple[ProxyFigures, ...]
    """The components, in display order."""
    rounding: str
    """The rounding rule, in words."""
    example: CostInputs
    """The worked example (also the calculator's starting values)."""
    chart: ChartSettings
    """Chart settings."""


@record
class CostRow:
    """Overhead of one component for one cluster; None where no figure exists."""

    proxy: ProxyFigures
    """The component and its figures."""
    proxies: int
    """How many of it run."""
    reserved_cpu_cores: float | None
    """CPU requests, cores (unrounded)."""
    reserved_memory_gib: float | None
    """Memory requests, GiB (unrounded)."""
    in_use_cpu_cores: float | None
    """Expected CPU use, cores (unrounded)."""
    in_use_memory_gib: float | None
    """Expected memory use, GiB (unrounded)."""


@record
class CostEstimate:
    """The overhead of each selected component."""

    inputs: CostInputs
    """The cluster priced."""
    rows: tuple[CostRow, ...]
    """One row per component."""
    rounding: str
    """The rounding rule, in words."""


def tenths(value: float) -> int:
    """Round to tenths, halves up: the one rounding rule (mirrored in meshkb-cost.js)."""
    return math.floor(value * 10 + 0.5)


def format_amount(value: float | None) -> str:
    """`20.0`, `0.1`, or `—` when there is no figure; identical to the JS `format`."""
    if value is None:
        return MISSING
    rounded = tenths(value)
    return f"{rounded // 10}.{rounded % 10}"


def rounded_amount(value: float | None) -> float | None:
    """The rounded value as a number, for JSON."""
    return None if value is None else tenths(value) / 10


def _source(data: Mapping[str, Any], as_of: str) -> Source:
    return Source(str(data["title"]), str(data["url"]), as_of)


def _proxy(data: Mapping[str, Any]) -> ProxyFigures:
    requests = data.get("requests")
    usage = data.get("usage")
    about = data.get("about")
    return ProxyFigures(
        id=str(data["id"]),
        label=str(data["label"]),
        mesh=str(data["mesh"]),
        per=data["per"],
        hops=int(data["hops"]),
        requests=ProxyRequests(
            requests["cpu_millicores"],
            requests["memory_mib"],
            _source(requests["source"], str(requests["as_of"])),
        )
        if requests
        else None,
        usage=ProxyUsage(
            usage.get("cpu_cores_per_1000_rps"),
            usage.get("memory_mb"),
            _source(usage["source"], str(usage["as_of"])),
        )
        if usage
        else None,
        about=_source(about["source"], str(about["as_of"])) if about else None,
        notes=tuple(" ".join(str(note).split()) for note in data.get("notes", [])),
    )


def load_cost_data(text: str | None = None, file: str = "cost.yaml") -> CostData:
    """Parse cost.yaml (the packaged one when `text` is None; read once per process)."""
    if text is None:
        return _packaged_cost_data()
    return _parse_cost_data(text, file)


@functools.cache
def _packaged_cost_data() -> CostData:
    return _parse_cost_data(COST_DATA_PATH.read_text(encoding="utf-8"), "cost.yaml")


def _parse_cost_data(text: str, file: str) -> CostData:
    data = load_yaml_text(text, file).data  # located errors; libyaml, so ~10x faster
    try:
        if not isinstance(data, dict) or data.get("format") != COST_FORMAT:
            raise MeshkbError(Problem(file, f"is not a {COST_FORMAT} file"))
        example, chart = data["example"], data["chart"]
        return CostData(
            proxies=tuple(_proxy(proxy) for proxy in data["proxies"]),
            rounding=" ".join(str(data["rounding"]).split()),
            example=CostInputs(
                example["pods"], example["nodes"], example["rps"], example["waypoints"]
            ),
            chart=ChartSettings(chart["max_pods"], chart["step_pods"], chart["pods_per_node"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise MeshkbError(Problem(file, f"cannot be read: {error!r}")) from None


def _count(proxy: ProxyFigures, inputs: CostInputs) -> int:
    if proxy.per == "pod":
        return inputs.pods
    return inputs.nodes if proxy.per == "node" else inputs.waypoints


def cost_row(proxy: ProxyFigures, inputs: CostInputs) -> CostRow:
    """One component's overhead. Keep the operation order: the JS mirrors it exactly."""
    count = _count(proxy, inputs)
    requests, usage = proxy.requests, proxy.usage
    in_use_cpu = None
    if usage is not None and usage.cpu_cores_per_1000_rps is not None:
        in_use_cpu = (
            0.0 if count == 0 else inputs.rps * proxy.hops / 1000 * usage.cpu_cores_per_1000_rps
        )
    in_use_memory = None
    if usage is not None and usage.memory_mb is not None:
        in_use_memory = count * usage.memory_mb * BYTES_PER_MB / BYTES_PER_GIB
    return CostRow(
        proxy=proxy,
        proxies=count,
        reserved_cpu_cores=count * requests.cpu_millicores / 1000 if requests else None,
        reserved_memory_gib=count * requests.memory_mib / MIB_PER_GIB if requests else None,
        in_use_cpu_cores=in_use_cpu,
        in_use_memory_gib=in_use_memory,
    )


def compute_cost(
    pods: int,
    nodes: int,
    rps: float,
    meshes: Sequence[str] | None = None,
    waypoints: int = 1,
    *,
    data: CostData | None = None,
) -> CostEstimate:
    """Reserved and expected-in-use CPU and memory per mesh/mode.

    `meshes` filters by mesh (`istio`, `linkerd`, `cilium`) or component id
    (`istio-sidecar`, `istio-ztunnel`, `istio-waypoint`, ...); None keeps all.
    """
    data = data or load_cost_data()
    for name, value in (("pods", pods), ("nodes", nodes), ("waypoints", waypoints)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise MeshkbError(f"{name} must be a whole number of 0 or more, not {value!r}")
    if isinstance(rps, bool) or not isinstance(rps, (int, float)) or not rps >= 0:
        raise MeshkbError(f"rps must be a number of 0 or more, not {rps!r}")
    proxies = data.proxies
    if meshes is not None:
        known = {p.id for p in proxies} | {p.mesh for p in proxies}
        unknown = [name for name in meshes if name not in known]
        if unknown:
            choices = ", ".join(sorted(known))
            raise MeshkbError(f"unknown mesh {unknown[0]!r}; choose from {choices}")
        proxies = tuple(p for p in proxies if p.id in meshes or p.mesh in meshes)
    inputs = CostInputs(pods, nodes, rps, waypoints)
    return CostEstimate(inputs, tuple(cost_row(p, inputs) for p in proxies), data.rounding)


def _rps_text(rps: float) -> str:
    return str(int(rps)) if float(rps).is_integer() else str(rps)


def describe_inputs(inputs: CostInputs) -> str:
    """`200 pods, 10 nodes, 1000 RPS, 1 waypoint`."""
    waypoint = "waypoint" if inputs.waypoints == 1 else "waypoints"
    return (
        f"{inputs.pods} pods, {inputs.nodes} nodes, {_rps_text(inputs.rps)} RPS, "
        f"{inputs.waypoints} {waypoint}"
    )


_COLUMNS = ("Reserved CPU", "Reserved memory", "In-use CPU", "In-use memory")


def _cells(row: CostRow) -> tuple[str, str, str, str]:
    return (
        format_amount(row.reserved_cpu_cores),
        format_amount(row.reserved_memory_gib),
        format_amount(row.in_use_cpu_cores),
        format_amount(row.in_use_memory_gib),
    )


def render_cost_text(estimate: CostEstimate) -> str:
    """A table for the terminal, then the notes and the sources."""
    width = max([len("Mesh / mode"), *(len(row.proxy.label) for row in estimate.rows)])
    header = f"{'Mesh / mode':<{width}}  {'Proxies':>7}  " + "  ".join(
        f"{name:>15}" for name in _COLUMNS
    )
    units = f"{'':<{width}}  {'':>7}  " + "  ".join(
        f"{unit:>15}" for unit in ("(cores)", "(GiB)", "(cores)", "(GiB)")
    )
    lines = [f"Proxy overhead for {describe_inputs(estimate.inputs)}", "", header, units]
    for row in estimate.rows:
        cells = "  ".join(f"{cell:>15}" for cell in _cells(row))
        lines.append(f"{row.proxy.label:<{width}}  {row.proxies:>7}  {cells}")
    lines += ["", estimate.rounding]
    notes = [f"  {row.proxy.label}: {note}" for row in estimate.rows for note in row.proxy.notes]
    if notes:
        lines += ["", "Notes:", *notes]
    sources = dict.fromkeys(source for row in estimate.rows for source in row.proxy.sources)
    lines += ["", "Sources:"]
    lines += [f"  {s.title} ({s.as_of}): {s.url}" for s in sources]
    return "\n".join(lines) + "\n"


def _source_json(source: Source) -> dict[str, str]:
    return {"title": source.title, "url": source.url, "as_of": source.as_of}


def render_cost_json(estimate: CostEstimate) -> str:
    """JSON with rounded numbers (null where no figure exists), indent 2, trailing newline."""
    inputs = estimate.inputs
    rows = []
    for row in estimate.rows:
        proxy = row.proxy
        rows.append(
            {
                "id": proxy.id,
                "label": proxy.label,
                "mesh": proxy.mesh,
                "per": proxy.per,
                "proxies": row.proxies,
                "reserved": {
                    "cpu_cores": rounded_amount(row.reserved_cpu_cores),
                    "memory_gib": rounded_amount(row.reserved_memory_gib),
                    "source": _source_json(proxy.requests.source) if proxy.requests else None,
                },
                "in_use": {
                    "cpu_cores": rounded_amount(row.in_use_cpu_cores),
                    "memory_gib": rounded_amount(row.in_use_memory_gib),
                    "source": _source_json(proxy.usage.source) if proxy.usage else None,
                },
                "notes": list(proxy.notes),
                "sources": [_source_json(source) for source in proxy.sources],
            }
        )
    document = {
        "format": COST_FORMAT,
        "inputs": {
            "pods": inputs.pods,
            "nodes": inputs.nodes,
            "rps": inputs.rps,
            "waypoints": inputs.waypoints,
        },
        "rounding": estimate.rounding,
        "rows": rows,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def calculator_data(data: CostData) -> dict[str, Any]:
    """What the calculator's script needs: the figures, without prose or sources."""
    return {
        "format": COST_FORMAT,
        "proxies": [
            {
                "id": p.id,
                "per": p.per,
                "hops": p.hops,
                "requests": {
                    "cpu_millicores": p.requests.cpu_millicores,
                    "memory_mib": p.requests.memory_mib,
                }
                if p.requests
                else None,
                "usage": {
                    "cpu_cores_per_1000_rps": p.usage.cpu_cores_per_1000_rps,
                    "memory_mb": p.usage.memory_mb,
                }
                if p.usage
                else None,
            }
            for p in data.proxies
        ],
    }


def render_cost_calculator_html(
    data: CostData | None = None, *, id_prefix: str = "meshkb-cost"
) -> str:
    """A form (pods, nodes, RPS, waypoints) and a result table, computed for the example.

    Works without JavaScript (the table shows the example); `assets/meshkb-cost.js`
    recomputes it from the JSON in the container's `data-meshkb-cost` attribute as the
    numbers change. The data sits in an attribute, not a `<script>` element, because
    Material's instant navigation re-creates script elements as executable ones.
    """
    data = data or load_cost_data()
    example = data.example
    estimate = compute_cost(
        example.pods, example.nodes, example.rps, None, example.waypoints, data=data
    )
    esc = html.escape
    fields = (
        ("pods", "Meshed pods", example.pods, "1"),
        ("nodes", "Nodes", example.nodes, "1"),
        ("rps", "Requests per second, mesh-wide", example.rps, "any"),
        ("waypoints", "Istio ambient waypoints", example.waypoints, "1"),
    )
    payload = esc(json.dumps(calculator_data(data), ensure_ascii=False, separators=(",", ":")))
    parts = [f'<div class="meshkb-cost" data-meshkb-cost="{payload}" id="{esc(id_prefix)}">']
    parts.append('<form class="meshkb-cost__form" data-meshkb-cost-form>')
    for name, label, value, step in fields:
        field_id = f"{id_prefix}-{name}"
        parts.append(
            f'<p><label for="{esc(field_id)}">{esc(label)}</label> '
            f'<input id="{esc(field_id)}" name="{name}" type="number" min="0" step="{step}" '
            f'value="{esc(_rps_text(value))}" inputmode="{"decimal" if step == "any" else "numeric"}"></p>'
        )
    parts.append("</form>")
    parts.append(
        '<p class="meshkb-cost__nojs" data-meshkb-cost-nojs>'
        "Without JavaScript the table shows the example above; "
        "<code>meshkb cost</code> computes any other cluster.</p>"
    )
    parts.append('<table class="meshkb-cost__table">')
    parts.append(
        f"<caption>Proxy overhead for <span data-meshkb-cost-inputs>{esc(describe_inputs(example))}</span></caption>"
    )
    headers = (
        "Mesh / mode",
        "Proxies",
        "Reserved CPU (cores)",
        "Reserved memory (GiB)",
        "In-use CPU (cores)",
        "In-use memory (GiB)",
    )
    parts.append(
        "<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in headers) + "</tr></thead>"
    )
    parts.append("<tbody>")
    cell_names = ("reserved_cpu", "reserved_memory", "in_use_cpu", "in_use_memory")
    for row in estimate.rows:
        cells = "".join(
            f'<td data-meshkb-cost-cell="{name}">{esc(text)}</td>'
            for name, text in zip(cell_names, _cells(row), strict=True)
        )
        parts.append(
            f'<tr data-meshkb-cost-row="{esc(row.proxy.id)}"><th scope="row">{esc(row.proxy.label)}</th>'
            f'<td data-meshkb-cost-cell="proxies">{row.proxies}</td>{cells}</tr>'
        )
    parts.append("</tbody></table>")
    parts.append(
        f'<p class="meshkb-cost__rounding">{esc(data.rounding)} {MISSING} means no verified figure.</p>'
    )
    notes = [(p.label, note) for p in data.proxies for note in p.notes]
    parts.append('<ul class="meshkb-cost__notes">')
    parts += [f"<li><strong>{esc(label)}:</strong> {esc(note)}</li>" for label, note in notes]
    parts.append("</ul>")
    sources = dict.fromkeys(s for p in data.proxies for s in p.sources)
    parts.append('<p class="meshkb-cost__sources">Sources:</p><ul class="meshkb-cost__sources">')
    parts += [
        f'<li><a href="{esc(s.url)}">{esc(s.title)}</a> ({esc(s.as_of)})</li>' for s in sources
    ]
    parts.append("</ul>")
    parts.append("</div>")
    return "\n".join(parts) + "\n"


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
