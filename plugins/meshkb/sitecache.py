"""Loaded and rendered checklists kept between site builds, keyed by what they depend on.

A site build spends most of the plugin's time parsing and validating the checklist YAML
and rendering its Markdown. Both are pure functions of the checklist files and of
meshkb itself, so the result of one build can serve the next one, as Material's own
plugins do with `.cache/`. Each entry is one JSON file named by the SHA-256 of its
inputs:

- the cache format, and meshkb's own files and markdown-it-py's (name, size, mtime), so
  an upgrade or an edit to the code never reuses an old entry;
- for loaded checklists: every checklist file's path and bytes, so any edit, a new file
  or a removed one is a miss; only sets that loaded without a problem are kept, so
  problems are always reported by a real load;
- for a rendered page: the loaded set's key, the checklist and the heading level, plus
  every link and page title the render looked up. Those are looked up again on reuse,
  and a different answer (a page moved or renamed) renders afresh.

A damaged, unreadable or unwritable entry is a miss: the cache never fails a build.
`prune` keeps the folder small: beyond `KEEP` entries it removes the least recently used
ones, never one the current build used. It does not remove every entry the build did
not use, since builds of other configurations or checkouts may share the folder.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import render
from .load import checklist_from_data
from .model import Checklist
from .yamlload import Located

FORMAT = "meshkb-site-cache/1"
"""Bump when the layout of an entry changes."""
_PACKAGE = Path(__file__).parent
_SOURCE_SUFFIXES = (".py", ".json", ".yaml", ".js", ".css")
KEEP = 64
"""Entries kept by `prune` (a site has one for its checklists and one per page)."""


@functools.cache
def code_fingerprint() -> str:
    """What cached output depends on besides its inputs: meshkb's files and markdown-it's.

    Every file of meshkb counts (name, size, mtime), so an edit to a checkout counts too;
    markdown-it counts by its `__init__.py`, which an install or upgrade rewrites.
    """
    digest = hashlib.sha256(FORMAT.encode())
    files = _source_files(str(_PACKAGE))
    spec = importlib.util.find_spec("markdown_it")  # found, not imported
    if spec is not None and spec.origin:
        files.append(spec.origin)
    for path in files:
        stat = os.stat(path)
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _source_files(folder: str) -> list[str]:
    """The source and data files under `folder`, sorted (os.scandir: rglob costs ~5 ms)."""
    found: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir() and entry.name != "__pycache__":
                found += _source_files(entry.path)
            elif entry.name.endswith(_SOURCE_SUFFIXES):
                found.append(entry.path)
    return sorted(found)


class SiteCache:
    """Entries in one folder; a `None` folder caches nothing."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.used: set[str] = set()
        """Names of the entries read or written since this cache was made."""
        self.checklists_key: str | None = None
        """Key of the checklists loaded through this cache, for the render keys."""
        self._names: dict[tuple[Path, ...], str | None] = {}
        """Entry name of each set of checklist files, read and hashed once per build."""

    # ---- entries -------------------------------------------------------------------

    def _name(self, kind: str, *parts: str) -> str:
        digest = hashlib.sha256(code_fingerprint().encode())
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return f"{kind}-{digest.hexdigest()}.json"

    def get(self, name: str) -> Any:
        """The value stored under `name`, or None (also when missing or damaged)."""
        if self.directory is None:
            return None
        try:
            entry = json.loads((self.directory / name).read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            return None
        self.used.add(name)
        with contextlib.suppress(OSError):
            os.utime(self.directory / name)  # recently used, for `prune`
        return entry.get("value")

    def put(self, name: str, value: Any) -> None:
        """Store `value` (plain JSON data) under `name`; a failure is ignored."""
        if self.directory is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry-", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    # dumps, not dump: json.dump streams through the pure-Python encoder.
                    handle.write(json.dumps({"format": FORMAT, "value": value}))
                os.replace(tmp, self.directory / name)  # readers see all of it or none
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, TypeError, ValueError):
            return
        self.used.add(name)

    def prune(self, keep: int = KEEP) -> int:
        """Remove the least recently used entries beyond `keep`; returns how many."""
        if self.directory is None or not self.directory.is_dir():
            return 0
        try:
            entries = [(path.stat().st_mtime_ns, path) for path in self.directory.glob("*.json")]
        except OSError:
            return 0  # another build removed one meanwhile: leave it to the next prune
        entries.sort(reverse=True)
        removed = 0
        for _, path in entries[keep:]:
            if path.name not in self.used:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    # ---- loaded checklists ---------------------------------------------------------

    def _checklists_name(self, paths: Sequence[Path]) -> str | None:
        key = tuple(paths)
        if key not in self._names:
            self._names[key] = self._checklists_digest(paths)
        return self._names[key]

    def _checklists_digest(self, paths: Sequence[Path]) -> str | None:
        digest = hashlib.sha256()
        try:
            for path in paths:
                content = path.read_bytes()
                digest.update(f"{path}\0{len(content)}\0".encode("utf-8", "surrogatepass"))
                digest.update(content)
        except OSError:
            return None
        return self._name("checklists", digest.hexdigest())

    def checklists(self, paths: Sequence[Path]) -> dict[str, Checklist] | None:
        """The checklists these files loaded to last time, or None."""
        name = self._checklists_name(paths)
        if name is None:
            return None
        value = self.get(name)
        if not isinstance(value, list):
            return None
        try:
            loaded = [checklist_from_data(data, file) for file, data in value]
        except (KeyError, TypeError, ValueError):
            return None
        self.checklists_key = name
        return {checklist.id: checklist for checklist in loaded}

    def keep_checklists(
        self, paths: Sequence[Path], loaded: Sequence[tuple[Checklist, Located]]
    ) -> None:
        """Remember a set that loaded without a problem."""
        name = self._checklists_name(paths)
        if name is None:
            return
        # Checklist data is JSON data: string keys (the YAML loader makes every key one),
        # and only strings, numbers, booleans, null, lists and mappings.
        value = [[checklist.source, located.data] for checklist, located in loaded]
        self.put(name, value)
        self.checklists_key = name

    # ---- rendered pages ------------------------------------------------------------

    def render_checklist(
        self,
        checklist: Checklist,
        *,
        resolve: render.LinkResolver | None,
        page_title: render.TitleLookup | None,
        heading_level: int,
        owners: dict[str, str] | None,
    ) -> str:
        """`render.render_checklist`, reused when the checklists and every lookup agree."""
        if self.checklists_key is None or resolve is None or page_title is None:
            return render.render_checklist(
                checklist,
                resolve=resolve,
                page_title=page_title,
                heading_level=heading_level,
                owners=owners,
            )
        name = self._name("page", self.checklists_key, checklist.id, str(heading_level))
        # Each link and title is looked up once per page, whether the entry is reused or not.
        resolve_once = _once(resolve, {})
        title_once = _once(page_title, {})
        entry = self.get(name)
        if _still_valid(entry, resolve_once, title_once):
            return str(entry["html"])
        links: dict[str, str] = {}
        titles: dict[str, str | None] = {}
        html = render.render_checklist(
            checklist,
            resolve=_once(resolve_once, links),
            page_title=_once(title_once, titles),
            heading_level=heading_level,
            owners=owners,
        )
        self.put(name, {"html": html, "links": links, "titles": titles})
        return html


def _once(lookup: Callable[[str], Any], answers: dict[str, Any]) -> Callable[[str], Any]:
    """`lookup`, remembering each answer in `answers` and asking once per key."""

    def ask(key: str) -> Any:
        if key not in answers:
            answers[key] = lookup(key)
        return answers[key]

    return ask


def _still_valid(entry: Any, resolve: render.LinkResolver, page_title: render.TitleLookup) -> bool:
    """Whether a page entry is whole and every lookup it made still gives the same answer.

    Reusing an entry runs all its lookups, so their side effects (the plugin notes each
    link for MkDocs' anchor validation, and warns about a missing page) happen as in a
    render.
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("html"), str):
        return False
    links, titles = entry.get("links"), entry.get("titles")
    if not isinstance(links, dict) or not isinstance(titles, dict):
        return False
    return all(resolve(target) == href for target, href in links.items()) and all(
        page_title(path) == title for path, title in titles.items()
    )
