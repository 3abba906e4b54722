"""Safe file writes: atomic, never overwriting without permission."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import MeshkbError, Problem


def write_atomic(path: str | Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` via a temporary file and a rename.

    A crash or Ctrl-C leaves either the old file or the new one, never half of one.
    """
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
