"""Shared fixtures: the repo, the real checklists, and an in-process CLI runner."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from meshkb.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHECKLISTS = ROOT / "checklists"
CASES = ROOT / "tests" / "cases"
MANIFESTS = ROOT / "tests" / "fixtures" / "manifests"
"""Real manifests of public sample apps (see its SOURCES.md for origin and licence)."""

BESIDE = str(ROOT.parent) + os.sep
INSIDE = str(ROOT) + os.sep
ALLOWED = tuple(
    str(Path(place).resolve()) + os.sep
    for place in {tempfile.gettempdir(), sys.prefix, sys.base_prefix, sys.exec_prefix}
)
"""The interpreter, its venv and the temporary folder may lie beside the checkout (a
worktree's venv, a clone in /tmp); reads there are the machine's, not the project's."""
EXEMPT = tuple(place for place in ALLOWED if place.startswith(BESIDE))
WATCHING = BESIDE not in ALLOWED
"""False only when the checkout's parent is itself the temporary folder or a prefix."""
OUTSIDE_READS: list[str] = []
"""Paths beside the repository that the tests or the code opened or listed: a user's clone
has nothing beside it, so any of these fails the run (see pytest_sessionfinish)."""


def _watch_reads(event: str, args: tuple[object, ...]) -> None:
    if event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    path = args[0]
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        return
    full = os.path.abspath(path)
    if (
        full.startswith(BESIDE)
        and not (full + os.sep).startswith(INSIDE)
        and not any((full + os.sep).startswith(place) for place in EXEMPT)
    ):
        OUTSIDE_READS.append(full)


if WATCHING:
    sys.addaudithook(_watch_reads)


@dataclass
class Run:
    code: int
    out: str
    err: str


PREVIEW_NOTE = "meshkb: note: links point at a local preview"
"""How meshkb says, once per command, that links point at 127.0.0.1 (no published URL set)."""


def without_preview_note(err: str) -> str:
    """stderr without the local-preview note, for tests about everything else."""
    return "".join(line for line in err.splitlines(True) if not line.startswith(PREVIEW_NOTE))


def run_cli(*argv: str) -> Run:
    """Run `meshkb` in-process and capture exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/goldens/ from the current outputs (review the diff)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run test_parallel.py first, while this process has no other threads or children.

    meshkb never forks a process that runs threads (the child could inherit a lock held
    by another thread), and those tests check that no child is left behind. The browser
    tests keep an HTTP server thread and a browser for the rest of the session.
    """
    items.sort(key=lambda item: item.path.name != "test_parallel.py")  # stable: order kept


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test fails the run: a skipped browser test proves nothing. Any run
    fails when something read a path beside the repository."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if OUTSIDE_READS and reporter is not None:
        reporter.write_line(
            f"{len(OUTSIDE_READS)} read(s) outside the repository, e.g. {OUTSIDE_READS[0]}",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get("CI") and skipped:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; skips are not allowed in CI", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
