"""Nothing the tests or the code read lies beside the repository (conftest's audit hook)."""

from __future__ import annotations

import contextlib
import os

from .conftest import OUTSIDE_READS, ROOT


def test_a_read_beside_the_repository_is_caught() -> None:
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
