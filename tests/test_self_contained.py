"""Nothing the tests or the code read lies beside the repository (conftest's audit hook)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .conftest import OUTSIDE_READS, ROOT, WATCHING


def test_the_checkout_is_watched_here() -> None:
    # Only a clone straight inside the temporary folder cannot be watched; CI clones into a
    # folder of its own, with shared/ beside it.
    assert WATCHING or str(ROOT.parent) == str(Path(tempfile.gettempdir()).resolve())


def test_a_read_beside_the_repository_is_caught() -> None:
    if not WATCHING:
        return
    before = len(OUTSIDE_READS)
    beside = ROOT.parent / "meshkb-test-nothing-here"
    with contextlib.suppress(OSError):
        beside.read_text(encoding="utf-8")
    with contextlib.suppress(OSError):
        os.listdir(beside)
    caught = OUTSIDE_READS[before:]
    del OUTSIDE_READS[before:]  # this test's own reads must not fail the run
    assert caught == [str(beside), str(beside)]


def test_reads_inside_the_repository_are_not() -> None:
    before = len(OUTSIDE_READS)
    (ROOT / "README.md").read_text(encoding="utf-8")
    os.listdir(ROOT / "tests")
    assert OUTSIDE_READS[before:] == []
