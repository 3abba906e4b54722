"""What a site build knows beyond one page: every checklist, who holds each item, page titles.

The Markdown extension and the MkDocs plugin look these up while rendering a page; the
`meshkb site generate` command loads the checklists the same way. No Python-Markdown here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path

from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.load import checklist_files, load_all_located, load_checklist
from meshkb.core.model import Checklist
from meshkb.site.markdown_text import TitleLookup


def load_checklists(directory: Path) -> tuple[dict[str, Checklist], list[Problem]]:
    """Every checklist in `directory` with the cross-file rules, keeping the good ones on error."""
    if not directory.is_dir():
        return {}, [Problem(str(directory), "checklists folder not found")]
    paths = checklist_files(directory)
    try:
        loaded = load_all_located(paths)
    except MeshkbError as exc:
        problems = list(exc.problems)
    else:
        return {c.id: c for c, _ in loaded}, []
    good: dict[str, Checklist] = {}
    for path in paths:
        try:
            checklist = load_checklist(path)
        except MeshkbError:
            continue
        good.setdefault(checklist.id, checklist)
    return good, problems


def item_owners(checklists: Iterable[Checklist]) -> dict[str, str]:
    """Item ID -> the ID of the checklist holding it."""
    return {item.id: c.id for c in checklists for item in c.all_items()}


def page_titles(config_file: Path) -> TitleLookup | None:
    """Docs page -> its title as MkDocs gives it (nav title, else first heading), from files."""
    from meshkb.site.links import Resolver
    from meshkb.site.sources import read_site_config

    if not config_file.is_file():
        return None
    site = read_site_config(config_file)
    docs, resolver = site.docs_dir, Resolver(site, {})

    def title(path: str) -> str | None:
        page = posixpath.normpath(path)
        return resolver.page_title(page) if docs is not None and (docs / page).is_file() else None

    return title
