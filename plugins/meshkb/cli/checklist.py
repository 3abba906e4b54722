"""`meshkb checklist list` and `meshkb checklist NAME`: the fill-in report."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any, TextIO

from meshkb.cli.common import emit, load_every, load_named, read_input, stdin_text, today
from meshkb.core.errors import EXIT_OK, MeshkbError
from meshkb.core.model import DATAPLANES, MESHES
from meshkb.core.terminal import visible

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
        help=(
            "report format (default: from -o FILE's extension, else md);"
            " with 'list', json for the list as data"
        ),
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
    checklist.add_argument("--system", default=None, help="what is reviewed, e.g. a namespace")
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
    from meshkb.report.build import new_report, report_problems
    from meshkb.report.data import parse_report, render_report

    fmt = output_format(args.format, args.output)
    _check_options(args, fmt)
    output = Path(args.output) if args.output else None
    if args.output:
        from meshkb.core.files import check_target

        # Before any work: a device, a FIFO or a file without --force is refused up front.
        check_target(args.output, force=args.force or args.interactive)
    resume = bool(args.interactive and output and output.exists())
    checklist = load_named(args, args.name)
    carry = None
    source = args.output if resume else args.from_report
    if source:
        carry = parse_report(read_input(source), source, {checklist.id: checklist})
    date = args.date if args.date is not None else (carry.date if resume and carry else today())
    report = new_report(
        checklist,
        system=args.system if args.system is not None else (carry.system if carry else ""),
        mesh=args.mesh or (carry.mesh if carry else ""),
        dataplane=args.dataplane or (carry.dataplane if carry else ""),
        date=date,
        reviewers=args.reviewer or (carry.reviewers if carry else ()),
        carry=carry,
    )
    if args.scan:
        from meshkb.cli.scan import prefill_from_scan

        report = prefill_from_scan(checklist, report, args.scan, err)
    # Nothing is written that our own reader would refuse. The options were checked
    # above and a checklist's version is a report's; answers from a file or a scan are
    # checked whole (their readers have loaded the validator already, so a plain export
    # still starts without it).
    problems = report_problems(report, args.output or "<stdout>") if carry or args.scan else []
    if problems:
        raise MeshkbError(problems)
    if args.interactive:
        from meshkb.cli.interactive import run_interactive

        assert output is not None  # _check_options: -i needs -o
        if resume:
            err.write(f"Resuming {visible(str(output))}.\n")
        given = {
            key: value for key in ("system", "mesh", "dataplane") if (value := getattr(args, key))
        }
        return run_interactive(checklist, report, output, fmt, stdin_text(), err, given)
    emit(render_report(checklist, report, fmt), args, out)
    return EXIT_OK


EXTENSIONS = {
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".xml": "junit",
}
"""What each file extension holds, as `report check` reads it back."""


def output_format(chosen: str | None, output: str | None) -> str:
    """The format to write: --format, else -o FILE's extension, else Markdown.

    A report is read back by its extension, so --format may not contradict it.
    """
    implied = EXTENSIONS.get(Path(output).suffix.lower()) if output else None
    if chosen and implied and chosen != implied:
        raise MeshkbError(
            f"checklist: -o {output} is read back as {implied}, but --format is {chosen};"
            " change one of them (nothing was written)"
        )
    fmt = chosen or implied or "md"
    if output and fmt == "yaml" and implied is None:
        raise MeshkbError(
            f"checklist: -o {output}: write YAML to a .yaml or .yml file, the extension"
            " report check reads it by (nothing was written)"
        )
    return fmt


def _check_options(args: argparse.Namespace, fmt: str) -> None:
    """Refuse, before anything is read or written, options no report could hold."""
    import datetime

    if args.interactive and not args.output:
        raise MeshkbError("checklist: -i needs -o FILE so every answer is saved as you go")
    if args.interactive and fmt == "junit":
        raise MeshkbError(
            "checklist: -i writes a report it can resume: md, json or yaml, not junit"
        )
    if args.interactive and args.from_report and Path(args.output).exists():
        raise MeshkbError(
            f"checklist: -i resumes {args.output}; --from applies only when it does not exist yet"
        )
    if args.date is not None:
        try:
            shaped = re.fullmatch("[0-9]{4}-[0-9]{2}-[0-9]{2}", args.date) is not None
            valid = shaped and bool(datetime.date.fromisoformat(args.date))
        except ValueError:
            valid = False
        if not valid:
            raise MeshkbError(f"checklist: --date {args.date!r} is not a date; use YYYY-MM-DD")
    from meshkb.report.build import forbidden_text

    for reviewer in args.reviewer:
        if not reviewer.strip():
            raise MeshkbError("checklist: --reviewer needs a name, not an empty text")
    for option, value in [
        ("--system", args.system or ""),
        *(("--reviewer", r) for r in args.reviewer),
    ]:
        why = forbidden_text(value)
        if why:
            raise MeshkbError(f"checklist: {option} {why}")


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
            visible(
                f"{checklist.id:<11} {checklist.prefix:<6} {checklist.version:<8} {len(checklist.active_items()):>5}  {checklist.title}"
            )
            + "\n"
        )
    return EXIT_OK
