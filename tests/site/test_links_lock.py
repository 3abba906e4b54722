"""tests/links.lock: every URL and anchor once published still resolves in a real build.

Set MESHKB_UPDATE_LOCK=1 to add new entries to the lock (it never removes one), the same
as `meshkb links update`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from meshkb.core.load import checklist_files, load_all
from meshkb.site.linklock import BuiltSite, check_lock, published, read_lock, update_lock
from meshkb.site.sources import find_config, read_site_config

from ..conftest import ROOT, run_cli
from ..sitebuild import ENGINES, build, copy_sources, repo_site, repo_zensical_site

LOCK = ROOT / "tests" / "links.lock"
UPDATE_HINT = "run the update: MESHKB_UPDATE_LOCK=1 pytest tests/site/test_links_lock.py, or meshkb links update"


def current_entries(root: Path) -> list[str]:
    site = read_site_config(find_config(str(root / "mkdocs.yml")))
    return published(site, load_all(checklist_files(root / "checklists")))


def lock_problems(root: Path, site_dir: Path) -> tuple[str, ...]:
    site = read_site_config(find_config(str(root / "mkdocs.yml")))
    return check_lock(read_lock(LOCK), [], BuiltSite(site_dir, site.site_url)).broken


def test_lock_lists_everything_published() -> None:
    current = current_entries(ROOT)
    if os.environ.get("MESHKB_UPDATE_LOCK") == "1":
        update_lock(LOCK, current)
    new = sorted(set(current) - set(read_lock(LOCK)))
    assert not new, (
        f"{len(new)} published URL(s) missing from tests/links.lock (new; {UPDATE_HINT}):\n"
        + "\n".join(new)
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_every_locked_url_and_anchor_resolves_in_the_built_site(engine: str) -> None:
    broken = lock_problems(ROOT, repo_zensical_site() if engine == "zensical" else repo_site())
    assert not broken, (
        f"{len(broken)} locked URL(s) no longer resolve; a moved page needs a redirect (mkdocs.yml redirect_maps):\n"
        + "\n".join(broken)
    )


def test_lock_is_sorted_unique_and_covers_every_kind_of_url() -> None:
    entries = read_lock(LOCK)
    assert entries == sorted(set(entries))
    for expected in (
        "/",
        "/migrate/",
        "/migrate/#bypass-runbook",
        "/cite/#stable-links",
        "/cite/#versioned-citations",
        "/cite/#example-adr",
        "/cite/#redirects",
        "/checklists/migration/",
        "/checklists/migration/#first-namespace",
        "/checklists/migration/#MIG-0003",
        "/go/MIG-0003/",
    ):
        assert expected in entries
    for checklist in load_all(checklist_files(ROOT / "checklists")):
        for item in checklist.all_items():
            assert f"/go/{item.id}/" in entries
            assert f"/checklists/{checklist.id}/#{item.id}" in entries


def test_every_go_page_forwards_to_its_item_on_the_checklist_page() -> None:
    site = BuiltSite(repo_site())
    for checklist in load_all(checklist_files(ROOT / "checklists")):
        items = checklist.item_by_id()
        for item in checklist.all_items():
            page = site.page(f"/go/{item.id}/")
            assert page is not None and page.refresh is not None, item.id
            target = item.replaced_by if item.retired and item.replaced_by else item.id
            assert page.refresh.endswith(f"#{target}"), (item.id, page.refresh)
            assert site.problem(f"/go/{item.id}/") is None
            assert target in items or item.retired


def _rename_page(root: Path, old: str, new: str) -> None:
    """Move docs/<old> to docs/<new> and fix every link to it, as an author would."""
    (root / "docs" / old).rename(root / "docs" / new)
    pattern = re.compile(rf"(?<![\w/.-]){re.escape(old)}\b")
    files = [*(root / "docs").rglob("*.md"), *(root / "checklists").glob("*.yaml")]
    for path in [*files, root / "mkdocs.yml"]:
        text = path.read_text(encoding="utf-8")
        changed = pattern.sub(new, text)
        if changed != text:
            path.write_text(changed, encoding="utf-8")


def _add_redirect(root: Path, old: str, new: str) -> None:
    """Add `old: new` to mkdocs-redirects' redirect_maps, editing the YAML as text."""
    config = root / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("redirect_maps:"))
    line = lines[index]
    indent = len(line) - len(line.lstrip()) + 2
    if line.rstrip().endswith("{}"):
        lines[index] = line.rstrip()[: -len("{}")].rstrip()
    lines.insert(index + 1, " " * indent + f"{old}: {new}")
    config.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize(("old", "new"), [("remove.md", "leave.md")])
