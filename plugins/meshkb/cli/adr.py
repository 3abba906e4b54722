"""`meshkb adr new TITLE`: an architecture decision record (MADR 4.0) that cites meshkb."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from meshkb.cli.common import subcommands
from meshkb.cli.links import resolver as make_resolver
from meshkb.cli.links import site_options
from meshkb.core.errors import EXIT_OK, MeshkbError, Problem

if TYPE_CHECKING:
    from meshkb.adr import ReviewEvidence
    from meshkb.site.links import Resolver

ADR_DIR_FILE = ".adr-dir"
"""adr-tools' file naming the ADR folder; honoured when present."""
DEFAULT_ADR_DIR = "docs/adr"


def register(commands: Any) -> None:
    adr = commands.add_parser(
        "adr",
        help="architecture decision records that cite meshkb",
        description="Architecture decision records (MADR 4.0) that cite meshkb.",
    )
    adr_commands = subcommands(adr, "adr_command", required=True)
    new = adr_commands.add_parser(
        "new",
        help="write a new ADR in MADR 4.0 form",
        description=(
            "Write NNNN-slug.md (the next number in the folder) in MADR 4.0 form, with links to "
            "the meshkb pages; with --report, the Confirmation section summarises a filled "
            "report. Never overwrites a file; prints the path written."
        ),
    )
    new.add_argument("title", metavar="TITLE", help='e.g. "Adopt Linkerd for mTLS"')
    new.add_argument(
        "--dir",
        metavar="DIR",
        help=f"the ADR folder (default: the folder named in {ADR_DIR_FILE}, else {DEFAULT_ADR_DIR}; created when missing)",
    )
    new.add_argument("--report", metavar="FILE", help="a filled meshkb report for Confirmation")
    new.add_argument(
        "--status", default="proposed", help="proposed (default), accepted, rejected, deprecated"
    )
    new.add_argument("--date", help="YYYY-MM-DD (default: today)")
    new.add_argument(
        "--force",
        action="store_true",
        help="write --status accepted even while the --report's gate fails",
    )
    for flag, what in (
        ("--deciders", "decision-makers"),
        ("--consulted", "people consulted"),
        ("--informed", "people informed"),
    ):
        new.add_argument(
            flag,
            action="append",
            default=[],
            metavar="NAMES",
            help=f"{what}: comma-separated, repeatable",
        )
    site_options(new)
    new.set_defaults(func=run_adr_new)


def run_adr_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import datetime

    from meshkb import adr
    from meshkb.core.files import write_atomic

    title = adr.check_title(args.title)
    resolver = make_resolver(args, err)
    folder = Path(args.dir or _default_dir())
    if folder.exists() and not folder.is_dir():
        raise MeshkbError(Problem(str(folder), "is not a folder"))
    status = adr.check_status(args.status)
    evidence = _evidence(args.report, resolver, folder) if args.report else None
    if evidence is not None and status == "accepted":
        _check_gate(evidence, args.force, err)
    meta = adr.AdrMeta(
        title=title,
        status=status,
        date=_check_date(args.date) if args.date else datetime.date.today().isoformat(),
        decision_makers=_names(args.deciders),
        consulted=_names(args.consulted),
        informed=_names(args.informed),
    )
    names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    path = folder / adr.file_name(adr.next_number(names), title)
    text = adr.render_adr(meta, resolver, evidence)
    if not folder.is_dir():
        folder.mkdir(parents=True)
        err.write(f"meshkb: created folder {folder}\n")
    try:
        write_atomic(path, text)
    except MeshkbError:
        if not path.exists():
            raise
        raise MeshkbError(
            Problem(
                str(path),
                "appeared while the ADR was being written (another ADR took this number?); it was left untouched: run the command again",
            )
        ) from None
    out.write(f"{path}\n")
    return EXIT_OK


def _default_dir() -> str:
    marker = Path(ADR_DIR_FILE)
    if marker.is_file():
        named = marker.read_text(encoding="utf-8").strip()
        if named:
            return named
    return DEFAULT_ADR_DIR


def _evidence(report_file: str, resolver: Resolver, folder: Path) -> ReviewEvidence:
    from meshkb.adr import ReviewEvidence
    from meshkb.core.files import read_text
    from meshkb.report.data import parse_report

    if report_file == "-":
        raise MeshkbError("adr new: --report needs a file the ADR can link to, not stdin")
    report = parse_report(read_text(report_file), report_file, resolver.checklists)
    relative = os.path.relpath(Path(report_file).resolve(), folder.resolve())
    return ReviewEvidence(
        checklist=resolver.checklists[report.checklist],
        report=report,
        link_path=Path(relative).as_posix(),
        command_path=Path(report_file).as_posix(),
    )


def _check_gate(evidence: ReviewEvidence, force: bool, err: TextIO) -> None:
    """An accepted decision whose review gate fails: refused, or with --force, said so."""
    from meshkb.core.score import score

    result = score(evidence.checklist, evidence.report)
    if result.gate:
        return
    why = (
        f"the gate of {evidence.command_path} is not passed "
        f"(open or failed blockers: {', '.join(result.blocking)})"
    )
    if not force:
        raise MeshkbError(
            f"adr new: --status accepted, but {why}; finish the review, write the ADR as "
            "proposed, or pass --force to record the decision as accepted anyway (nothing was written)"
        )
    err.write(f"meshkb: warning: accepted with --force although {why}\n")


def _names(values: list[str]) -> tuple[str, ...]:
    return tuple(name.strip() for value in values for name in value.split(",") if name.strip())


def _check_date(value: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise MeshkbError(f"adr new: --date {value!r} is not a date like 2026-11-25") from None
