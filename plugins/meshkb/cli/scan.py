"""`meshkb scan PATH|-` and `checklist --scan`: the probes over Kubernetes manifests."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from meshkb.core.errors import EXIT_FAILED, EXIT_OK, MeshkbError
from meshkb.core.model import Checklist, Report
from meshkb.core.terminal import one_line

if TYPE_CHECKING:
    from meshkb.scan.resources import ManifestSet


def register(commands: Any) -> None:
    from meshkb.cli.links import site_options

    scan = commands.add_parser(
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
    scan.add_argument(
        "--gate",
        action="store_true",
        help="exit 1 when the manifests break a check (a failed probe whose failure is 'breaks')",
    )
    scan.add_argument(
        "--only",
        type=_states,
        metavar="STATES",
        help=(
            "only results in these states, comma-separated: fail, review (or unknown), pass "
            "(default: all; for SARIF, fail,review)"
        ),
    )
    site_options(scan)
    scan.set_defaults(func=run_scan_command)


def _states(text: str) -> tuple[str, ...]:
    from meshkb.scan.output import STATE_NAMES

    words = tuple(word.strip() for word in text.split(",") if word.strip())
    bad = [word for word in words if word not in STATE_NAMES]
    if bad or not words:
        raise argparse.ArgumentTypeError(
            f"{(bad or [text])[0]!r} is not a state (choose from fail, review, unknown, pass)"
        )
    return words


def read(paths: list[str], err: TextIO) -> ManifestSet:
    """Read manifests; problems and notices go to stderr, one per line."""
    from meshkb.cli.common import stdin_bytes
    from meshkb.scan.read import read_manifests

    manifests = read_manifests(paths, stdin=stdin_bytes() if "-" in paths else None)
    if not manifests.resources and manifests.problems:
        # Nothing to scan (empty input, unreadable files): the reasons are the error.
        raise MeshkbError(list(manifests.problems))
    for problem in manifests.problems:
        err.write(f"meshkb: warning: {one_line(str(problem))}\n")
    for notice in manifests.notices:
        err.write(f"meshkb: note: {one_line(str(notice))}\n")
    return manifests


def run_scan_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.cli.common import load_every
    from meshkb.scan.output import render_scan_json, render_scan_text, select_states
    from meshkb.scan.prefill import probe_items
    from meshkb.scan.run import evaluate_items

    every = load_every(args)
    unknown = [name for name in args.checklist if name not in every]
    if unknown:
        raise MeshkbError(f"scan: no checklist {unknown[0]!r} (known: {', '.join(every)})")
    chosen = [every[name] for name in args.checklist] if args.checklist else list(every.values())
    manifests = read(args.paths, err)
    items = probe_items(chosen)
    results = evaluate_items(items, manifests.resources)
    only = args.only or ()
    if args.format == "json":
        shown = select_states(results, only)
        out.write(render_scan_json(shown, manifests.problems, manifests.notices))
    elif args.format == "sarif":
        from meshkb import __version__
        from meshkb.cli.links import site_config
        from meshkb.scan.output import STATE_NAMES
        from meshkb.scan.sarif import DEFAULT_STATES, render_scan_sarif

        site_url = site_config(args, err).site_url
        first = [manifests.resources[0].origin.file] if manifests.resources else []
        out.write(
            render_scan_sarif(
                results,
                items=items,
                site_url=site_url,
                problems=manifests.problems,
                tool_version=__version__,
                states={STATE_NAMES[word] for word in only} if only else DEFAULT_STATES,
                files=first,
            )
        )
    else:
        out.write(render_scan_text(select_states(results, only), total=len(results)))
    # The gate counts every result, shown or not.
    return EXIT_FAILED if args.gate and any(result.gates for result in results) else EXIT_OK


def prefill_from_scan(checklist: Checklist, report: Report, path: str, err: TextIO) -> Report:
    """Pre-fill open answers with probe results, marked for a person to confirm."""
    from meshkb.scan.prefill import prefill, probe_items
    from meshkb.scan.run import evaluate_items

    manifests = read([path], err)
    return prefill(report, evaluate_items(probe_items([checklist]), manifests.resources))
