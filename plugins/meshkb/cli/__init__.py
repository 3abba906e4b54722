"""The `meshkb` command: one command table and one error boundary.

Exit codes (see `core.errors`): 0 ok, 1 a gate or check failed, 2 bad input or usage.
Data goes to stdout, messages to stderr. Each command is a module with `register`,
which adds its subparser, and a function that does the work; heavy modules load inside
the commands that need them. The `register` functions are argparse declarations and look
alike (`duplicates` pairs them by shape); what they share is in `cli.common`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NoReturn, TextIO

from meshkb import __version__
from meshkb.cli import adr, checklist, completion, cost, facts, links, report, scan, site, validate
from meshkb.cli.common import Parser
from meshkb.core.errors import EXIT_OK, EXIT_USAGE, MeshkbError, Problem
from meshkb.core.files import os_problem
from meshkb.core.terminal import one_line, visible

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
    """Run one command. The one error boundary: bad input, an operating-system error, a
    closed or full stdout, Ctrl-C and `kill` each end in one line on stderr, never a
    traceback."""
    err: TextIO = stderr or sys.stderr or open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    raw = sys.stdout if stdout is None else stdout
    out = Output(raw, "<stdout>") if raw is not None else None
    try:
        with _terminate_as_interrupt():
            arguments = list(sys.argv[1:] if argv is None else argv)
            _check_arguments(arguments)
            if out is None:
                raise MeshkbError(
                    Problem("<stdout>", "standard output is closed (use >/dev/null to discard it)")
                )
            parser = build_parser()
            args = parser.parse_args(arguments)
            if not getattr(args, "func", None):
                parser.print_help(out)
                return EXIT_USAGE
            code: int = args.func(args, out, err)
            out.flush()
            return code
    except MeshkbError as exc:
        for problem in exc.problems:
            err.write(f"meshkb: error: {one_line(str(problem))}\n")
        _quiet(raw)
        return EXIT_USAGE
    except (KeyboardInterrupt, Terminated) as exc:
        err.write(
            "meshkb: interrupted\n" if isinstance(exc, KeyboardInterrupt) else f"meshkb: {exc}\n"
        )
        _quiet(raw)
        return 128 + exc.signum if isinstance(exc, Terminated) else 130
    except BrokenPipeError:
        _quiet(raw)
        return EXIT_OK
    except OSError as exc:
        # Every other operating-system error: the path (when there is one) and the reason.
        name = exc.filename if isinstance(exc.filename, str) else ""
        err.write(
            f"meshkb: error: {one_line(str(os_problem(name, exc, 'cannot read or write')))}\n"
        )
        _quiet(raw)
        return EXIT_USAGE


def run() -> NoReturn:
    """The `meshkb` program: `main()`, then an exit that skips freeing the heap object by
    object (mypy's `hard_exit` does the same). After a scan of 10,000 resources that
    teardown took about 0.2 s, once the output was already written.

    Only for the process's own entry points (the console script, `python -m meshkb`):
    `main()` itself returns, for callers that run it in-process.
    """
    code = main()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)  # let the interpreter's own exit deal with a stream that cannot flush
    os._exit(code)


class Output:
    """stdout for the commands: a write that fails (a full disk, `>/dev/full`) is a
    `MeshkbError` naming the stream, not a traceback."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self.stream = stream
        self.name = name

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise MeshkbError(os_problem(self.name, exc, "cannot write")) from None

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise MeshkbError(os_problem(self.name, exc, "cannot write")) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _quiet(stream: TextIO | None) -> None:
    """After a failed write to the real stdout, point it at /dev/null: the interpreter's
    own flush at exit would otherwise print a traceback of the same error."""
    if stream is None or stream is not sys.stdout:
        return
    try:
        stream.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


def _check_arguments(arguments: Sequence[str]) -> None:
    """Arguments are UTF-8: one that is not (a lone surrogate from undecodable bytes)
    would end up in a report or a message that cannot be written."""
    for number, argument in enumerate(arguments, 1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            raise MeshkbError(
                f"argument {number} ({visible(argument)}) is not valid UTF-8; meshkb takes "
                "UTF-8 text and file names"
            ) from None


class Terminated(Exception):
    """SIGTERM or SIGHUP, raised so that the cleanups on the way out run."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into `Terminated` while the command runs (main thread
    only), so a `kill` or a closed terminal ends like Ctrl-C: files whole, no temp file."""

    def stop(signum: int, frame: object) -> None:
        raise Terminated(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            try:
                previous[number] = signal.signal(number, stop)
            except ValueError:  # not the main thread: signals are the main thread's
                break
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
