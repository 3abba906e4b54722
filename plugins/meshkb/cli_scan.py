"""`meshkb scan`, `meshkb cost` and `checklist --scan`: thin adapters over scan.py and cost.py."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from .errors import EXIT_FAILED, EXIT_OK, MeshkbError
from .model import MESHES, Answer, Checklist, Evidence, Report
from .record import replace

if TYPE_CHECKING:
    from .manifests import ManifestSet
    from .scan import ItemResult, ScanItem, ScanOutcome

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


def register(subparsers: Any) -> None:
    from .cli_links import site_options

    scan = subparsers.add_parser(
        "scan",
        help="run the checklists' probes over Kubernetes manifests",
        description=(
            "Read manifests (files, folders searched for *.yaml, *.yml and *.json, "
            "multi-document YAML, `kind: List` from `kubectl get -o yaml`, or - for stdin) "
            "and evaluate every probe: pass, fail or unknown, with the resources as evidence. "
            "Unreadable documents are reported and the rest is still scanned; exit 2 only "
            "when nothing could be read."
        ),
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="manifest file or folder, or -")
    scan.add_argument(
        "--checklist", action="append", default=[], metavar="NAME", help="only this checklist"
    )
    scan.add_argument(
        "--format", "-f", choices=("text", "json", "sarif"), default="text", help="output format"
    )
    scan.add_argument("--gate", action="store_true", help="exit 1 when a probe fails")
    site_options(scan)
    scan.set_defaults(func=run_scan_command)

    cost = subparsers.add_parser(
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


def probe_items(checklists: list[Checklist]) -> list[ScanItem]:
    """Every live item that carries a probe, in checklist order."""
    from .probe import parse_probe
    from .scan import ScanItem

    items = []
    for checklist in checklists:
        for item in checklist.active_items():
            if item.probe is not None:
                # The loader already checked every probe against the checklist schema.
                probe = parse_probe(
                    item.probe, file=checklist.source, at=f"{item.id}.probe", checked=True
                )
                items.append(ScanItem(item.id, item.title, probe, item.severity))
    return items


def read(paths: list[str], err: TextIO) -> ManifestSet:
    """Read manifests; problems and notices go to stderr, one per line."""
    from .manifests import read_manifests

    manifests = read_manifests(paths, stdin=sys.stdin.buffer if "-" in paths else None)
    for problem in manifests.problems:
        err.write(f"meshkb: warning: {problem}\n")
    for notice in manifests.notices:
        err.write(f"meshkb: note: {notice}\n")
    return manifests


def scan(checklists: list[Checklist], paths: list[str], err: TextIO) -> ScanOutcome:
    from .scan import run_scan

    manifests = read(paths, err)
    return run_scan(manifests, probe_items(checklists))


def run_scan_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .cli import load_every
    from .scan import evaluate_rendered, render_scan_json, render_scan_sarif, render_scan_text

    every = load_every(args)
    unknown = [name for name in args.checklist if name not in every]
    if unknown:
        raise MeshkbError(f"scan: no checklist {unknown[0]!r} (known: {', '.join(every)})")
    chosen = [every[name] for name in args.checklist] if args.checklist else list(every.values())
    manifests = read(args.paths, err)
    if not manifests.resources and manifests.problems:
        raise MeshkbError("scan: no manifest could be read (see the warnings above)")
    # Each result is written in the output format as soon as it is found (see scan.py).
    results = evaluate_rendered(probe_items(chosen), manifests.resources, args.format)
    if args.format == "json":
        out.write(render_scan_json(results, manifests.problems, manifests.notices))
    elif args.format == "sarif":
        from . import __version__
        from .cli_links import site_config

        site_url = site_config(args).site_url
        out.write(
            render_scan_sarif(
                results, site_url=site_url, problems=manifests.problems, tool_version=__version__
            )
        )
    else:
        out.write(render_scan_text(results))
    failed = any(result.state == "fail" for result in results)
    return EXIT_FAILED if args.gate and failed else EXIT_OK


def prefill_from_scan(checklist: Checklist, report: Report, path: str, err: TextIO) -> Report:
    """Pre-fill open answers with probe results, marked for a person to confirm."""
    outcome = scan([checklist], [path], err)
    if outcome.resources_read == 0 and outcome.problems:
        raise MeshkbError(f"--scan: no manifest could be read from {path}")
    results = {result.item_id: result for result in outcome.results}
    answers = []
    for answer in report.answers:
        result = results.get(answer.id)
        if result is None or answer.state != "open":
            answers.append(answer)
        else:
            answers.append(_prefilled(answer, result))
    return replace(report, answers=tuple(answers))


def _prefilled(answer: Answer, result: ItemResult) -> Answer:
    evidence = [Evidence(f"{result.state}: {result.summary}", "probe")]
    evidence.extend(Evidence(str(found), "probe") for found in result.evidence)
    if result.state in ("pass", "fail"):
        return replace(answer, state=result.state, evidence=tuple(evidence), prefilled=True)
    # Unknown: the manifests cannot tell; keep the item open and show what was seen.
    return replace(answer, evidence=tuple(evidence))


def count_pods_and_nodes(manifests: ManifestSet) -> tuple[int, int | None]:
    """Pods the workloads ask for, and Node objects when the input has them."""
    pods = 0
    nodes = sum(1 for r in manifests.resources if r.kind == "Node")
    for resource in manifests.resources:
        spec = resource.body.get("spec") or {}
        if resource.kind in WORKLOAD_KINDS:
            replicas = spec.get("replicas", 1)
            pods += replicas if isinstance(replicas, int) and replicas >= 0 else 1
        elif resource.kind == "Pod":
            pods += 1
        elif resource.kind == "DaemonSet":
            pods += nodes
    return pods, nodes or None


def run_cost_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .cost import compute_cost, render_cost_json, render_cost_text

    pods, nodes = args.pods, args.nodes
    if args.scan:
        manifests = read([args.scan], err)
        if not manifests.resources and manifests.problems:
            raise MeshkbError(f"cost: no manifest could be read from {args.scan}")
        counted_pods, counted_nodes = count_pods_and_nodes(manifests)
        pods = pods if pods is not None else counted_pods
        nodes = nodes if nodes is not None else counted_nodes
        err.write(
            f"meshkb: from {args.scan}: {counted_pods} pods, {counted_nodes or 'no'} Node objects\n"
        )
    if pods is None:
        raise MeshkbError("cost: give --pods N (or --scan PATH)")
    if nodes is None:
        nodes = max(1, -(-pods // 20))
        err.write(f"meshkb: note: --nodes not given; assuming {nodes} (20 pods per node)\n")
    estimate = compute_cost(pods, nodes, args.rps, args.mesh, args.waypoints)
    out.write(render_cost_json(estimate) if args.format == "json" else render_cost_text(estimate))
    return EXIT_OK
