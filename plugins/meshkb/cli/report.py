"""`meshkb report check FILE`: progress, gate and outcomes of a filled report."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from meshkb.cli.common import load_every, read_input, subcommands
from meshkb.core.errors import EXIT_FAILED, EXIT_OK, MeshkbError
from meshkb.core.terminal import visible


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
    fmt = report_commands.add_parser(
        "fmt",
        help="rewrite reports in canonical form, with fresh summary and gate lines",
        description=(
            "Rewrite each hand-edited report (Markdown, JSON or YAML, kept in its form) as "
            "meshkb writes it: items in checklist order, fields normalized, and the summary "
            "table and the gate and outcome lines computed again. Every report is read "
            "before any is written; a file is replaced atomically, and only when its "
            "answers read back the same. '-' reads stdin and prints the result."
        ),
    )
    fmt.add_argument("files", nargs="+", metavar="FILE", help="the reports ('-' for stdin)")
    fmt.add_argument(
        "--check",
        action="store_true",
        help="change nothing; name each file that would change and exit 1 if any would",
    )
    fmt.set_defaults(func=run_report_fmt)


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
            out.write(("\n" if index else "") + f"== {visible(result.file)} ==\n")
        out.write(REPORTERS[args.format](result, out))
    failed = [result.file for result in results if not result.gate]
    if several and args.gate:
        for file in failed:
            err.write(f"meshkb: {visible(file)}: gate not passed\n")
    return EXIT_FAILED if args.gate and failed else EXIT_OK


def run_report_fmt(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Canonical form for each report: all are read and checked before one is written."""
    from pathlib import Path

    from meshkb.core.errors import Problem
    from meshkb.core.files import write_atomic
    from meshkb.core.terminal import color
    from meshkb.report.build import normalize
    from meshkb.report.data import parse_report, render_report, report_format

    if "-" in args.files and len(args.files) > 1:
        raise MeshkbError("report fmt: '-' (stdin) takes no other FILE")
    checklists = load_every(args)
    planned: list[tuple[str, str, bool]] = []
    for file in args.files:
        name = "<stdin>" if file == "-" else file
        text = read_input(file)
        report = parse_report(text, name, checklists)
        checklist = checklists[report.checklist]
        rendered = render_report(checklist, report, report_format(name, text))
        # What is written must say what the file said: read it back before writing.
        again = parse_report(rendered, name, checklists)
        if normalize(checklist, again) != normalize(checklist, report):
            raise MeshkbError(
                Problem(name, "its canonical form would read differently; nothing was written")
            )
        if file == "-":
            out.write(rendered)
            return EXIT_OK
        planned.append((file, rendered, Path(file).read_bytes() != rendered.encode("utf-8")))
    changed = [(file, text) for file, text, differs in planned if differs]
    if args.check:
        for file, _ in changed:
            err.write(f"meshkb: {file}: {color('would be reformatted', '33', err)}\n")
        return EXIT_FAILED if changed else EXIT_OK
    for file, text in changed:
        write_atomic(file, text, force=True)
        err.write(f"meshkb: reformatted {file}\n")
    return EXIT_OK
