"""The `meshkb` command: argument parsing and one error boundary.

Exit codes (see errors.py): 0 ok, 1 a gate or check failed, 2 bad input or usage.
Data goes to stdout, messages to stderr. Heavy modules load inside the commands
that need them, so `meshkb checklist NAME` starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from .errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, MeshkbError, Problem
from .model import DATAPLANES, MESHES, Answer, Checklist, Report

if TYPE_CHECKING:
    from .score import Score

FORMATS = ("md", "json", "yaml", "junit")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise MeshkbError(f"{self.prog}: {message} (see --help)")


CORE_COMMANDS = ("checklist", "report", "validate")


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv`, skipping global options and their values."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--checklists":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that core command (building all costs ~10 ms)."""
    parser = _Parser(
        prog="meshkb",
        description="Service-mesh decision checklists: export, check, validate, cite.",
    )
    parser.add_argument("--version", action="version", version=f"meshkb {__version__}")
    parser.add_argument(
        "--checklists",
        metavar="DIR",
        help="folder of checklist YAML files (default: $MESHKB_CHECKLISTS, ./checklists, the source tree)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    if only in (None, "checklist"):
        _add_checklist(commands)
    if only in (None, "report"):
        _add_report(commands)
    if only in (None, "validate"):
        _add_validate(commands)
    if only not in CORE_COMMANDS:
        for extension in _extensions():
            extension(commands)
    return parser


def _add_checklist(commands: Any) -> None:
    checklist = commands.add_parser(
        "checklist",
        help="list the checklists, or export one as a fill-in report",
        description="`meshkb checklist list` lists the checklists; `meshkb checklist NAME` prints NAME's fill-in report.",
    )
    checklist.add_argument(
        "name", metavar="NAME|list", help="a checklist ID (e.g. migration), or 'list'"
    )
    checklist.add_argument(
        "--format", "-f", choices=FORMATS, default="md", help="report format (default: md)"
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
    checklist.set_defaults(func=cmd_checklist)


def _add_report(commands: Any) -> None:
    report = commands.add_parser("report", help="work with filled reports")
    report_commands = report.add_subparsers(
        dest="report_command", metavar="SUBCOMMAND", parser_class=_Parser, required=True
    )
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
    check.set_defaults(func=cmd_report_check)


def _add_validate(commands: Any) -> None:
    validate = commands.add_parser(
        "validate",
        help="validate checklist files",
        description="Validate checklists against the schema and the cross-file rules; one problem per line.",
    )
    validate.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: the checklists folder)"
    )
    validate.set_defaults(func=cmd_validate)


