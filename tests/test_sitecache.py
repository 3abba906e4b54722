"""The site cache: a warm build gives the same bytes, and nothing stale is ever reused."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from meshkb import sitecache
from meshkb.load import checklist_files
from meshkb.markdown_ext import item_owners, load_checklists
from meshkb.render import relative_href, render_checklist
from meshkb.sitecache import FORMAT, SiteCache, _source_files

from .conftest import CASES, CHECKLISTS
from .sitebuild import copy_sources
from .test_plugin import run_build


def _copy_checklists(target: Path) -> Path:
    shutil.copytree(CHECKLISTS, target)
    return target


def _resolve(target: str) -> str:
    return relative_href(target, "checklists/migration.md")


def _render(cache: SiteCache, directory: Path, title: str = "How do I migrate?") -> str:
    checklists, problems = load_checklists(directory, cache)
    assert not problems
    return cache.render_checklist(
        checklists["migration"],
        resolve=_resolve,
        page_title=lambda path: title if path == "migrate.md" else None,
        heading_level=1,
        owners=item_owners(checklists.values()),
    )


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


# ---- in-process: the cache's own rules ---------------------------------------------


def test_second_load_and_render_come_from_the_cache_and_equal_a_fresh_render(
    tmp_path: Path,
) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    first = _render(SiteCache(tmp_path / "cache"), folder)
    assert [p.name.split("-")[0] for p in _entries(tmp_path / "cache")] == ["checklists", "page"]
    again = SiteCache(tmp_path / "cache")
    second = _render(again, folder)
    assert second == first
    assert len(again.used) == 2  # both entries read, nothing written
    checklists, _ = load_checklists(folder)
    assert second == render_checklist(
        checklists["migration"],
        resolve=_resolve,
        page_title=lambda path: "How do I migrate?" if path == "migrate.md" else None,
        heading_level=1,
        owners=item_owners(checklists.values()),
    )


def test_an_edited_checklist_is_loaded_and_rendered_afresh(tmp_path: Path) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    _render(SiteCache(tmp_path / "cache"), folder)
    path = folder / "migration.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("title: ", "title: Edited ", 1), "utf-8")
    html = _render(SiteCache(tmp_path / "cache"), folder)
    assert "Edited " in html


def test_a_renamed_page_title_renders_afresh(tmp_path: Path) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    before = _render(SiteCache(tmp_path / "cache"), folder)
    after = _render(SiteCache(tmp_path / "cache"), folder, title="Migrating step by step")
    assert "How do I migrate?" in before and "How do I migrate?" not in after
    assert "Migrating step by step" in after


def test_problems_are_never_cached(tmp_path: Path) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    shutil.copy(CASES / "invalid" / "bad-severity.yaml", folder / "bad-severity.yaml")
    for _ in range(2):
        _, problems = load_checklists(folder, SiteCache(tmp_path / "cache"))
        assert problems and problems[0].file.endswith("bad-severity.yaml")
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b'{"format": "something-else", "value": []}',
        b'{"format": "' + FORMAT.encode() + b'", "value": [["x", {"id": 1}]]}',
        b'{"format": "' + FORMAT.encode() + b'", "value": {"html": 3}}',
        b"\xff\xfe binary",
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    expected = _render(SiteCache(tmp_path / "cache"), folder)
    for entry in _entries(tmp_path / "cache"):
        entry.write_bytes(damage)
    assert _render(SiteCache(tmp_path / "cache"), folder) == expected


def test_an_unwritable_cache_folder_only_costs_the_cache(tmp_path: Path) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", "utf-8")
    cache = SiteCache(blocker)
    assert "How do I migrate?" in _render(cache, folder)
    assert cache.used == set()


def test_no_folder_caches_nothing(tmp_path: Path) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    cache = SiteCache(None)
    assert _render(cache, folder) == _render(cache, folder)
    assert cache.used == set() and cache.prune() == 0


def test_prune_keeps_recent_entries_and_never_the_current_builds(tmp_path: Path) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    _render(SiteCache(tmp_path / "cache"), folder)
    old = _entries(tmp_path / "cache")
    for path in old:
        os.utime(path, (1_000_000_000, 1_000_000_000))  # long unused
    traps = folder / "traps.yaml"
    traps.write_text(traps.read_text("utf-8") + "\n# edited\n", "utf-8")
    cache = SiteCache(tmp_path / "cache")
    _render(cache, folder)
    assert len(_entries(tmp_path / "cache")) == 4  # two old, two new
    assert cache.prune() == 0  # within KEEP: another configuration may still want them
    assert cache.prune(keep=1) == 2  # the two old ones; this build's two stay
    assert {p.name for p in _entries(tmp_path / "cache")} == cache.used
    assert not any(path.exists() for path in old)


def test_the_cache_key_covers_every_checklist_file(tmp_path: Path) -> None:
    folder = _copy_checklists(tmp_path / "checklists")
    cache = SiteCache(tmp_path / "cache")
    _render(cache, folder)
    (folder / "removal.yaml").unlink()
    assert SiteCache(tmp_path / "cache").checklists(checklist_files(folder)) is None


# ---- real builds ---------------------------------------------------------------------


def test_warm_build_equals_cold_build_and_off_writes_nothing(tmp_path: Path) -> None:
    source = copy_sources(tmp_path / "src")
    sites = []
    for run in ("cold", "warm"):
        result = run_build(source)
        assert result.returncode == 0, result.stderr
        sites.append(source / f"site-{run}")
        (source / "site").rename(sites[-1])
    cache = source / ".cache" / "meshkb"
    assert len(_entries(cache)) == 5  # the loaded set and one page per checklist
    cold, warm = sites
    files = sorted(p.relative_to(cold) for p in cold.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(warm) for p in warm.rglob("*") if p.is_file())
    different = [str(f) for f in files if (cold / f).read_bytes() != (warm / f).read_bytes()]
    assert different in ([], ["sitemap.xml.gz"])  # gzip stamps the time

    shutil.rmtree(source / ".cache")
    config = source / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace("  - meshkb\n", "  - meshkb:\n      cache: false\n"),
        "utf-8",
    )
    result = run_build(source)
    assert result.returncode == 0, result.stderr
    assert not (source / ".cache").exists()
    page = source / "site" / "checklists" / "migration" / "index.html"
    assert page.read_bytes() == (cold / "checklists" / "migration" / "index.html").read_bytes()


def test_the_code_fingerprint_covers_every_source_and_data_file(tmp_path: Path) -> None:
    for name in ("a.py", "schema/s.json", "data/d.yaml", "assets/x.js", "assets/x.css"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", "utf-8")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.py").write_text("x", "utf-8")
    (tmp_path / "notes.txt").write_text("x", "utf-8")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in _source_files(str(tmp_path))]
    assert found == ["a.py", "assets/x.css", "assets/x.js", "data/d.yaml", "schema/s.json"]
    shipped = {Path(p).name for p in _source_files(str(Path(sitecache.__file__).parent))}
    assert {"render.py", "checklist.schema.json", "meshkb-core.js", "cost.yaml"} <= shipped
