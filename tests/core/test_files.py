"""The one reader and the atomic writer, on real files, FIFOs, devices and limits."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from meshkb.core.errors import MeshkbError
from meshkb.core.files import check_target, read_text, temp_name, write_atomic

from ..conftest import ROOT

NAME_MAX = os.pathconf("/", "PC_NAME_MAX") if hasattr(os, "pathconf") else 255


def entries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path) -> None:
    for umask, mode in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        previous = os.umask(umask)
        try:
            target = tmp_path / f"new-{umask:o}.md"
            write_atomic(target, "text\n")
        finally:
            os.umask(previous)
        assert stat.S_IMODE(target.stat().st_mode) == mode
        assert target.read_text() == "text\n"


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    for mode in (0o644, 0o640, 0o600, 0o664):
        target = tmp_path / f"old-{mode:o}.md"
        target.write_text("old\n")
        target.chmod(mode)
        write_atomic(target, "new\n", force=True)
        assert stat.S_IMODE(target.stat().st_mode) == mode
        assert target.read_text() == "new\n"
    assert all(not name.startswith(".") for name in entries(tmp_path))


def test_without_force_an_existing_file_is_never_touched(tmp_path: Path) -> None:
    target = tmp_path / "r.md"
    target.write_text("mine\n")
    with pytest.raises(MeshkbError, match="already exists; pass --force"):
        write_atomic(target, "theirs\n")
    assert target.read_text() == "mine\n"
    assert entries(tmp_path) == ["r.md"]


def test_only_regular_files_are_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    regular = tmp_path / "regular.md"
    regular.write_text("kept\n")
    to_regular = tmp_path / "to-regular.md"
    to_regular.symlink_to(regular)
    to_stdout = tmp_path / "to-stdout.md"
    to_stdout.symlink_to("/proc/self/fd/1")
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere")
    folder = tmp_path / "folder.md"
    folder.mkdir()
    sock = tmp_path / "socket.md"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    try:
        cases = {
            Path(os.devnull): "is a character device, not a regular file",
            fifo: "is a FIFO (named pipe), not a regular file",
            sock: "is a socket, not a regular file",
            to_regular: f"is a symbolic link (to {regular})",
            to_stdout: "is a symbolic link (to /proc/self/fd/1)",
            dangling: "is a symbolic link",
            folder: "is a directory",
        }
        before = {path: os.lstat(path) for path in cases}
        for path, message in cases.items():
            with pytest.raises(MeshkbError) as caught:
                write_atomic(path, "x\n", force=True)
            assert str(caught.value).startswith(f"{path}: {message}")
            assert "\n" not in str(caught.value)
            after = os.lstat(path)
            assert (after.st_ino, after.st_mode, after.st_size) == (
                before[path].st_ino,
                before[path].st_mode,
                before[path].st_size,
            )
    finally:
        server.close()
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert regular.read_text() == "kept\n"
    assert not any(name.startswith(".") for name in entries(tmp_path))


def test_a_path_through_a_file_or_a_missing_folder_is_one_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("")
    with pytest.raises(MeshkbError, match=r"plain/child\.md: cannot write: Not a directory"):
        write_atomic(plain / "child.md", "x\n")
    with pytest.raises(MeshkbError, match=r"folder '.*missing' does not exist"):
        write_atomic(tmp_path / "missing" / "r.md", "x\n")
    assert entries(tmp_path) == ["plain"]


@pytest.mark.parametrize("length", [NAME_MAX, NAME_MAX - 1, 12, 10, 1])
def test_the_temporary_name_is_never_longer_than_the_target(length: int) -> None:
    for name in ("a" * length, ("é" * length)[: length // 2] or "é"):
        made = temp_name(name)
        assert made.startswith(".")
        assert len(os.fsencode(made)) <= max(len(os.fsencode(name)), 10)
        assert made != temp_name(name)  # random: two writers never pick the same one


def test_names_at_the_file_systems_limit_can_be_written(tmp_path: Path) -> None:
    for name in ("r" * (NAME_MAX - 3) + ".md", "é" * ((NAME_MAX - 3) // 2) + ".md"):
        target = tmp_path / name
        assert len(os.fsencode(target.name)) <= NAME_MAX
        write_atomic(target, "x\n")
        write_atomic(target, "y\n", force=True)
        assert target.read_text() == "y\n"
    assert not any(name.startswith(".") for name in entries(tmp_path))


def test_text_that_is_not_unicode_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(MeshkbError, match="U\\+DCFF, which is not valid Unicode"):
        write_atomic(tmp_path / "r.md", "bad \udcff\n")
    assert entries(tmp_path) == []


WRITE_UNDER_LIMIT = """
import resource, sys
from meshkb.core.errors import MeshkbError
from meshkb.core.files import write_atomic
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
try:
    write_atomic(sys.argv[1], "x" * 5000, force=True)
except MeshkbError as exc:
    print(exc)
"""


def test_a_file_size_limit_is_one_error_and_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "r.md"
    target.write_text("old\n")
    done = subprocess.run(
        [sys.executable, "-c", WRITE_UNDER_LIMIT, str(target)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert done.stdout == f"{target}: cannot write: File too large\n"
    assert done.stderr == ""
    assert target.read_text() == "old\n"
    assert entries(tmp_path) == ["r.md"]


def test_read_text_refuses_what_cannot_be_read_in_one_line(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("")
    with pytest.raises(MeshkbError, match=r"plain/child\.md: cannot read: Not a directory"):
        read_text(plain / "child.md")
    with pytest.raises(MeshkbError, match="is a directory"):
        read_text(tmp_path)
    with pytest.raises(MeshkbError, match="file is too large"):
        read_text("/dev/zero")  # a device reports no size: the read stops past the limit
    with pytest.raises(MeshkbError, match="File name too long"):
        read_text(tmp_path / ("x" * 100_000))


def test_read_text_reads_a_pipe_given_by_name(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", 'printf "from a pipe\\n" > "$0"', str(fifo)])
    try:
        assert read_text(fifo) == "from a pipe\n"
    finally:
        writer.wait(timeout=10)


def test_check_target_refuses_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "r.md").write_text("x")
    with pytest.raises(MeshkbError, match="already exists"):
        check_target(tmp_path / "r.md")
    assert check_target(tmp_path / "r.md", force=True) == tmp_path / "r.md"
    assert check_target(tmp_path / "new.md") == tmp_path / "new.md"


SAVE_FOR_EVER = """
import signal, sys
from meshkb.core.files import write_atomic
# As in a terminal: a job started in the background by a script (`cmd &`) inherits SIGINT
# ignored, and Python then leaves it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
for name in ("SIGTERM", "SIGHUP"):
    signal.signal(getattr(signal, name), signal.SIG_DFL)
text = "line of a report\\n" * 20000
print("ready", flush=True)
while True:
    write_atomic(sys.argv[1], text, force=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_saves_leaves_the_file_whole_and_no_temporary_file(
    tmp_path: Path, signum: int
) -> None:
    target = tmp_path / "r.md"
    whole = "line of a report\n" * 20000
    for attempt in range(8):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVE_FOR_EVER, str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        time.sleep(0.05 + 0.037 * attempt)  # lands at a different point of a save each time
        child.send_signal(signum)
        assert child.wait(timeout=30) != 0
        assert entries(tmp_path) == ["r.md"], f"attempt {attempt}"
        assert target.read_text() == whole
