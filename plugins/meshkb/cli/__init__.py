"""The `meshkb` command: one command table and one error boundary.

Exit codes (see `core.errors`): 0 ok, 1 a gate or check failed, 2 bad input or usage.
Data goes to stdout, messages to stderr. Each command is a module with `register`,
which adds its subparser, and a function that does the work; heavy modules load inside
the commands that need them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from meshkb import __version__
from meshkb.cli import adr, checklist, completion, cost, facts, links, report, scan, site, validate
from meshkb.cli.common import Parser
from meshkb.core.errors import EXIT_OK, EXIT_USAGE, MeshkbError

COMMANDS = (checklist, report, validate, scan, cost, links, adr, facts, site, completion)
"""Every command module, in the order `--help` lists them."""


def build_parser() -> Parser:
    parser = Parser(
        prog="meshkb",
        description="Service-mesh decision checklists: export, check, validate, scan, cite.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"meshkb {__version__}")
    _global_options(parser, default=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(commands)
    for leaf in _leaf_parsers(parser):
        # Also after the subcommand (`meshkb report check --checklists team r.md`, as a
        # pre-commit hook's args put them); given there, they win.
        _global_options(leaf, default=argparse.SUPPRESS)
    return parser


def _global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--checklists",
        metavar="DIR",
        action="append",
        default=default,
        help="a folder of the team's own checklists, used beside the built-in ones (repeatable; default: $MESHKB_CHECKLISTS)",
    )
    parser.add_argument(
        "--no-builtin",
        action="store_true",
        default=default if default is not None else False,
        help="use only the team's checklists, not the ones shipped with meshkb",
    )


def _leaf_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers that run a command: those with no subcommands of their own."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        return [parser]
    return [
        leaf for group in groups for sub in group.choices.values() for leaf in _leaf_parsers(sub)
    ]


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        parser = build_parser()
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if not getattr(args, "func", None):
            parser.print_help(out)
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
