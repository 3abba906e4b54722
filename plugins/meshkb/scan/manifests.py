"""Manifest text -> resources: the fast path or the reference one, in one or two processes."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from meshkb.core.errors import Problem
from meshkb.scan import forked
from meshkb.scan.manifest_fast import fast_documents, fast_path_fits
from meshkb.scan.manifest_parse import Chunk, slow_documents, split_documents
from meshkb.scan.resources import ManifestSet, Origin, ParsedDocument, Resource, collect_resources


def parse_manifests(data: bytes | str, file: str) -> ManifestSet:
    """Parse one file's content; never raises for bad content, returns problems instead."""
    if isinstance(data, bytes):
        text_or_problem = _decode(data, file)
        if isinstance(text_or_problem, Problem):
            return ManifestSet((), (text_or_problem,))
        text = text_or_problem
    else:
        text = data.removeprefix("\ufeff")
        if "\x00" in text:
            return ManifestSet((), (Problem(file, _BINARY_MESSAGE),))
    with gc_paused():
        chunks = split_documents(text)
        if not fast_path_fits(text):
            found = _collected(slow_documents(chunks, file))
        elif len(chunks) > 1 and forked.wanted(len(text), PARALLEL_PARSE_BYTES):
            found = _shared_documents(chunks, file)
        else:
            found = _collected(fast_documents(chunks, file))
    if not (found.resources or found.problems or found.notices) and _blank(text):
        # `kubectl get ... | meshkb scan -` when kubectl failed: nothing to scan is an error.
        return ManifestSet((), (Problem(file, EMPTY_MESSAGE),), inputs_read=1)
    return ManifestSet(found.resources, found.problems, found.notices, inputs_read=1)


EMPTY_MESSAGE = "is empty (no YAML document, only blank lines, comments or ---): nothing to scan"


def _blank(text: str) -> bool:
    """No document at all: only blank lines, comments and `---` / `...` markers."""
    for line in text.splitlines():
        bare = line.strip()
        if (
            bare
            and not bare.startswith("#")
            and bare not in ("---", "...")
            and not (line.startswith("--- #") or line.startswith("... #"))
        ):
            return False
    return True


def _shared_documents(chunks: Sequence[Chunk], file: str) -> ManifestSet:
    """What `fast_documents` reads, read by two processes, piece by piece (see `forked`).

    Each piece is a run of whole chunks, its documents numbered as in the whole text.
    """
    pieces = _pieces(chunks, PARSE_PIECES)

    def read(piece: int) -> ManifestSet:
        start, end = pieces[piece]
        return _collected(fast_documents(chunks[start:end], file, start))

    found = forked.share(len(pieces), read, pack=_packed, unpack=_unpacked)
    return ManifestSet(
        tuple(resource for part in found for resource in part.resources),
        tuple(problem for part in found for problem in part.problems),
        tuple(notice for part in found for notice in part.notices),
    )


def _pieces(chunks: Sequence[Chunk], count: int) -> list[tuple[int, int]]:
    """(start, end) of up to `count` runs of chunks, of about equal length, in order."""
    total = sum(len(chunk.text) for chunk in chunks)
    pieces: list[tuple[int, int]] = []
    start = done = 0
    for index, chunk in enumerate(chunks):
        done += len(chunk.text)
        if done * count >= total * (len(pieces) + 1) or index == len(chunks) - 1:
            pieces.append((start, index + 1))
            start = index + 1
    return pieces


def _collected(documents: Iterable[ParsedDocument | Problem]) -> ManifestSet:
    """The resources of these documents, and what is wrong with the others."""
    resources: list[Resource] = []
    problems: list[Problem] = []
    notices: list[Problem] = []
    for document in documents:
        if isinstance(document, Problem):
            problems.append(document)
            continue
        collect_resources(document, resources, problems, notices)
    return ManifestSet(tuple(resources), tuple(problems), tuple(notices))


_Packed = tuple[list[tuple[Any, ...]], tuple[Problem, ...], tuple[Problem, ...]]


def _packed(found: ManifestSet) -> _Packed:
    """The set as plain tuples: pickled and unpickled much faster than the classes."""
    resources = [
        (r.api_version, r.kind, r.name, r.namespace, r.body, *_origin_fields(r.origin))
        for r in found.resources
    ]
    return resources, found.problems, found.notices


def _origin_fields(origin: Origin) -> tuple[str, int, int, int | None]:
    return origin.file, origin.document, origin.line, origin.item


def _unpacked(packed: _Packed) -> ManifestSet:
    resources, problems, notices = packed
    return ManifestSet(
        tuple(
            Resource(api_version, kind, name, namespace, body, Origin(file, document, line, item))
            for api_version, kind, name, namespace, body, file, document, line, item in resources
        ),
        problems,
        notices,
    )


PARALLEL_PARSE_BYTES = 1_000_000
"""Smallest text (in characters) read by two processes (see `forked`)."""


PARSE_PIECES = 32
"""Pieces such a text is read in: two processes share them, as each is free."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many lasting objects are built.

    Reading 10,000 documents makes millions of objects that all stay alive; each full
    collection on the way scans every one of them again (most of the parse time). No
    cycle is made here that reference counting would not free. Collection resumes
    afterwards, with everything made meanwhile counted as old (scanned only by the rare
    full collections).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What was made is there to stay: move it straight to the oldest generation,
            # or the next young collection would scan every object made here once more.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _decode(data: bytes, file: str) -> str | Problem:
    if b"\x00" in data:
        return Problem(file, _BINARY_MESSAGE)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        return Problem(file, f"is not valid UTF-8 (byte 0x{bad})", line=line, column=column)


_BINARY_MESSAGE = "contains NUL bytes: binary data (or UTF-16 text), not a UTF-8 manifest"
