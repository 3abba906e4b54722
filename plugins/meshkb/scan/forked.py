"""Two processes for one large scan: pieces of the work in a forked child, never lost.

`share(count, work)` gives `[work(0), ..., work(count - 1)]`, computed by this process
and a forked child together. The pieces are claimed one at a time (in groups when there
are very many), in order, from a pipe that both processes read, so whichever process is
free takes the next one: a child held back by a busy core simply does fewer. The child
sends each piece back, pickled, as soon as it is done; the parent unpickles what has
arrived between its own pieces. Whatever goes wrong in the child (an exception, a crash,
a signal, a non-zero exit, a broken pipe, a garbled message) only means the parent
computes the child's pieces itself afterwards: each piece is used once, from one
process, and the answer is the same either way. The child is always waited for, so none
is left a zombie, and on Ctrl-C it ends with the parent.

Only POSIX systems fork; elsewhere, and in a process that runs threads (forking one is
unsafe), everything stays in one process. `MESHKB_JOBS=1` keeps everything in one
process too; `MESHKB_JOBS=2` (or more) shares any work that can be shared, however
small, which is how the tests reach the two-process path. Unset, work is shared only
when it is large and the machine has a second core.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

JOBS_VARIABLE = "MESHKB_JOBS"
"""Environment variable: 1 keeps a scan in one process, 2 or more shares it regardless of size."""
MAX_GROUPS = 256
"""Most claims one `share` makes (each is one byte); more pieces are claimed in groups."""

T = TypeVar("T")

child_hook: Callable[[], None] | None = None
"""Called first thing in each child; tests make it fail to exercise the fallback."""


def wanted(size: int, threshold: int) -> bool:
    """Whether work of this size should be split across two processes."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    setting = os.environ.get(JOBS_VARIABLE, "").strip()
    if setting.isdigit():
        return int(setting) >= 2
    return size >= threshold and _cores() >= 2


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def share(
    count: int,
    work: Callable[[int], T],
    *,
    pack: Callable[[T], Any] = lambda result: result,
    unpack: Callable[[Any], T] = lambda sent: sent,
) -> list[T]:
    """[work(0), ..., work(count - 1)], the pieces shared with a forked child.

    The child sends `pack(work(i))` for its pieces; the parent takes `unpack` of that.
    """
    if count < 1:
        return []
    # Pieces are claimed in groups of `per` consecutive pieces, one byte a group.
    per = -(-count // MAX_GROUPS)
    groups = -(-count // per)

    def claimed_work(group: int) -> dict[int, T]:
        pieces = range(group * per, min(count, (group + 1) * per))
        return {piece: work(piece) for piece in pieces}

    claims, tokens = os.pipe()
    os.write(tokens, bytes(range(groups)))  # far less than a pipe holds: never blocks
    os.close(tokens)
    try:
        mine, theirs = _share(claims, claimed_work, pack)
    finally:
        os.close(claims)
    results = []
    for piece in range(count):
        if piece in mine:
            results.append(mine[piece])
        elif piece in theirs:
            results.append(unpack(theirs[piece]))
        else:  # the child claimed it but did not send it
            results.append(work(piece))
    return results


def _share(
    claims: int, work: Callable[[int], dict[int, T]], pack: Callable[[T], Any]
) -> tuple[dict[int, T], dict[int, Any]]:
    """(the pieces this process computed, the pieces the child sent), by piece number."""
    read_end, write_end = os.pipe()
    # Ctrl-C waits until the child is either not made or in the parent's hands (below).
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(read_end)
        os.close(write_end)
        return _work_claimed(claims, work), {}
    if pid == 0:
        _run_child(claims, work, pack, read_end, write_end, held)
    reaped = False
    try:
        os.close(write_end)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        inbox = _Inbox(read_end)
        # Between its own pieces, the parent unpickles what the child sent so far: that
        # work then counts in who claims what, instead of all coming at the end.
        mine = _work_claimed(claims, work, between=inbox.take)
        inbox.take(wait=True)
        _, status = os.waitpid(pid, 0)
        reaped = True
    finally:
        os.close(read_end)
        if not reaped:
            _end_child(pid)
    ended_well = os.waitstatus_to_exitcode(status) == 0 and not inbox.garbled
    return mine, inbox.sent if ended_well else {}


def _work_claimed(
    claims: int, work: Callable[[int], dict[int, T]], between: Callable[[], None] = lambda: None
) -> dict[int, T]:
    """Claim groups of pieces one at a time, until none is left, and do their work."""
    done: dict[int, T] = {}
    while token := os.read(claims, 1):  # one byte from a pipe: one reader gets it
        done.update(work(token[0]))
        between()
    return done


_LENGTH = struct.Struct("<Q")
"""Each message from the child: its length, then the pickled (piece, packed result)."""


class _Inbox:
    """What the child sent so far, by piece, read from a pipe without waiting for more."""

    def __init__(self, read_end: int) -> None:
        self.read_end = read_end
        self.sent: dict[int, Any] = {}
        self.garbled = False
        self._buffer = bytearray()
        os.set_blocking(read_end, False)

    def take(self, *, wait: bool = False) -> None:
        """Read what has arrived (with `wait`: everything, to the end) and unpickle it."""
        os.set_blocking(self.read_end, wait)
        while True:
            try:
                part = os.read(self.read_end, 1 << 20)
            except BlockingIOError:
                break
            if not part:
                break
            self._buffer += part
        self._unpickle()

    def _unpickle(self) -> None:
        buffer = self._buffer
        start = 0
        while len(buffer) - start >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(buffer, start)
            end = start + _LENGTH.size + length
            if len(buffer) < end:
                break
            try:
                piece, result = pickle.loads(buffer[start + _LENGTH.size : end])
            except Exception:
                self.garbled = True  # the parent does the child's pieces itself
                piece, result = -1, None
            self.sent[piece] = result
            start = end
        del buffer[:start]


def _run_child(
    claims: int,
    work: Callable[[int], dict[int, T]],
    pack: Callable[[T], Any],
    read_end: int,
    write_end: int,
    mask: Iterable[int],
) -> None:
    """Do claimed pieces, send each when done, and leave without the parent's cleanups."""
    code = 1
    try:
        # Ctrl-C reaches the whole process group: the child just ends, the parent reports.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(read_end)
        if child_hook is not None:
            child_hook()
        with contextlib.suppress(ImportError, AttributeError, OSError):
            import fcntl  # POSIX only, as is fork

            # A roomy pipe (Linux): the child seldom waits for the parent to take its work.
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 1 << 20)
        with open(write_end, "wb", closefd=True) as pipe:

            def send(group: int) -> dict[int, T]:
                for piece, result in work(group).items():
                    message = pickle.dumps((piece, pack(result)), protocol=pickle.HIGHEST_PROTOCOL)
                    pipe.write(_LENGTH.pack(len(message)) + message)
                    pipe.flush()
                return {}

            _work_claimed(claims, send)
        code = 0
    finally:
        os._exit(code)


def _end_child(pid: int) -> None:
    """Stop a child the parent no longer waits for (an error or Ctrl-C in the parent)."""
    # A second Ctrl-C must not leave the child unwaited for: it counts once this is done.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
