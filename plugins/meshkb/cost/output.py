"""A cost estimate as text and JSON."""

from __future__ import annotations

import json
from typing import Any

from meshkb.core.terminal import visible
from meshkb.cost.figures import COST_FORMAT, CostInputs, Source
from meshkb.cost.model import (
    AppRequests,
    ControlPlaneRow,
    CostEstimate,
    CostRow,
    format_amount,
    rounded_amount,
)


def rps_text(rps: float) -> str:
    return str(int(rps)) if float(rps).is_integer() else str(rps)


def counted(number: int, noun: str) -> str:
    """`1 node`, `2 nodes`."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def describe_inputs(inputs: CostInputs) -> str:
    """`200 pods, 10 nodes, 1000 RPS, 1 waypoint`."""
    return (
        f"{counted(inputs.pods, 'pod')}, {counted(inputs.nodes, 'node')}, "
        f"{rps_text(inputs.rps)} RPS, {counted(inputs.waypoints, 'waypoint')}"
    )


ABOVE = "*"
"""Marks an in-use figure above the reserved one (the requests under-reserve it)."""


def above_reserved(row: CostRow | ControlPlaneRow) -> list[str]:
    """`cpu`, `memory`: where the expected use exceeds the requests (both known)."""
    pairs = (
        ("cpu", row.reserved_cpu_cores, row.in_use_cpu_cores),
        ("memory", row.reserved_memory_gib, row.in_use_memory_gib),
    )
    return [
        name
        for name, reserved, used in pairs
        if reserved is not None and used is not None and used > reserved
    ]


def share(overhead: float | None, app: float) -> str:
    """The overhead as a whole percentage of the app's own requests, halves up."""
    if overhead is None or app <= 0:
        return "—"
    return f"{int(overhead / app * 100 + 0.5)}%"


_COLUMNS = ("Reserved CPU", "Reserved memory", "In-use CPU", "In-use memory")


def cost_cells(row: CostRow) -> tuple[str, str, str, str]:
    return (
        format_amount(row.reserved_cpu_cores),
        format_amount(row.reserved_memory_gib),
        format_amount(row.in_use_cpu_cores),
        format_amount(row.in_use_memory_gib),
    )


def render_cost_text(estimate: CostEstimate, app: AppRequests | None = None) -> str:
    """A table for the terminal, then the notes and the sources.

    With `app` (the application's own requests, from manifests), a first row shows them
    and two columns give each row's reserved CPU and memory as a share of them.
    """
    rows: list[tuple[str, str, tuple[str, ...], CostRow | ControlPlaneRow | None]] = []
    if app is not None:
        floor = " (at least)" if app.floor else ""
        rows.append(
            (
                f"Application's own requests{floor}",
                str(estimate.inputs.pods),
                (format_amount(app.cpu_cores), format_amount(app.memory_gib), "", ""),
                None,
            )
        )
    for row in estimate.rows:
        rows.append((row.proxy.label, str(row.proxies), _marked(row), row))
    for plane in estimate.control_rows:
        replicas = str(plane.control_plane.replicas)
        rows.append((plane.control_plane.label, replicas, _marked(plane), plane))
    width = max([len("Mesh / mode"), *(len(label) for label, *_ in rows)])
    names = list(_COLUMNS) + (["Reserved CPU", "Reserved memory"] if app else [])
    units = ["(cores)", "(GiB)", "(cores)", "(GiB)"] + (["(% of app)"] * 2 if app else [])
    header = f"{'Mesh / mode':<{width}}  {'Count':>7}  " + "  ".join(f"{n:>15}" for n in names)
    unit_line = f"{'':<{width}}  {'':>7}  " + "  ".join(f"{u:>15}" for u in units)
    lines = [f"Proxy overhead for {describe_inputs(estimate.inputs)}", "", header, unit_line]
    for label, count, cells, shown in rows:
        extra: tuple[str, ...] = ()
        if app is not None:
            extra = (
                ("", "")
                if shown is None
                else (
                    share(shown.reserved_cpu_cores, app.cpu_cores),
                    share(shown.reserved_memory_gib, app.memory_gib),
                )
            )
        text = "  ".join(f"{cell:>15}" for cell in (*cells, *extra))
        lines.append(f"{label:<{width}}  {count:>7}  {text}".rstrip())
    notes = [f"  {row.proxy.label}: {note}" for row in estimate.rows for note in row.proxy.notes]
    notes += [
        f"  {plane.control_plane.label}: {note}"
        for plane in estimate.control_rows
        for note in plane.control_plane.notes
    ]
    marked = [label for label, _, cells, _ in rows if any(c.endswith(ABOVE) for c in cells)]
    if marked:
        notes.append(
            f"  {ABOVE} In use above reserved ({', '.join(marked)}): the default requests "
            "reserve less than the proxy is measured to use, so the scheduler under-counts it."
        )
    if app is not None and app.floor:
        notes.append(
            "  Application: some containers request no CPU or memory, so its sums are a floor "
            "and the shares an upper bound."
        )
    if notes:
        lines += ["", "Notes:", *notes]
    sources = dict.fromkeys(source for row in estimate.rows for source in row.proxy.sources)
    sources.update(dict.fromkeys(s for p in estimate.control_rows for s in p.control_plane.sources))
    lines += ["", "Sources:"]
    lines += [f"  {s.title} ({s.as_of}): {s.url}" for s in sources]
    return "\n".join(visible(line) for line in lines) + "\n"


