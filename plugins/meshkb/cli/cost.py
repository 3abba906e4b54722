"""`meshkb cost`: CPU and memory a mesh reserves and uses, per mesh and data-plane mode."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from meshkb.core.errors import EXIT_OK, MeshkbError
from meshkb.core.model import MESHES
from meshkb.core.terminal import visible


def register(commands: Any) -> None:
    cost = commands.add_parser(
        "cost",
        help="CPU and memory a mesh reserves and uses, per mesh and data-plane mode",
        description=(
            "Sidecar, ambient and node-proxy overhead for a cluster: CPU and memory reserved "
            "(requests, what the scheduler counts) and expected in use, from sourced figures."
        ),
    )
    cost.add_argument("--pods", type=int, metavar="N", help="meshed pods")
    cost.add_argument("--nodes", type=int, metavar="M", help="nodes (for per-node proxies)")
    cost.add_argument("--rps", type=float, default=1000.0, metavar="R", help="mesh-wide requests/s")
    cost.add_argument("--waypoints", type=int, default=1, metavar="W", help="ambient waypoints")
    cost.add_argument(
        "--mesh", action="append", choices=MESHES, default=None, help="only this mesh (repeatable)"
    )
    cost.add_argument("--scan", metavar="PATH", help="count pods and nodes in manifests (or -)")
    cost.add_argument("--format", "-f", choices=("text", "json"), default="text")
    cost.set_defaults(func=run_cost_command)


def run_cost_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.cost.model import AppRequests, compute_cost
    from meshkb.cost.output import counted, render_cost_json, render_cost_text

    pods, nodes = args.pods, args.nodes
    app = None
    if args.scan:
        from meshkb.cli.scan import read
        from meshkb.scan.workloads import count_workloads

        manifests = read([args.scan], err)
        found = count_workloads(manifests.resources)
        pods = pods if pods is not None else found.pods
        nodes = nodes if nodes is not None else found.nodes
        node_objects = counted(found.nodes, "Node object") if found.nodes else "no Node objects"
        err.write(
            f"meshkb: from {visible(args.scan)}: {counted(found.pods, 'pod')}, {node_objects}\n"
        )
        if found.containers:
            app = AppRequests(
                float(found.cpu_millicores) / 1000,
                float(found.memory_mib) / 1024,
                floor=found.without_requests > 0,
            )
    if pods is None:
        raise MeshkbError("cost: give --pods N (or --scan PATH)")
    assumed = nodes is None
    if nodes is None:
        nodes = max(1, -(-pods // 20))
    estimate = compute_cost(pods, nodes, args.rps, args.mesh, args.waypoints)
    if assumed:
        err.write(f"meshkb: note: --nodes not given; assuming {nodes} (20 pods per node)\n")
    if args.format == "json":
        out.write(render_cost_json(estimate, app))
    else:
        out.write(render_cost_text(estimate, app))
    return EXIT_OK
