"""`meshkb checklist list` and `meshkb checklist NAME`: the fill-in report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from meshkb.cli.common import emit, load_every, load_named, read_input, today
from meshkb.core.errors import EXIT_OK, MeshkbError, Problem
from meshkb.core.model import DATAPLANES, MESHES

FORMATS = ("md", "json", "yaml", "junit")


def register(commands: Any) -> None:
    checklist = commands.add_parser(
        "checklist",
        help="list the checklists, or export one as a fill-in report",
        description="`meshkb checklist list` lists the checklists; `meshkb checklist NAME` prints NAME's fill-in report.",
    )
    checklist.add_argument(
        "name", metavar="NAME|list", help="a checklist ID (e.g. migration), or 'list'"
    )
    checklist.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default=None,
        help="report format (default: md); with 'list', json for the list as data",
    )
    checklist.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout"
    )
    checklist.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    checklist.add_argument(
        "--mesh", choices=MESHES, default="", help="the mesh; items for other meshes start as n/a"
    )
    checklist.add_argument(
        "--dataplane", choices=DATAPLANES, default="", help="the data-plane mode"
    )
    checklist.add_argument("--system", default="", help="what is reviewed, e.g. a namespace")
    checklist.add_argument(
        "--reviewer", action="append", default=[], help="a reviewer (repeatable)"
    )
    checklist.add_argument("--date", default=None, help="review date, YYYY-MM-DD (default: today)")
    checklist.add_argument(
        "--from",
        dest="from_report",
        metavar="REPORT",
        help="carry answers forward from an earlier report",
    )
    checklist.add_argument(
        "--scan",
        metavar="PATH",
        help="pre-fill answers from probes over Kubernetes manifests (file, folder or -)",
    )
    checklist.add_argument(
        "-i",
        "--interactive",
        action="store_true",
        help="answer in the terminal, saving after every answer (needs -o; resumes)",
    )
    checklist.set_defaults(func=run_checklist)


def run_checklist(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.name == "list":
        return _list(args, out)
    args.format = args.format or "md"
    from meshkb.report.build import new_report
    from meshkb.report.data import parse_report, render_report

    if args.interactive and not args.output:
        raise MeshkbError("checklist: -i needs -o FILE so every answer is saved as you go")
    if args.output and Path(args.output).exists() and not (args.force or args.interactive):
        raise MeshkbError(
            Problem(
                args.output, "already exists; pass --force to overwrite it (nothing was written)"
            )
        )
    checklist = load_named(args, args.name)
    carry = None
    if args.from_report:
        carry = parse_report(
            read_input(args.from_report), args.from_report, {checklist.id: checklist}
        )
    report = new_report(
        checklist,
        system=args.system or (carry.system if carry else ""),
        mesh=args.mesh or (carry.mesh if carry else ""),
        dataplane=args.dataplane or (carry.dataplane if carry else ""),
        date=args.date if args.date is not None else today(),
        reviewers=args.reviewer or (carry.reviewers if carry else ()),
        carry=carry,
    )
    if args.scan:
        from meshkb.cli.scan import prefill_from_scan

        report = prefill_from_scan(checklist, report, args.scan, err)
    if args.interactive:
        from meshkb.cli.interactive import run_interactive

        given = {
            key: value for key in ("system", "mesh", "dataplane") if (value := getattr(args, key))
        }
        return run_interactive(checklist, report, Path(args.output), sys.stdin, err, given)
    emit(render_report(checklist, report, args.format), args, out)
    return EXIT_OK


def _list(args: argparse.Namespace, out: TextIO) -> int:
    if args.format not in (None, "json"):
        raise MeshkbError(f"checklist list: --format {args.format} is not a list format (use json)")
    checklists = load_every(args)
    if args.format == "json":
        import json

        data = [
            {
                "id": c.id,
                "prefix": c.prefix,
                "version": c.version,
                "title": c.title,
                "items": len(c.active_items()),
                "file": c.source,
            }
            for c in checklists.values()
        ]
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    out.write(f"{'ID':<11} {'PREFIX':<6} {'VERSION':<8} {'ITEMS':>5}  TITLE\n")
    for checklist in checklists.values():
        out.write(
            f"{checklist.id:<11} {checklist.prefix:<6} {checklist.version:<8} {len(checklist.active_items()):>5}  {checklist.title}\n"
        )
    return EXIT_OK
