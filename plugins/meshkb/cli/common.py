"""What every command shares: the parser class, finding checklists, reading and writing."""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from meshkb.cli.width import columns
from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.model import Checklist


class Formatter(argparse.HelpFormatter):
    """argparse's help formatter, asking the terminal's width once per run.

    argparse makes a formatter for every `add_argument` (to check its metavar), and each
    asked the terminal for its size (importing shutil): about 150 times while the command
    table is built. The width is argparse's rule, the terminal's columns less 2.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or columns() - 2)


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise MeshkbError(f"{self.prog}: {_shortened(message)} (see {self.prog} --help)")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own message, with the nearest choices named.
        choices = action.choices
        if choices is not None and value not in choices:
            from meshkb.core.suggest import did_you_mean

            names = [str(choice) for choice in choices]
            raise argparse.ArgumentError(
                action,
                f"invalid choice: {value!r} (choose from {', '.join(names)})"
                + did_you_mean(str(value), names),
            )


_LONG_QUOTE = re.compile(r"'([^']{60})[^']{20,}'")


def _shortened(message: str) -> str:
    """argparse quotes what it refuses; a 5,000-digit number is quoted by its start."""
    return _LONG_QUOTE.sub(
        lambda m: f"'{m.group(1)}…' ({len(m.group(0)) - 2:,} characters)", message
    )


def subcommands(parser: argparse.ArgumentParser, dest: str, **kwargs: Any) -> Any:
    """A subparsers group whose parsers report errors like `Parser`."""
    return parser.add_subparsers(dest=dest, metavar="SUBCOMMAND", parser_class=Parser, **kwargs)


def checklist_dirs(args: argparse.Namespace) -> list[Path]:
    """The built-in checklists and the team's (--checklists, $MESHKB_CHECKLISTS)."""
    from meshkb.core.load import checklist_directories

    return checklist_directories(args.checklists or (), builtin=not args.no_builtin)


def load_named(args: argparse.Namespace, name: str) -> Checklist:
    from meshkb.core.load import find_checklist, load_checklist

    return load_checklist(find_checklist(name, checklist_dirs(args)))


def load_every(args: argparse.Namespace) -> dict[str, Checklist]:
    """Every checklist, built-in and team, with the rules that span files across both."""
    from meshkb.core.load import all_checklist_files, load_all

    return {c.id: c for c in load_all(all_checklist_files(checklist_dirs(args)))}


def stdin_bytes() -> BinaryIO:
    """Standard input as bytes, or one line of error when it is closed (`<&-`)."""
    if sys.stdin is None:
        raise MeshkbError(Problem("<stdin>", "standard input is closed"))
    return sys.stdin.buffer


def stdin_text() -> TextIO:
    """Standard input as text (for answering in the terminal), or an error when closed."""
    if sys.stdin is None:
        raise MeshkbError(Problem("<stdin>", "standard input is closed"))
    return sys.stdin


def read_input(path: str) -> str:
    """Read a file argument ('-' is stdin) with the same checks as every file."""
    from meshkb.core.files import MAX_BYTES, decode_text, read_text

    if path == "-":
        raw = stdin_bytes().read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise MeshkbError(
                Problem("<stdin>", f"input is too large (the limit is {MAX_BYTES // 2**20} MiB)")
            )
        return decode_text(raw, "<stdin>")
    return read_text(path)


def emit(text: str, args: argparse.Namespace, out: TextIO) -> None:
    """Print to stdout, or write atomically to -o FILE (never over a file without --force)."""
    if getattr(args, "output", None):
        from meshkb.core.files import write_atomic

        write_atomic(args.output, text, force=args.force)
    else:
        out.write(text)


def today() -> str:
    return datetime.date.today().isoformat()
