"""Read manifests from files, folders and stdin; what cannot be read is a problem, not a crash."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from meshkb.core.errors import Problem
from meshkb.core.files import file_kind
from meshkb.scan.manifests import parse_manifests
from meshkb.scan.resources import STDIN, STDIN_NAME, ManifestSet

MAX_INPUT_BYTES = 100 * 1024 * 1024
"""Largest file (or stdin) read; larger ones are refused before reading."""


MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
"""File endings read when walking a folder (any name is read when given directly)."""


def read_manifests(
    sources: Sequence[str | os.PathLike[str]], *, stdin: IO[bytes] | IO[str] | None = None
) -> ManifestSet:
    """Read files, folders (recursively, sorted) and `-` (stdin) into one `ManifestSet`."""
    result = ManifestSet((), ())
    for source in sources:
        if str(source) == STDIN:
            result += _read_stdin(stdin)
            continue
        path = Path(source)
        if path.is_dir():
            files, skipped = _manifest_files(path)
            result += skipped
            if not files and not skipped.problems:
                message = "no .yaml, .yml or .json files in this folder"
                result += ManifestSet((), (Problem(str(source), message),))
            for file in files:
                result += _read_file(file)
        else:
            # Named directly, anything is read: a pipe from `<(kubectl get ...)` too.
            result += _read_file(path)
    return result


def _manifest_files(folder: Path) -> tuple[list[Path], ManifestSet]:
    """The manifest files under `folder`, and what was skipped, each path named.

    A folder that cannot be listed is a problem (its manifests are missing from the
    scan); a FIFO, socket or device with a manifest's name, or a link to a folder, is
    skipped with a notice: reading a FIFO would wait for ever.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    notices: list[Problem] = []

    def unreadable(error: OSError) -> None:
        where = str(error.filename) if error.filename is not None else str(folder)
        reason = error.strerror or str(error)
        problems.append(
            Problem(where, f"folder cannot be read: {reason}; its manifests were skipped")
        )

    # Hidden folders (.git, .terraform, ...) hold no manifests meant for the cluster.
    for root, dirs, files in os.walk(folder, onerror=unreadable):
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            if os.path.islink(os.path.join(root, name)):
                notices.append(
                    Problem(
                        os.path.join(root, name), "is a link to a folder: not followed, skipped"
                    )
                )
                continue
            kept.append(name)
        dirs[:] = kept
        for name in files:
            if name.startswith(".") or not name.lower().endswith(MANIFEST_SUFFIXES):
                continue
            path = Path(root) / name
            try:
                mode = path.stat().st_mode
            except OSError:
                found.append(path)  # a broken link: reading it names the problem
                continue
            if stat.S_ISREG(mode):
                found.append(path)
            else:
                notices.append(
                    Problem(str(path), f"is {file_kind(mode)}, not a regular file: skipped")
                )
    found.sort(key=lambda path: path.relative_to(folder).as_posix())
    return found, ManifestSet((), tuple(problems), tuple(notices))


def _read_file(path: Path) -> ManifestSet:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            return ManifestSet((), (Problem(name, _too_big_message(size)),))
        with path.open("rb") as handle:
            # Read one byte past the limit: a FIFO or a growing file reports no true size.
            data = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        return ManifestSet((), (Problem(name, "no such file or folder"),))
    except OSError as error:
        return ManifestSet((), (Problem(name, f"cannot be read: {error.strerror or error}"),))
    if len(data) > MAX_INPUT_BYTES:
        return ManifestSet((), (Problem(name, _too_big_message(len(data))),))
    return parse_manifests(data, name)


def _read_stdin(stdin: IO[bytes] | IO[str] | None) -> ManifestSet:
    if stdin is None:
        return ManifestSet((), (Problem(STDIN_NAME, "no standard input to read"),))
    data = stdin.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        return ManifestSet((), (Problem(STDIN_NAME, _too_big_message(len(data))),))
    return parse_manifests(data, STDIN_NAME)


def _too_big_message(size: int) -> str:
    return f"is {size} bytes; meshkb reads inputs of at most {MAX_INPUT_BYTES} bytes (100 MiB)"
