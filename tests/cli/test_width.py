"""`meshkb.cli.width.columns` gives what `shutil.get_terminal_size().columns` gives."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

PROBE = (
    "import shutil, sys; from meshkb.cli.width import columns; "
    "print(columns(), shutil.get_terminal_size().columns)"
)


def _env(columns: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    return env


@pytest.mark.parametrize("columns", [None, "120", "0", "-5", "wide", ""])
def test_same_as_shutil_on_a_pipe(columns: str | None) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=_env(columns), capture_output=True, text=True, check=True
    )
    ours, theirs = result.stdout.split()
    assert ours == theirs


@pytest.mark.parametrize("columns", [None, "95"])
def test_same_as_shutil_on_a_terminal(columns: str | None) -> None:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 133, 0, 0))
    try:
        subprocess.run(
            [sys.executable, "-c", PROBE], env=_env(columns), stdout=follower, check=True
        )
        output = os.read(leader, 1000).decode().split()
    finally:
        os.close(leader)
        os.close(follower)
    assert output[0] == output[1]
    assert output[0] == (columns or "133")


def test_help_reads_as_argparse_would_write_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from meshkb.cli import build_parser, common, width

    monkeypatch.setenv("COLUMNS", "61")
    width.columns.cache_clear()
    try:
        ours = build_parser()
        with monkeypatch.context() as patched:
            patched.setattr(common, "Formatter", argparse.HelpFormatter)
            plain = build_parser()
        assert ours.format_help() == plain.format_help()
        sub = ours._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        plain_sub = plain._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        assert [p.format_help() for p in sub.values()] == [
            p.format_help() for p in plain_sub.values()
        ]
        assert "--mesh" in sub["checklist"].format_help()
    finally:
        width.columns.cache_clear()
