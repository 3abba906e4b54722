"""`meshkb validate [PATH...]`: checklists against the schema and the cross-file rules."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from meshkb.cli.common import checklist_dirs
from meshkb.core.errors import EXIT_OK, EXIT_USAGE, MeshkbError, Problem
from meshkb.core.model import Checklist


def register(commands: Any) -> None:
    validate = commands.add_parser(
        "validate",
        help="validate checklist files",
        description="Validate checklists against the schema and the cross-file rules; one problem per line.",
    )
    validate.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders, checked with the built-in and team checklists (default: those)",
    )
    validate.add_argument(
        "--format",
        "-f",
        choices=("text", "json"),
        default="text",
        help="text (problems on stderr) or json (the checklists or the problems on stdout)",
    )
    validate.add_argument(
        "--update-index",
        action="store_true",
        help="validate the built-in checklists and record them for a fast start (after editing them)",
    )
    validate.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.core.load import all_checklist_files, checklist_files, load_all

    if args.update_index:
        return _update_index(err)

    # Named files are checked together with every known checklist: the rules that span
    # files (prefixes, item IDs, replacements) hold across the built-in and team ones.
    directories = checklist_dirs(args)
    paths: list[Path] = all_checklist_files(directories)
    for raw in args.paths:
        path = Path(raw)
        if path.is_dir():
            found = checklist_files(path)
            if not found:
                # Nothing to check is not "valid": a wrong folder must not pass a CI step.
                raise MeshkbError(
                    Problem(raw, "no checklist files (*.yaml, *.yml): nothing to check")
                )
            paths.extend(found)
        elif path.exists():
            paths.append(path)
        else:
            raise MeshkbError(Problem(raw, "no such file or folder"))
    by_file = {path.resolve(): path for path in reversed(paths)}  # the first name given wins
    if not by_file:
        where = ", ".join(str(directory) for directory in directories)
        raise MeshkbError(Problem(where, "no checklist files (*.yaml, *.yml): nothing to check"))
    try:
        checklists = load_all(sorted(by_file.values(), key=paths.index), use_record=False)
    except MeshkbError as exc:
        if args.format == "json":
            _json(out, [], exc.problems)
            return EXIT_USAGE
        raise
    items = sum(len(c.active_items()) for c in checklists)
    if args.format == "json":
        _json(out, checklists, [])
        return EXIT_OK
    err.write(f"meshkb: {len(checklists)} checklist(s), {items} items: valid\n")
    return EXIT_OK


def _update_index(err: TextIO) -> int:
    """Validate the built-in checklists alone, then record them (`meshkb.core.validated`)."""
    from meshkb.core import validated
    from meshkb.core.files import read_text, write_atomic
    from meshkb.core.load import builtin_directory, checklist_files, load_all

    directory = builtin_directory()
    if directory is None:
        raise MeshkbError("no built-in checklists to record in this installation")
    files = checklist_files(directory)
    load_all(files, use_record=False)  # a problem in any of them: nothing is written
    record = validated.render_record((path.name, read_text(path)) for path in files)
    write_atomic(validated.RECORD, record, force=True)
    err.write(f"meshkb: wrote {validated.RECORD} ({len(files)} checklists)\n")
    return EXIT_OK


def _json(out: TextIO, checklists: list[Checklist], problems: list[Problem]) -> None:
    """`{"valid", "checklists", "problems"}`: what was checked, or each problem located."""
    import json

    data = {
        "valid": not problems,
        "checklists": [
            {"id": c.id, "file": c.source, "version": c.version, "items": len(c.active_items())}
            for c in checklists
        ],
        "problems": [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "path": p.path,
                "message": p.message,
                "text": str(p),
            }
            for p in problems
        ],
    }
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
