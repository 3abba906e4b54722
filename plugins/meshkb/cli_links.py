"""`meshkb link ID` and `meshkb adr new TITLE`: thin adapters over links.py and adr.py."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import EXIT_OK, MeshkbError, Problem

if TYPE_CHECKING:
    from .adr import Evidence
    from .links import Resolver
    from .site_source import SiteConfig

ENV_SITE_URL = "MESHKB_SITE_URL"
"""Overrides `site_url` from mkdocs.yml, e.g. for the published address."""
ADR_DIR_FILE = ".adr-dir"
"""adr-tools' file naming the ADR folder; honoured when present."""
DEFAULT_ADR_DIR = "docs/adr"


def register(subparsers: Any) -> None:
    link = subparsers.add_parser(
        "link",
        help="the stable URL, versioned citation and Markdown link for an ID",
        description=(
            "Print the stable URL, the versioned citation and a ready Markdown link for an item "
            "(MIG-0003), a checklist (migration), a page section (migrate#bypass-runbook) or a "
            "citation (meshkb:migration@1.0.0#MIG-0003)."
        ),
    )
    link.add_argument("id", metavar="ID", help="item, checklist, page[#anchor] or meshkb: citation")
    link.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format"
    )
    site_options(link)
    link.set_defaults(func=run_link)

    adr = subparsers.add_parser(
        "adr",
        help="architecture decision records that cite meshkb",
        description="Architecture decision records (MADR 4.0) that cite meshkb.",
    )
    adr_commands = adr.add_subparsers(
        dest="adr_command", metavar="SUBCOMMAND", parser_class=type(adr), required=True
    )
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


def site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="meshkb's mkdocs.yml, for site_url and the docs (default: the one beside the checklists folder)",
    )
    parser.add_argument(
        "--site-url",
        metavar="URL",
        help=f"base URL of the published site (default: ${ENV_SITE_URL}, else site_url in mkdocs.yml)",
    )


def _resolver(args: argparse.Namespace) -> Resolver:
    from .cli import load_every
    from .links import Resolver

    return Resolver(site_config(args), load_every(args))


def site_config(args: argparse.Namespace) -> SiteConfig:
    """mkdocs.yml beside the checklists (or --config), with --site-url / $MESHKB_SITE_URL."""
    from .load import find_directory
    from .site_source import find_config, read_site_config

    near = [find_directory(args.checklists).resolve().parent]
    config = find_config(args.config, near)
    return read_site_config(config, args.site_url or os.environ.get(ENV_SITE_URL) or None)


def run_link(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    link = _resolver(args).resolve(args.id)
    for note in link.notes:
        err.write(f"meshkb: note: {note}\n")
    if args.format == "json":
        import json

        out.write(json.dumps(link.to_data(), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    rows = [("url", link.url)]
    if link.anchor_url:
        rows.append(("page", link.anchor_url))
    if link.citation:
        rows.append(("citation", link.citation))
    rows.append(("markdown", link.markdown))
    out.write(f"{link.title}\n")
    out.writelines(f"  {name + ':':<10} {value}\n" for name, value in rows)
    return EXIT_OK


def run_adr_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import datetime

    from . import adr
    from .fsutil import write_atomic

    title = adr.check_title(args.title)
    resolver = _resolver(args)
    folder = Path(args.dir or _default_dir())
    if folder.exists() and not folder.is_dir():
        raise MeshkbError(Problem(str(folder), "is not a folder"))
    evidence = _evidence(args.report, resolver, folder) if args.report else None
    meta = adr.AdrMeta(
        title=title,
        status=adr.check_status(args.status),
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


def _evidence(report_file: str, resolver: Resolver, folder: Path) -> Evidence:
    from .adr import Evidence
    from .report import parse_report
    from .yamlload import read_text

    if report_file == "-":
        raise MeshkbError("adr new: --report needs a file the ADR can link to, not stdin")
    report = parse_report(read_text(report_file), report_file, resolver.checklists)
    relative = os.path.relpath(Path(report_file).resolve(), folder.resolve())
    return Evidence(
        checklist=resolver.checklists[report.checklist],
        report=report,
        link_path=Path(relative).as_posix(),
        command_path=Path(report_file).as_posix(),
    )


def _names(values: list[str]) -> tuple[str, ...]:
    return tuple(name.strip() for value in values for name in value.split(",") if name.strip())


def _check_date(value: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise MeshkbError(f"adr new: --date {value!r} is not a date like 2026-11-25") from None
