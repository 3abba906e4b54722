"""`meshkb adr new TITLE`: an architecture decision record (MADR 4.0) that cites meshkb."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from meshkb.cli.common import subcommands
from meshkb.cli.links import resolver as make_resolver
from meshkb.cli.links import site_options
from meshkb.core.errors import EXIT_OK, MeshkbError, Problem
from meshkb.core.terminal import visible

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
    text = adr.render_adr(meta, resolver, evidence)
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True)
            err.write(f"meshkb: created folder {visible(str(folder))}\n")
        except FileExistsError:  # made meanwhile by another `adr new`
            if not folder.is_dir():
                raise MeshkbError(Problem(str(folder), "is not a folder")) from None
    with _numbering(folder):
        path = _write_next(folder, title, text, write_atomic)
    out.write(f"{visible(str(path))}\n")
    return EXIT_OK


NUMBER_TRIES = 20
"""Numbers tried when a file with the chosen name appears before it is written."""


def _write_next(folder: Path, title: str, text: str, write: Any) -> Path:
    """Write `text` as the next-numbered ADR; never over a file (the write is exclusive)."""
    from meshkb import adr

    for _ in range(NUMBER_TRIES):
        path = folder / adr.file_name(adr.next_number(p.name for p in folder.iterdir()), title)
        try:
            write(path, text)
        except MeshkbError:
            if not path.exists():
                raise
            continue  # another ADR took this number and name meanwhile: take the next
        return path
    raise MeshkbError(
        Problem(str(folder), f"no free ADR number after {NUMBER_TRIES} tries; nothing was written")
    )


@contextlib.contextmanager
def _numbering(folder: Path) -> Iterator[None]:
    """Hold the folder's lock while a number is chosen and its file written.

    Ten `adr new` runs at once then take ten numbers in turn: without the lock, each would
    see the same highest number and write its own `0001-...` (the names differ by title, so
    the exclusive write alone cannot tell). The lock (`flock` on the folder itself) ends
    with the process; where there is none (Windows, some network file systems), the
    exclusive write still never replaces a file.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


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
    from meshkb.report.check import check_report

    checked = check_report(evidence.checklist, evidence.report, evidence.command_path)
    if checked.gate:
        return
    why = f"the gate of {evidence.command_path} is not passed ({checked.gate_failures()})"
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
