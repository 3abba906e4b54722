"""`meshkb report check FILE`: progress, gate and outcomes of a filled report."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from meshkb.cli.common import load_every, read_input, subcommands
from meshkb.core.errors import EXIT_FAILED, EXIT_OK, MeshkbError


def register(commands: Any) -> None:
    report = commands.add_parser("report", help="work with filled reports")
    report_commands = subcommands(report, "report_command", required=True)
    check = report_commands.add_parser(
        "check",
        help="progress, gate and outcomes of a filled report",
        description="Read a filled report (Markdown, JSON or YAML) and say what is open, failed, waived, outdated or unknown.",
    )
    check.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="the report ('-' for stdin); several for text output, as pre-commit passes them",
    )
    check.add_argument(
        "--gate", action="store_true", help="exit 1 when the gate fails (an open or failed blocker)"
    )
    check.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "junit"),
        default="text",
        help="text (default), json (the summary and each group of items as data) or junit (the review as test results)",
    )
    check.set_defaults(func=run_report_check)


def run_report_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """One report as before; several (pre-commit's batch): each summary under its name.

    Every report is read before anything is printed, so a bad one exits 2 with no output.
    With several reports, `--gate` names each one whose gate fails on stderr and exits 1
    when any does.
    """
    from meshkb.report.check import REPORTERS, check_report
    from meshkb.report.data import parse_report

    if len(args.files) > 1 and args.format != "text":
        raise MeshkbError(
            f"report check: --format {args.format} takes one FILE (got {len(args.files)})"
        )
    checklists = load_every(args)
    results = []
    for file in args.files:
        name = "<stdin>" if file == "-" else file
        report = parse_report(read_input(file), name, checklists)
        results.append(check_report(checklists[report.checklist], report, name))
    several = len(results) > 1
    for index, result in enumerate(results):
        if several:
            out.write(("\n" if index else "") + f"== {result.file} ==\n")
        out.write(REPORTERS[args.format](result, out))
    failed = [result.file for result in results if not result.score.gate]
    if several and args.gate:
        for file in failed:
            err.write(f"meshkb: {file}: gate not passed\n")
    return EXIT_FAILED if args.gate and failed else EXIT_OK
