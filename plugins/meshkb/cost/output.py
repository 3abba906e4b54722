"""A cost estimate as text and JSON."""

from __future__ import annotations

import json

from meshkb.core.terminal import visible
from meshkb.cost.model import (
    COST_FORMAT,
    CostEstimate,
    CostInputs,
    CostRow,
    Source,
    format_amount,
    rounded_amount,
)


def rps_text(rps: float) -> str:
    return str(int(rps)) if float(rps).is_integer() else str(rps)


def describe_inputs(inputs: CostInputs) -> str:
    """`200 pods, 10 nodes, 1000 RPS, 1 waypoint`."""
    waypoint = "waypoint" if inputs.waypoints == 1 else "waypoints"
    return (
        f"{inputs.pods} pods, {inputs.nodes} nodes, {rps_text(inputs.rps)} RPS, "
        f"{inputs.waypoints} {waypoint}"
    )


_COLUMNS = ("Reserved CPU", "Reserved memory", "In-use CPU", "In-use memory")


def cost_cells(row: CostRow) -> tuple[str, str, str, str]:
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
        cells = "  ".join(f"{cell:>15}" for cell in cost_cells(row))
        lines.append(f"{row.proxy.label:<{width}}  {row.proxies:>7}  {cells}")
    lines += ["", estimate.rounding]
    notes = [f"  {row.proxy.label}: {note}" for row in estimate.rows for note in row.proxy.notes]
    if notes:
        lines += ["", "Notes:", *notes]
    sources = dict.fromkeys(source for row in estimate.rows for source in row.proxy.sources)
    lines += ["", "Sources:"]
    lines += [f"  {s.title} ({s.as_of}): {s.url}" for s in sources]
    return "\n".join(visible(line) for line in lines) + "\n"


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
