"""Files: read and decode text with clear errors, and write atomically."""

from __future__ import annotations

import os
from pathlib import Path

from meshkb.core.errors import MeshkbError, Problem

MAX_BYTES = 5 * 1024 * 1024
"""Checklists and reports are small; a larger file is refused before it is read."""


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, refusing what is too large, binary or not UTF-8."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
    except FileNotFoundError:
        raise MeshkbError(Problem(name, "no such file")) from None
    except OSError as exc:
        raise MeshkbError(Problem(name, f"cannot read: {exc.strerror}")) from None
    if Path(path).is_dir():
        raise MeshkbError(Problem(name, "is a directory, not a file"))
    if size > max_bytes:
        raise MeshkbError(
            Problem(
                name,
                f"file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes // 2**20} MiB)",
            )
        )
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise MeshkbError(Problem(name, f"cannot read: {exc.strerror}")) from None
    return decode_text(raw, name)


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


def write_atomic(path: str | Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` via a temporary file and a rename.

    A crash or Ctrl-C leaves either the old file or the new one, never half of one.
    """
    import tempfile  # only when writing: it imports shutil, bz2 and lzma (~5 ms)

    target = Path(path)
    if target.exists() and not force:
        raise MeshkbError(Problem(str(path), "already exists; pass --force to overwrite it"))
    if target.is_dir():
        raise MeshkbError(Problem(str(path), "is a directory"))
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise MeshkbError(Problem(str(path), f"folder {str(directory)!r} does not exist"))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(tmp, target)
        else:
            # link() refuses an existing target atomically, closing the gap between the
            # exists() check above and the write (two `adr new` runs at once, say).
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise MeshkbError(
                    Problem(str(path), "already exists; pass --force to overwrite it")
                ) from None
            Path(tmp).unlink()
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