def _marked(row: CostRow | ControlPlaneRow) -> tuple[str, str, str, str]:
    """The four figures, an in-use one marked when it is above the reserved one."""
    above = above_reserved(row)
    reserved_cpu, reserved_memory, used_cpu, used_memory = (
        format_amount(row.reserved_cpu_cores),
        format_amount(row.reserved_memory_gib),
        format_amount(row.in_use_cpu_cores),
        format_amount(row.in_use_memory_gib),
    )
    if "cpu" in above:
        used_cpu += ABOVE
    if "memory" in above:
        used_memory += ABOVE
    return reserved_cpu, reserved_memory, used_cpu, used_memory


def _percent(overhead: float | None, app: float) -> int | None:
    text = share(overhead, app)
    return None if text == "—" else int(text[:-1])


def _source_json(source: Source) -> dict[str, str]:
    return {"title": source.title, "url": source.url, "as_of": source.as_of}


def _amounts_json(
    cpu_cores: float | None, memory_gib: float | None, source: Source | None
) -> dict[str, Any]:
    """One row's CPU and memory (reserved or in use), rounded, with their source."""
    return {
        "cpu_cores": rounded_amount(cpu_cores),
        "memory_gib": rounded_amount(memory_gib),
        "source": _source_json(source) if source else None,
    }


def render_cost_json(estimate: CostEstimate, app: AppRequests | None = None) -> str:
    """JSON with rounded numbers (null where no figure exists), indent 2, trailing newline."""
    inputs = estimate.inputs
    # Proxy rows and control-plane rows are written alike on purpose (readers compare them);
    # they are built from different models, so each keeps its own literal.
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
                "reserved": _amounts_json(
                    row.reserved_cpu_cores,
                    row.reserved_memory_gib,
                    proxy.requests.source if proxy.requests else None,
                ),
                "in_use": _amounts_json(
                    row.in_use_cpu_cores,
                    row.in_use_memory_gib,
                    proxy.usage.source if proxy.usage else None,
                ),
                "in_use_above_reserved": above_reserved(row),
                "notes": list(proxy.notes),
                "sources": [_source_json(source) for source in proxy.sources],
            }
        )
    control_planes = []
    for plane in estimate.control_rows:
        figures = plane.control_plane
        control_planes.append(
            {
                "id": figures.id,
                "label": figures.label,
                "mesh": figures.mesh,
                "replicas": figures.replicas,
                "reserved": _amounts_json(
                    plane.reserved_cpu_cores,
                    plane.reserved_memory_gib,
                    figures.requests.source if figures.requests else None,
                ),
                "in_use": _amounts_json(
                    plane.in_use_cpu_cores, plane.in_use_memory_gib, figures.usage_source
                ),
                "in_use_above_reserved": above_reserved(plane),
                "notes": list(figures.notes),
            }
        )
    document: dict[str, Any] = {
        "format": COST_FORMAT,
        "inputs": {
            "pods": inputs.pods,
            "nodes": inputs.nodes,
            "rps": inputs.rps,
            "waypoints": inputs.waypoints,
        },
        "rounding": estimate.rounding,
        "rows": rows,
        "control_planes": control_planes,
    }
    if app is not None:
        priced: list[tuple[str, CostRow | ControlPlaneRow]] = [
            *((r.proxy.id, r) for r in estimate.rows),
            *((p.control_plane.id, p) for p in estimate.control_rows),
        ]
        document["application"] = {
            "cpu_cores": rounded_amount(app.cpu_cores),
            "memory_gib": rounded_amount(app.memory_gib),
            "floor": app.floor,
            "overhead_percent": {
                row_id: {
                    "cpu": _percent(row.reserved_cpu_cores, app.cpu_cores),
                    "memory": _percent(row.reserved_memory_gib, app.memory_gib),
                }
                for row_id, row in priced
            },
        }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
