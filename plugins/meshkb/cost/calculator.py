"""The cost page's calculator: its HTML and the data its script reads."""

from __future__ import annotations

import html
import json
from typing import Any

from meshkb.cost.figures import COST_FORMAT, CostData, load_cost_data
from meshkb.cost.model import MISSING, compute_cost
from meshkb.cost.output import cost_cells, describe_inputs, rps_text


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
            f'value="{esc(rps_text(value))}" inputmode="{"decimal" if step == "any" else "numeric"}"></p>'
        )
    parts.append("</form>")
    parts.append(
        '<p class="meshkb-cost__error" role="alert" data-meshkb-cost-error hidden>'
        "Pods, nodes and waypoints take whole numbers of 0 or more, requests per second any "
        "number of 0 or more: the table and the chart still show the last valid numbers.</p>"
    )
    parts.append(
        '<p class="meshkb-cost__nojs" data-meshkb-cost-nojs>'
        "Without JavaScript the table shows the example above; "
        "<code>meshkb cost</code> computes any other cluster.</p>"
    )
    parts.append('<div class="meshkb-cost__scroll"><table class="meshkb-cost__table">')
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
            for name, text in zip(cell_names, cost_cells(row), strict=True)
        )
        parts.append(
            f'<tr data-meshkb-cost-row="{esc(row.proxy.id)}"><th scope="row">{esc(row.proxy.label)}</th>'
            f'<td data-meshkb-cost-cell="proxies">{row.proxies}</td>{cells}</tr>'
        )
    parts.append("</tbody></table></div>")
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
