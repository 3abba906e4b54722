"""Hostile inputs, command by command, each in a real `meshkb` process.

Every case must end the same way: exit 2, exactly one line on stderr naming the path or
the option, no traceback, and nothing written or changed in the working folder (compared
as snapshots of every entry, hidden ones included) or to the system's /dev/null.

The cases use real files, FIFOs, devices, limits and closed streams. They hold as root (as
CI runs) and as anyone else: a read-only folder is /sys (where even root creates no file),
an unreadable path goes through a regular file (`plain/child`) or past PATH_MAX, and the
size limit is RLIMIT_FSIZE.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..conftest import ROOT

LONG_ID = "A" * 100_000
DIGITS = "9" * 5_000
SITE = ("--site-url", "https://meshkb.example.org/")
"""Links commands and `adr` print a note for the preview address; a published one has none."""
SURROGATE = os.fsdecode(b"\xff")
"""A lone surrogate: what Python makes of an argument byte that is not UTF-8."""


@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    """The arguments; `{w}` is the working folder."""
    says: str
    """What the one error line contains (after `meshkb: error: `)."""
    stdin: bytes | None = b""
    """What stdin holds; None closes it."""
    shell: str = ""
    """Shell redirections or limits around the command (`>&-`, `ulimit -f 1`)."""
    setup: Callable[[Path], None] = field(default=lambda work: None)


def fifo(name: str) -> Callable[[Path], None]:
    return lambda work: os.mkfifo(work / name)


def existing(name: str, text: str = "mine\n") -> Callable[[Path], None]:
    return lambda work: (work / name).write_text(text)


def folder_with(*names: str) -> Callable[[Path], None]:
    def make(work: Path) -> None:
        (work / "k8s").mkdir()
        for name in names:
            if name.endswith("|"):
                os.mkfifo(work / "k8s" / name[:-1])
            else:
                (work / "k8s" / name).write_text("# nothing\n")

    return make


def deep_folder(work: Path) -> None:
    """k8s/ whose only manifest lies past PATH_MAX: no one, root included, can list it."""
    (work / "k8s").mkdir()
    fd = os.open(work / "k8s", os.O_RDONLY)
    try:
        for _ in range(20):  # 20 names of 250 bytes: beyond the 4096 bytes of a path
            name = "d" * 250
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        made = os.open("svc.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(made, b"apiVersion: v1\nkind: Service\nmetadata: {name: a}\n")
        os.close(made)
    finally:
        os.close(fd)


def link_to_a_file(work: Path) -> None:
    (work / "real.md").write_text("mine\n")
    (work / "link.md").symlink_to(work / "real.md")


def report(work: Path, fmt: str = "md") -> None:
    made = subprocess.run(
        [sys.executable, "-c", RUN, "checklist", "migration", "--format", fmt],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    (work / f"r.{fmt}").write_bytes(made.stdout)


def json_report_with_a_long_number(work: Path) -> None:
    report(work, "json")
    text = (work / "r.json").read_text()
    (work / "r.json").write_text(text.replace('"rev": 1', f'"rev": {DIGITS}', 1))


RUN = "import sys; from meshkb.cli import main; sys.exit(main(sys.argv[1:]))"

CASES: dict[str, Case] = {
    # validate
    "validate: a missing file": Case(("validate", "{w}/nope.yaml"), "nope.yaml: no such file"),
    "validate: a path through a file": Case(
        ("validate", "{w}/plain/child.yaml"),
        "plain/child.yaml: no such file",
        setup=existing("plain"),
    ),
    "validate: a device": Case(("validate", "/dev/zero"), "/dev/zero: file is too large"),
    "validate: a 100,000-character name": Case(("validate", LONG_ID), "characters cut"),
    "validate: a lone surrogate": Case(("validate", SURROGATE), "is not valid UTF-8"),
    # checklist
    "checklist: -o /dev/null --force": Case(
        ("checklist", "migration", "-o", "/dev/null", "--force"),
        "/dev/null: is a character device, not a regular file",
    ),
    "checklist: -o a FIFO --force": Case(
        ("checklist", "migration", "-o", "{w}/pipe.md", "--force"),
        "pipe.md: is a FIFO (named pipe), not a regular file",
        setup=fifo("pipe.md"),
    ),
    "checklist: -o a link to stdout --force": Case(
        ("checklist", "migration", "-o", "{w}/out.md", "--force"),
        "out.md: is a symbolic link (to /proc/self/fd/1)",
        setup=lambda work: (work / "out.md").symlink_to("/proc/self/fd/1"),
    ),
    "checklist: -o a link to a regular file --force": Case(
        ("checklist", "migration", "-o", "{w}/link.md", "--force"),
        "link.md: is a symbolic link",
        setup=link_to_a_file,
    ),
    "checklist: -o an existing file": Case(
        ("checklist", "migration", "-o", "{w}/r.md"), "r.md: already exists", setup=existing("r.md")
    ),
    "checklist: -o a folder": Case(
        ("checklist", "migration", "-o", "{w}", "--force"), "is a directory"
    ),
    "checklist: -o through a file": Case(
        ("checklist", "migration", "-o", "{w}/plain/r.md"),
        "plain/r.md: cannot write: Not a directory",
        setup=existing("plain"),
    ),
    "checklist: -o in a missing folder": Case(
        ("checklist", "migration", "-o", "{w}/gone/r.md"), "folder '{w}/gone' does not exist"
    ),
    "checklist: -o in a read-only folder": Case(
        ("checklist", "migration", "-o", "/sys/meshkb-r.md"), "/sys/meshkb-r.md: cannot write:"
    ),
    "checklist: -o past the file-size limit": Case(
        ("checklist", "migration", "-o", "{w}/big.md"),
        "big.md: cannot write: File too large",
        shell="ulimit -f 1;",
    ),
    "checklist: closed stdout": Case(
        ("checklist", "migration"), "<stdout>: standard output is closed", shell=">&-"
    ),
    "checklist: a full stdout": Case(
        ("checklist", "migration"),
        "<stdout>: cannot write: No space left on device",
        shell=">/dev/full",
    ),
    "checklist: -i with stdin closed": Case(
        ("checklist", "migration", "-i", "-o", "{w}/r.md"),
        "<stdin>: standard input is closed",
        stdin=None,
    ),
    "checklist: -i -o /dev/null": Case(
        ("checklist", "migration", "-i", "-o", "/dev/null"), "/dev/null: is a character device"
    ),
    "checklist: --from a FIFO folder entry": Case(
        ("checklist", "migration", "--from", "{w}/plain/x.md"),
        "plain/x.md: cannot read: Not a directory",
        setup=existing("plain"),
    ),
    "checklist: a lone surrogate in --system": Case(
        ("checklist", "migration", "--system", f"ns{SURROGATE}", "-o", "{w}/r.md"),
        "argument 4 (ns\\udcff) is not valid UTF-8",
    ),
    "checklist: a 100,000-character name": Case(("checklist", LONG_ID), "characters cut"),
    # report check
    "report check: a missing file": Case(("report", "check", "{w}/no.md"), "no.md: no such file"),
    "report check: a folder": Case(("report", "check", "{w}"), "is a directory, not a file"),
    "report check: a device": Case(("report", "check", "/dev/zero"), "file is too large"),
    "report check: through a file": Case(
        ("report", "check", "{w}/plain/r.md"),
        "cannot read: Not a directory",
        setup=existing("plain"),
    ),
    "report check: closed stdin": Case(
        ("report", "check", "-"), "<stdin>: standard input is closed", stdin=None
    ),
    "report check: closed stdout": Case(
        ("report", "check", "{w}/r.md"), "standard output is closed", shell=">&-", setup=report
    ),
    "report check: a 5,000-digit number in JSON": Case(
        ("report", "check", "{w}/r.json"),
        "a number has more than 4,300 digits",
        setup=json_report_with_a_long_number,
    ),
    "report check: a 100,000-character name": Case(("report", "check", LONG_ID), "characters cut"),
    # scan
    "scan: empty stdin with --gate": Case(
        ("scan", "-", "--gate"), "<stdin>: is empty (no YAML document"
    ),
    "scan: an empty file": Case(
        ("scan", "{w}/e.yaml", "--gate"), "e.yaml: is empty", setup=existing("e.yaml", "")
    ),
    "scan: only comments and markers": Case(
        ("scan", "{w}/e.yaml"), "e.yaml: is empty", setup=existing("e.yaml", "# x\n---\n...\n")
    ),
    "scan: closed stdin": Case(("scan", "-"), "<stdin>: standard input is closed", stdin=None),
    "scan: a folder of only a FIFO": Case(
        ("scan", "{w}/k8s"), "k8s: no .yaml, .yml or .json files", setup=folder_with("a.yaml|")
    ),
    "scan: a folder whose manifests are past PATH_MAX": Case(
        ("scan", "{w}/k8s"), "folder cannot be read: File name too long", setup=deep_folder
    ),
    "scan: through a file": Case(
        ("scan", "{w}/plain/k.yaml"), "cannot be read: Not a directory", setup=existing("plain")
    ),
    "scan: a 100,000-character name": Case(("scan", LONG_ID), "characters cut"),
    "checklist --scan: an empty file": Case(
        ("checklist", "migration", "--scan", "{w}/e.yaml", "-o", "{w}/r.md"),
        "e.yaml: is empty",
        setup=existing("e.yaml", ""),
    ),
    # cost
    "cost: --rps inf": Case(("cost", "--pods", "10", "--rps", "inf"), "rps must be a number"),
    "cost: --rps nan": Case(("cost", "--pods", "10", "--rps", "nan"), "rps must be a number"),
    "cost: --rps 1e400": Case(("cost", "--pods", "10", "--rps", "1e400"), "rps must be a number"),
    "cost: --nodes 0": Case(("cost", "--pods", "10", "--nodes", "0"), "nodes must be at least 1"),
    "cost: a 5,000-digit --pods": Case(
        ("cost", "--pods", DIGITS),
        "argument --pods: invalid int value: '999999999999999999999999999999999999999999999999999999999999…' (5,000 characters)",
    ),
    "cost: a 400-digit --pods": Case(
        ("cost", "--pods", "1" + "0" * 400), "pods must be a whole number from 0 to 10,000,000"
    ),
    "cost: negative --waypoints": Case(
        ("cost", "--pods", "1", "--waypoints", "-1"), "waypoints must be a whole number"
    ),
    "cost: --scan of empty stdin": Case(("cost", "--scan", "-"), "<stdin>: is empty"),
    # links
    "link: a 100,000-character ID": Case(("link", LONG_ID, *SITE), "characters cut"),
    "link: a lone surrogate": Case(("link", f"MIG-{SURROGATE}", *SITE), "is not valid UTF-8"),
    "links update: --lock /dev/null": Case(
        ("links", "update", "--config", str(ROOT / "mkdocs.yml"), "--lock", "/dev/null"),
        "/dev/null: is a character device",
    ),
    "links check: a missing config": Case(
        ("links", "check", "{w}/site", "--config", "{w}/mkdocs.yml"), "mkdocs.yml"
    ),
    # adr
    "adr new: a 100,000-character title": Case(
        ("adr", "new", LONG_ID, "--dir", "{w}/adr", *SITE), "the title is too long for a file name"
    ),
    "adr new: --dir is a file": Case(
        ("adr", "new", "Adopt X", "--dir", "{w}/plain", *SITE),
        "plain: is not a folder",
        setup=existing("plain"),
    ),
    "adr new: --dir through a file": Case(
        ("adr", "new", "Adopt X", "--dir", "{w}/plain/adr", *SITE),
        "plain/adr",
        setup=existing("plain"),
    ),
    "adr new: --dir /dev/null": Case(
        ("adr", "new", "Adopt X", "--dir", "/dev/null", *SITE), "/dev/null: is not a folder"
    ),
    "adr new: --report a device": Case(
        ("adr", "new", "Adopt X", "--dir", "{w}/adr", "--report", "/dev/zero", *SITE),
        "/dev/zero: file is too large",
    ),
    "adr new: closed stdout": Case(
        ("adr", "new", "Adopt X", "--dir", "{w}/adr", *SITE),
        "standard output is closed",
        shell=">&-",
    ),
    "adr new: a lone surrogate": Case(
        ("adr", "new", f"Adopt {SURROGATE}", "--dir", "{w}/adr", *SITE), "is not valid UTF-8"
    ),
    # facts
    "facts: --stale -1": Case(
        ("facts", "--stale", "-1"), "argument --stale: DAYS must not be negative"
    ),
    "facts: a 5,000-digit --stale": Case(("facts", "--stale", DIGITS), "argument --stale"),
    "facts: --stale 10**20": Case(("facts", "--stale", "1" + "0" * 20), "DAYS must be at most"),
    "facts: --today yesterday": Case(("facts", "--today", "yesterday"), "expected YYYY-MM-DD"),
    "facts: closed stdout": Case(("facts",), "standard output is closed", shell=">&-"),
}


def snapshot(folder: Path) -> dict[str, tuple[int, int, int, str]]:
    """Every entry under `folder` (hidden ones too): mode, size, inode and content hash."""
    found: dict[str, tuple[int, int, int, str]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            try:
                info = os.lstat(path)
            except OSError:  # past PATH_MAX: the entry is named, not its content
                found[os.path.relpath(path, folder)] = (0, 0, 0, "")
                continue
            digest = ""
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            found[os.path.relpath(path, folder)] = (
                info.st_mode,
                info.st_size,
                info.st_ino,
                digest,
            )
    return found


def run(case: Case, work: Path) -> subprocess.CompletedProcess[bytes]:
    argv = [arg.replace("{w}", str(work)) for arg in case.argv]
    limit, _, redirect = case.shell.rpartition(";")
    closed = "<&-" if case.stdin is None else ""
    script = f'{limit}{";" if limit else ""} exec "$0" "$@" {redirect.strip()} {closed}'
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHKB_")}
    return subprocess.run(
        ["sh", "-c", script, sys.executable, "-c", RUN, *argv],
        input=case.stdin or b"",
        capture_output=True,
        cwd=work,
        timeout=60,
        env=env,
    )


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_is_one_line_exit_2_and_nothing_written(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    work = tmp_path / "work"
    work.mkdir()
    case.setup(work)
    before = snapshot(work)
    null_before = os.stat(os.devnull)
    done = run(case, work)
    err = done.stderr.decode("utf-8", errors="replace")
    lines = err.splitlines()
    assert done.returncode == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("meshkb: error: "), err
    assert case.says.replace("{w}", str(work)) in lines[0], err
    assert len(lines[0]) <= 2200
    assert snapshot(work) == before
    null_after = os.stat(os.devnull)
    assert stat.S_ISCHR(null_after.st_mode) and null_after.st_ino == null_before.st_ino
    assert not Path("/sys/meshkb-r.md").exists()
