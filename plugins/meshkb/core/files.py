"""Files: read and decode text with clear errors, and write atomically."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

from meshkb.core.errors import MeshkbError, Problem

MAX_BYTES = 5 * 1024 * 1024
"""Checklists and reports are small; a larger file is refused before it is read."""


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, refusing what is too large, binary or not UTF-8.

    A file given by name may be a pipe (`<(kubectl ...)`) or a device: at most one byte
    past `max_bytes` is read, so `/dev/zero` is refused as too large rather than read for ever.
    """
    name = str(path)
    try:
        if os.path.isdir(path):
            raise MeshkbError(Problem(name, "is a directory, not a file"))
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise MeshkbError(Problem(name, _too_large(size, max_bytes)))
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise MeshkbError(Problem(name, "no such file")) from None
    except OSError as exc:
        raise MeshkbError(os_problem(name, exc, "cannot read")) from None
    if len(raw) > max_bytes:
        raise MeshkbError(Problem(name, _too_large(len(raw), max_bytes)))
    return decode_text(raw, name)


def _too_large(size: int, max_bytes: int) -> str:
    return f"file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes // 2**20} MiB)"


def os_problem(name: str, exc: OSError, doing: str, *, other: bool = True) -> Problem:
    """An operating-system error as one line: the path, what was being done, and why.

    With `other`, the path the error is about is added when it is not `name` (a file
    inside a folder being read, say); a write's temporary file is never named.
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    about = exc.filename if isinstance(exc.filename, str) else None
    if other and about and about != name:
        reason += f" ({about})"
    return Problem(name, f"{doing}: {reason}")


def decode_text(raw: bytes, name: str) -> str:
    """Decode UTF-8 (a BOM is allowed), locating the first bad byte."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise MeshkbError(Problem(name, "binary data (NUL byte); expected a UTF-8 text file", line))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise MeshkbError(
            Problem(name, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, column)
        ) from None
    return text.replace("\r\n", "\n")


def check_target(path: str | Path, *, force: bool = False) -> Path:
    """Where `write_atomic(path, ..., force=force)` would write, or the reason it will not.

    Only a regular file is ever replaced, and only with `force`. A device (`/dev/null`),
    a FIFO, a socket, a folder and a symbolic link (to anything, even a regular file) are
    refused. Callers check before doing any work, so a refusal leaves nothing behind.
    """
    name = str(path)
    target = Path(path)
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise MeshkbError(os_problem(name, exc, "cannot write")) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise MeshkbError(Problem(name, "is a directory"))
        if not force:
            raise MeshkbError(
                Problem(name, "already exists; pass --force to overwrite it (nothing was written)")
            )
        if stat.S_ISLNK(info.st_mode):
            # Never followed: a link may lead anywhere (`/proc/self/fd/1` is whatever
            # stdout is, a regular file included), and replacing it would break the link.
            raise MeshkbError(
                Problem(
                    name,
                    f"is a symbolic link (to {os.readlink(target)}); only a regular file is "
                    "replaced: give the file's own path (nothing was written)",
                )
            )
        if not stat.S_ISREG(info.st_mode):
            raise MeshkbError(
                Problem(
                    name,
                    f"is {file_kind(info.st_mode)}, not a regular file; only a regular file is "
                    "replaced (nothing was written)",
                )
            )
    directory = target.parent
    if not directory.is_dir():
        missing = "is not a folder" if directory.exists() else "does not exist"
        raise MeshkbError(Problem(name, f"folder {str(directory)!r} {missing}"))
    return target


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words: `a FIFO (named pipe)`."""
    for test, kind in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def write_atomic(path: str | Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` via a temporary file in the same folder and a rename.

    A crash, Ctrl-C or `kill` leaves either the old file or the new one, never half of
    one, and no temporary file: SIGINT, SIGTERM, SIGHUP and SIGQUIT wait until the write
    is over (only SIGKILL or a power cut can leave a `.NAME~XXXXXXXX` file behind). A new
    file's mode follows the umask; a replaced file keeps its mode (and, where allowed,
    its owner). Without `force`, an existing file is never touched, even one that
    appears while the text is written (two `adr new` runs at once, say).
    """
    name = str(path)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MeshkbError(
            Problem(
                name, f"the text holds U+{ord(text[exc.start]):04X}, which is not valid Unicode"
            )
        ) from None
    target = check_target(path, force=force)
    try:
        old = os.stat(target) if force else None
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise MeshkbError(os_problem(name, exc, "cannot write")) from None
    try:
        with signals_held():
            _write_via_temp(target, data, old)
    except FileExistsError:
        raise MeshkbError(
            Problem(name, "already exists; pass --force to overwrite it (nothing was written)")
        ) from None
    except OSError as exc:
        raise MeshkbError(os_problem(name, exc, "cannot write", other=False)) from None


def _write_via_temp(target: Path, data: bytes, old: os.stat_result | None) -> None:
    directory = target.parent
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = directory / temp_name(target.name)
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask applies, as for any new file
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise MeshkbError(Problem(str(target), "cannot write: no free temporary name"))
    try:
        with open(fd, "wb") as handle:
            if old is not None:
                _keep_owner_and_mode(handle.fileno(), old)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if old is not None:
            os.replace(tmp, target)
        else:
            # link() refuses an existing target atomically, closing the gap between the
            # check and the write.
            os.link(tmp, target)
            os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    if hasattr(os, "fchown"):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.fchown(fd, old.st_uid, old.st_gid)
    if hasattr(os, "fchmod"):  # POSIX; Windows keeps only the read-only bit anyway
        os.fchmod(fd, stat.S_IMODE(old.st_mode))


TEMP_TOKEN_CHARS = 8
"""Random hex characters in a temporary file's name."""


def temp_name(name: str) -> str:
    """`.NAME~1a2b3c4d`, cut so it is never longer (in bytes) than `name` itself.

    Only names shorter than 10 bytes get a longer temporary name (`.~1a2b3c4d` at least):
    a target whose name is near the file system's limit (255 bytes) can still be written.
    """
    token = os.urandom(TEMP_TOKEN_CHARS // 2).hex()
    encoded = os.fsencode(name)
    room = max(len(encoded), TEMP_TOKEN_CHARS + 2) - TEMP_TOKEN_CHARS - 2
    head = encoded[:room].decode("utf-8", errors="ignore")
    return f".{head}~{token}"


HELD_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
    if hasattr(signal, name)
)
"""Signals that wait while a file is written: they arrive, whole, just after."""


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Block the signals that would stop the process half-way through a write."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: Ctrl-C still runs the cleanup
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
