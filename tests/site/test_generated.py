"""The files `meshkb site generate` keeps in docs/: current, refreshed by one command.

Zensical runs no MkDocs plugin, so the checklist pages, the /go/ links and the assets are
files in docs/ (docs/engines.md). A stale one fails here, naming the command.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from meshkb.core.load import checklist_files, load_all
from meshkb.site.generate import OWNED, REFRESH, drift, every_page_assets, generated_files

from ..conftest import CHECKLISTS, ROOT, run_cli
from ..sitebuild import BUILD_ENV, copy_sources

DOCS = ROOT / "docs"


def test_the_generated_files_in_docs_are_current() -> None:
    expected = generated_files(load_all(checklist_files(CHECKLISTS)))
    stale = drift(DOCS, expected)
    assert not stale, (
        f"generated files in docs/ are stale: run `{REFRESH}` and commit the result\n"
        + "\n".join(stale.lines(DOCS))
    )
    # Every checklist, every item, every asset.
    for checklist in load_all(checklist_files(CHECKLISTS)):
        assert f"checklists/{checklist.id}.md" in expected
        for item in checklist.all_items():
            assert f"go/{item.id}/index.html" in expected
    assert {p for p in expected if p.startswith(OWNED[2])} == {
        f"{OWNED[2]}/{a.name}" for a in (ROOT / "plugins" / "meshkb" / "assets").iterdir()
    }


def test_mkdocs_yml_loads_the_extension_and_every_page_asset_for_any_engine() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  - meshkb\.markdown_ext$", config, re.M)
    css, js = every_page_assets()
    for section, wanted in (("extra_css", css), ("extra_javascript", js)):
        listed = re.search(rf"^{section}:\n((?:  - .*\n)+)", config, re.M)
        assert listed, f"mkdocs.yml has no {section}"
        # meshkb's own first; the site's theme files may follow.
        assert [line[4:] for line in listed.group(1).splitlines()][: len(wanted)] == wanted, (
            f"mkdocs.yml {section} must list {wanted} first: Zensical loads only what it lists"
        )


def test_check_names_each_stale_file_and_the_command_then_generate_fixes_it(
    tmp_path: Path,
) -> None:
    source = copy_sources(tmp_path / "src")
    config = str(source / "mkdocs.yml")
    assert run_cli("site", "generate", "--check", "--config", config).code == 0
    checklist = source / "checklists" / "removal.yaml"
    checklist.write_text(
        checklist.read_text(encoding="utf-8").replace("title: ", "title: Renamed ", 1),
        encoding="utf-8",
    )
    (source / "docs" / "go" / "RMV-0001" / "index.html").unlink()
    extra = source / "docs" / "go" / "OLD-0001" / "index.html"
    extra.parent.mkdir()
    extra.write_text("stale", encoding="utf-8")
    before = {p: p.read_bytes() for p in (source / "docs").rglob("*") if p.is_file()}

    check = run_cli("site", "generate", "--check", "--config", config)
    assert check.code == 1
    docs = source / "docs"
    assert f"meshkb: {docs / 'checklists' / 'removal.md'}: out of date" in check.err
    assert f"meshkb: {docs / 'go' / 'RMV-0001' / 'index.html'}: missing" in check.err
    assert f"{docs / 'go' / 'OLD-0001' / 'index.html'}: not generated" in check.err
    assert f"run `{REFRESH}`" in check.err
    assert {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()} == before

    done = run_cli("site", "generate", "--config", config)
    assert done.code == 0, done.err
    assert f"{docs / 'go' / 'OLD-0001' / 'index.html'}: removed" in done.err
    assert not extra.parent.exists()
    assert 'title: "Renamed ' in (docs / "checklists" / "removal.md").read_text(encoding="utf-8")
    assert run_cli("site", "generate", "--check", "--config", config).code == 0


def test_a_broken_checklist_writes_nothing_and_exits_2(tmp_path: Path) -> None:
    source = copy_sources(tmp_path / "src")
    (source / "checklists" / "traps.yaml").write_text("id: traps\ntitle: [unclosed\n")
    shutil.rmtree(source / "docs" / "go")
    result = run_cli("site", "generate", "--config", str(source / "mkdocs.yml"))
    assert result.code == 2
    assert result.err.startswith(f"meshkb: error: {source / 'checklists' / 'traps.yaml'}:3:1: ")
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert not (source / "docs" / "go").exists()


def test_the_mkdocs_build_fails_on_a_stale_generated_file_naming_the_command(
    tmp_path: Path,
) -> None:
    import os
    import subprocess
    import sys

    source = copy_sources(tmp_path / "src")
    page = source / "docs" / "checklists" / "adoption.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEdited by hand.\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(source / "mkdocs.yml")],
        cwd=source,
        env={**os.environ, **BUILD_ENV},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1
    assert f"{page} is out of date: run `{REFRESH}`" in result.stderr
