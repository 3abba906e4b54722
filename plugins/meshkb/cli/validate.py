"""`meshkb validate [PATH...]`: checklists against the schema and the cross-file rules."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from meshkb.cli.common import checklists_dir
from meshkb.core.errors import EXIT_OK, MeshkbError, Problem


def register(commands: Any) -> None:
    validate = commands.add_parser(
        "validate",
        help="validate checklist files",
        description="Validate checklists against the schema and the cross-file rules; one problem per line.",
    )
    validate.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: the checklists folder)"
    )
    validate.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.core.load import checklist_files, load_all

    paths: list[Path] = []
    for raw in args.paths or [str(checklists_dir(args))]:
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
