"""Read manifests from files, folders and stdin; what cannot be read is a problem, not a crash."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import replace
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
            charts = _charts(files)
            for file in files:
                chart = _chart_of(file, charts)
                if chart is None:
                    result += _read_file(file)
                elif _is_template(file, chart):
                    result += ManifestSet((), (Problem(str(file), _template_message(chart)),))
                # Chart.yaml and values files describe the chart: nothing to scan.
        else:
            # Named directly, anything is read: a pipe from `<(kubectl get ...)` too.
            result += _read_file(path)
    return result


def _charts(files: Sequence[Path]) -> list[Path]:
    """The Helm charts among the files: folders holding a Chart.yaml, deepest first."""
    roots = {file.parent for file in files if file.name == "Chart.yaml"}
    return sorted(roots, key=lambda root: -len(root.parts))


def _chart_of(file: Path, charts: Sequence[Path]) -> Path | None:
    return next((chart for chart in charts if chart in file.parents), None)


def _is_template(file: Path, chart: Path) -> bool:
    parts = file.relative_to(chart).parts
    return len(parts) > 1 and parts[0] == "templates"


def _template_message(chart: Path) -> str:
    return (
        f"is a Helm template of the chart in {chart}, not a manifest: render the chart "
        f"first, e.g. `helm template my-release {chart} | meshkb scan -`"
    )


_TEMPLATE_HINT = (
    "; it holds template markup ({{ ... }}): render it first "
    "(for a Helm chart, `helm template my-release CHART | meshkb scan -`)"
)


def _with_template_hint(found: ManifestSet, data: bytes) -> ManifestSet:
    """A document that is not YAML because of `{{ }}` markup says so, and how to render it."""
    if b"{{" not in data or not found.problems:
        return found
    problems = tuple(
        replace(problem, message=problem.message + _TEMPLATE_HINT)
        if problem.message.startswith("document ")
        else problem
        for problem in found.problems
    )
    return replace(found, problems=problems)


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
    return _with_template_hint(parse_manifests(data, name), data)


def _read_stdin(stdin: IO[bytes] | IO[str] | None) -> ManifestSet:
    if stdin is None:
        return ManifestSet((), (Problem(STDIN_NAME, "no standard input to read"),))
    data = stdin.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        return ManifestSet((), (Problem(STDIN_NAME, _too_big_message(len(data))),))
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    return _with_template_hint(parse_manifests(data, STDIN_NAME), raw)


def _too_big_message(size: int) -> str:
    return f"is {size} bytes; meshkb reads inputs of at most {MAX_INPUT_BYTES} bytes (100 MiB)"