def test_a_moved_page_breaks_the_lock_until_it_gets_a_redirect(
    tmp_path: Path, old: str, new: str
) -> None:
    root = copy_sources(tmp_path / "src")
    old_url = "/" + old.removesuffix(".md") + "/"
    _rename_page(root, old, new)

    broken = lock_problems(root, build(root, tmp_path / "moved"))
    assert broken, "renaming a page without a redirect must break the lock"
    assert all(line.startswith(old_url) for line in broken), broken
    assert any(line.startswith(f"{old_url}: ") for line in broken)
    assert any(line.startswith(f"{old_url}#") for line in broken), "its anchors break too"
    assert f"no {old_url.strip('/')}/index.html in the built site" in broken[0]

    _add_redirect(root, old, new)
    redirected = build(root, tmp_path / "redirected")
    assert lock_problems(root, redirected) == ()
    page = BuiltSite(redirected).page(old_url)
    assert page is not None and page.refresh is not None  # the old URL is a redirect page
    assert old_url in current_entries(root), "a redirect source stays a published URL"


def _write(site: Path, path: str, html: str) -> None:
    file = site / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(html, encoding="utf-8")


def _redirect(url: str) -> str:
    return f'<!doctype html><html><head><meta http-equiv="refresh" content="0; url={url}"></head><body></body></html>'


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("/page/", None),
        ("/page/#here", None),
        ("/page/#gone", "/page/: the page has no element with id 'gone'"),
        ("/missing/", "/missing/: no missing/index.html in the built site"),
        ("/old/", None),
        ("/old/#here", None),
        ("/old/#gone", "/old/ -> /page/: the page has no element with id 'gone'"),
        ("/go/X-1/", None),
        ("/go/X-2/", "/go/X-2/ -> /page/: the page has no element with id 'retired'"),
        ("/chain/#here", None),
        ("/dangling/", "/dangling/ -> /nowhere/: no nowhere/index.html in the built site"),
        ("/loop/", "/loop/ -> /loop2/ -> /loop/: redirect loop"),
        ("/absolute/#here", None),
        ("/external/", None),
    ],
)
def test_built_site_follows_redirects_and_checks_anchors_on_the_target(
    tmp_path: Path, entry: str, problem: str | None
) -> None:
    _write(tmp_path, "page/index.html", '<h2 id="here">Here</h2><p id="other"></p>')
    _write(tmp_path, "old/index.html", _redirect("../page/"))
    _write(tmp_path, "go/X-1/index.html", _redirect("../../page/#here"))
    _write(tmp_path, "go/X-2/index.html", _redirect("../../page/#retired"))
    _write(tmp_path, "chain/index.html", _redirect("../old/"))
    _write(tmp_path, "dangling/index.html", _redirect("/nowhere/"))
    _write(tmp_path, "loop/index.html", _redirect("../loop2/"))
    _write(tmp_path, "loop2/index.html", _redirect("../loop/"))
    _write(tmp_path, "absolute/index.html", _redirect("https://kb.example.org/docs/page/"))
    _write(tmp_path, "external/index.html", _redirect("https://elsewhere.example.com/"))
    site = BuiltSite(tmp_path, "https://kb.example.org/docs/")
    assert site.problem(entry) == problem


def test_links_commands_update_and_check_through_the_cli(tmp_path: Path) -> None:
    """`meshkb links update` adds what is new; `meshkb links check SITE_DIR` checks a build."""
    lock = tmp_path / "links.lock"
    lock.write_text(LOCK.read_text(encoding="utf-8").replace("/cost/\n", ""), encoding="utf-8")
    config = str(ROOT / "mkdocs.yml")
    checked = run_cli("links", "check", str(repo_site()), "--config", config, "--lock", str(lock))
    assert checked.code == 1
    assert "new: /cost/ (run: meshkb links update)" in checked.out
    updated = run_cli("links", "update", "--config", config, "--lock", str(lock))
    assert (updated.code, updated.out) == (0, "/cost/\n")
    assert lock.read_text(encoding="utf-8") == LOCK.read_text(encoding="utf-8")
    again = run_cli("links", "check", str(repo_site()), "--config", config, "--lock", str(lock))
    assert (again.code, again.out) == (0, "")
    missing = run_cli("links", "check", str(repo_site()), "--config", str(tmp_path / "no.yml"))
    assert missing.code == 2 and "no such file" in missing.err