def _extensions() -> list[Callable[[Any], None]]:
    """Commands that live in their own modules, each with `register(subparsers)`."""
    from . import cli_extra

    return list(cli_extra.REGISTRARS)


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        command = requested_command(argv)
        args = build_parser(command if command in CORE_COMMANDS else None).parse_args(argv)
        if not getattr(args, "func", None):
            build_parser().print_help(out)
            return EXIT_USAGE
        code: int = args.func(args, out, err)
        return code
    except MeshkbError as exc:
        for problem in exc.problems:
            err.write(f"meshkb: error: {problem}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("meshkb: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


def color(text: str, code: str, stream: TextIO) -> str:
    """ANSI colour only for a terminal and when NO_COLOR is unset (no-color.org)."""
    if os.environ.get("NO_COLOR") or not getattr(stream, "isatty", lambda: False)():
        return text
    return f"\033[{code}m{text}\033[0m"


def _checklists_dir(args: argparse.Namespace) -> Path:
    from .load import find_directory

    return find_directory(args.checklists)


def load_named(args: argparse.Namespace, name: str) -> Checklist:
    from .load import find_checklist, load_checklist

    return load_checklist(find_checklist(name, _checklists_dir(args)))


def load_every(args: argparse.Namespace) -> dict[str, Checklist]:
    from .load import checklist_files, load_all

    directory = _checklists_dir(args)
    return {c.id: c for c in load_all(checklist_files(directory))}


def read_input(path: str) -> str:
    """Read a file argument ('-' is stdin) with the same checks as every file."""
    from .yamlload import decode_text, read_text

    if path == "-":
        return decode_text(sys.stdin.buffer.read(), "<stdin>")
    return read_text(path)


def emit(text: str, args: argparse.Namespace, out: TextIO) -> None:
    """Print to stdout, or write atomically to -o FILE (never over a file without --force)."""
    if getattr(args, "output", None):
        from .fsutil import write_atomic

        write_atomic(args.output, text, force=args.force)
    else:
        out.write(text)


def render(checklist: Checklist, report: Report, fmt: str) -> str:
    from . import report as reports

    renderers = {
        "md": reports.render_markdown,
        "json": reports.render_json,
        "yaml": reports.render_yaml,
        "junit": reports.render_junit,
    }
    return renderers[fmt](checklist, report)


def cmd_checklist(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.name == "list":
        return _list(args, out)
    from . import report as reports

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
        carry = reports.parse_report(
            read_input(args.from_report), args.from_report, {checklist.id: checklist}
        )
    mesh = args.mesh or (carry.mesh if carry else "")
    dataplane = args.dataplane or (carry.dataplane if carry else "")
    report = reports.new_report(
        checklist,
        system=args.system or (carry.system if carry else ""),
        mesh=mesh,
        dataplane=dataplane,
        date=args.date if args.date is not None else _today(),
        reviewers=args.reviewer or (carry.reviewers if carry else ()),
        carry=carry,
    )
    if args.scan:
        from .cli_extra import prefill_from_scan

        report = prefill_from_scan(checklist, report, args.scan, err)
    if args.interactive:
        from .interactive import run_interactive

        return run_interactive(checklist, report, Path(args.output), sys.stdin, err)
    emit(render(checklist, report, args.format), args, out)
    return EXIT_OK


def _today() -> str:
    import datetime

    return datetime.date.today().isoformat()


def _list(args: argparse.Namespace, out: TextIO) -> int:
    checklists = load_every(args)
    out.write(f"{'ID':<11} {'PREFIX':<6} {'VERSION':<8} {'ITEMS':>5}  TITLE\n")
    for checklist in checklists.values():
        out.write(
            f"{checklist.id:<11} {checklist.prefix:<6} {checklist.version:<8} {len(checklist.active_items()):>5}  {checklist.title}\n"
        )
    return EXIT_OK


def cmd_report_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from . import report as reports
    from .score import score, score_to_data

    checklists = load_every(args)
    name = "<stdin>" if args.file == "-" else args.file
    report = reports.parse_report(read_input(args.file), name, checklists)
    checklist = checklists[report.checklist]
    result = score(checklist, report)
    items = checklist.item_by_id()
    retired = [a for a in report.answers if items[a.id].retired]
    if args.format == "json":
        import json

        data = {
            "file": name,
            "checklist": checklist.id,
            "checklist_version": checklist.version,
            "report_version": report.checklist_version,
            **score_to_data(result),
            "retired": {a.id: items[a.id].replaced_by or "" for a in retired},
        }
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        _print_check(checklist, report, result, retired, out)
    return EXIT_FAILED if args.gate and not result.gate else EXIT_OK


def _print_check(
    checklist: Checklist, report: Report, result: Score, retired: list[Answer], out: TextIO
) -> None:
    head = f"{checklist.title} {checklist.version}"
    if report.checklist_version != checklist.version:
        head += f" (report made from {report.checklist_version})"
    out.write(head + (f" — {report.system}" if report.system else "") + "\n\n")
    for p in result.progress:
        out.write(
            f"  {p.severity:<12} {p.done:>3} of {p.total:<3} done   open {p.counts['open']}, failed {p.counts['fail']}, n/a {p.counts['na']}, waived {p.counts['waived']}\n"
        )
    answers = report.answer_by_id()
    titles = {item.id: item.title for item in checklist.all_items()}
    groups = [
        ("failed", [i for i, s in result.states.items() if s == "fail"]),
        (
            "open",
            [
                i
                for i, s in result.states.items()
                if s == "open" and i not in result.reverify and i not in result.unconfirmed
            ],
        ),
        ("re-verify (item changed since answered)", list(result.reverify)),
        ("to confirm (set by a probe)", list(result.unconfirmed)),
        ("waived", [i for i, s in result.states.items() if s == "waived"]),
    ]
    for label, ids in groups:
        if ids:
            out.write(f"\n{label.capitalize()}:\n")
            for item_id in ids:
                extra = ""
                if label == "waived":
                    extra = f" — owner {answers[item_id].owner}: {answers[item_id].reason}"
                out.write(f"  {item_id}  {titles[item_id]}{extra}\n")
    if retired:
        out.write("\nRetired items answered in the report:\n")
        items = checklist.item_by_id()
        for answer in retired:
            item = items[answer.id]
            where = (
                f"replaced by {item.replaced_by}"
                if item.replaced_by
                else (item.reason or "retired")
            )
            out.write(f"  {item.id}  {item.title} — {where}\n")
    gate = color("passed", "32", out) if result.gate else color("NOT passed", "31", out)
    out.write(
        f"\nGate: {gate}"
        + ("" if result.gate else f" (open or failed blockers: {', '.join(result.blocking)})")
        + "\n"
    )
    for outcome in result.outcomes:
        out.write(f"{outcome.title}: {outcome.label} — {outcome.reason}\n")


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .load import checklist_files, load_all

    paths: list[Path] = []
    for raw in args.paths or [str(_checklists_dir(args))]:
        path = Path(raw)
        if path.is_dir():
            paths.extend(checklist_files(path))
        elif path.exists():
            paths.append(path)
        else:
            raise MeshkbError(Problem(raw, "no such file or folder"))
    checklists = load_all(paths)
    items = sum(len(c.active_items()) for c in checklists)
    err.write(f"meshkb: {len(checklists)} checklist(s), {items} items: valid\n")
    return EXIT_OK
