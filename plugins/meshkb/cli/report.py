"""`meshkb report check FILE`: progress, gate and outcomes of a filled report."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from meshkb.cli.common import load_every, read_input, subcommands
from meshkb.core.errors import EXIT_FAILED, EXIT_OK


def register(commands: Any) -> None:
    report = commands.add_parser("report", help="work with filled reports")
    report_commands = subcommands(report, "report_command", required=True)
    check = report_commands.add_parser(
        "check",
        help="progress, gate and outcomes of a filled report",
        description="Read a filled report (Markdown, JSON or YAML) and say what is open, failed, waived, outdated or unknown.",
    )
    check.add_argument("file", metavar="FILE", help="the report ('-' for stdin)")
    check.add_argument(
        "--gate", action="store_true", help="exit 1 when the gate fails (an open or failed blocker)"
    )
    check.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format"
    )
    check.set_defaults(func=run_report_check)


def run_report_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.report.check import REPORTERS, check_report
    from meshkb.report.data import parse_report

    checklists = load_every(args)
    name = "<stdin>" if args.file == "-" else args.file
    report = parse_report(read_input(args.file), name, checklists)
    result = check_report(checklists[report.checklist], report, name)
    out.write(REPORTERS[args.format](result, out))
    return EXIT_FAILED if args.gate and not result.score.gate else EXIT_OK
