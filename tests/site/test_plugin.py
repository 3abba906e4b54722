"""The MkDocs plugin and the Markdown extension: hooks on bare instances, then real builds."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import markdown
import pytest
from meshkb import mkdocs_plugin
from meshkb.core.errors import MeshkbError
from meshkb.core.load import checklist_files, load_all, load_checklist
from meshkb.markdown_ext import MeshkbExtension, load_checklists
from meshkb.mkdocs_plugin import MeshkbPlugin, page_markdown
from meshkb.site.gopages import render_go_pages

from ..conftest import CASES, CHECKLISTS
from ..sitebuild import BUILD_ENV, copy_sources, repo_site

SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")


def run_build(source: Path, *, strict: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict" if strict else "--no-strict",
            "--config-file",
            str(source / "mkdocs.yml"),
            "--site-dir",
            str(source / "site"),
        ],
        cwd=source,
        env={**os.environ, **BUILD_ENV},
        capture_output=True,
        text=True,
        timeout=600,
    )


def convert(text: str, directory: Path = CASES / "valid") -> str:
    return markdown.markdown(text, extensions=[MeshkbExtension(checklists_dir=str(directory))])


def refresh_target(html: str) -> str:
    match = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html)
    assert match, html
    return unescape(match.group(1))


@pytest.mark.parametrize(
    ("item_id", "target", "note"),
    [
        ("SMP-0001", "../../checklists/sample/#SMP-0001", ""),
        (
            "SMP-0003",
            "../../checklists/sample/#SMP-0004",
            "SMP-0003 (An old item) was retired; it is replaced by SMP-0004.",
        ),
    ],
)
def test_go_page_forwards_without_javascript(item_id: str, target: str, note: str) -> None:
    html = render_go_pages([SAMPLE], site_url="http://127.0.0.1:8000/")[item_id]
    assert refresh_target(html) == target
    assert f'<a href="{target}">' in html
    assert note in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000/checklists/sample/#' in html
    assert "<script" not in html


def test_generated_page_escapes_the_title_themes_print_as_html() -> None:
    text = page_markdown(load_checklist(CASES / "hostile" / "hostile.yaml"))
    assert text.startswith('---\ntitle: "&lt;script&gt;')
    assert text.endswith("\n\n[[meshkb:checklist hostile]]\n")


def test_hooks_register_the_extension_and_the_assets() -> None:
    from mkdocs.config.defaults import MkDocsConfig

    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": str(CASES)})
    config.validate()
    plugin = MeshkbPlugin()
    plugin.load_config({})
    plugin.on_config(config)
    assert plugin.extension in config.markdown_extensions
    assert "assets/meshkb/meshkb.css" in config.extra_css
    scripts = [str(s) for s in config.extra_javascript]
    # The page module uses the core, so the core must come first.
    assert scripts.index("assets/meshkb/meshkb-core.js") < scripts.index(
        "assets/meshkb/meshkb-page.js"
    )


def test_load_checklists_keeps_the_good_files_and_reports_the_bad(tmp_path: Path) -> None:
    (tmp_path / "sample.yaml").write_text((CASES / "valid" / "sample.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    good, problems = load_checklists(tmp_path)
    assert list(good) == ["sample"]
    assert problems and str(problems[0]).startswith(f"{tmp_path / 'broken.yaml'}:")


def test_directive_alone_in_a_paragraph_embeds_the_checklist() -> None:
    html = convert("# Review\n\nBefore.\n\n[[meshkb:checklist sample]]\n\nAfter.\n")
    assert '<div class="meshkb" data-meshkb="sample">' in html
    assert "<p>[[meshkb" not in html
    assert html.index("Before.") < html.index('class="meshkb"') < html.index("After.")


@pytest.mark.parametrize(
    "text",
    [
        "```\n[[meshkb:checklist sample]]\n```\n",
        "~~~~md\n[[meshkb:checklist sample]]\n~~~~\n",
        "    [[meshkb:checklist sample]]\n",
        "Inline [[meshkb:checklist sample]] mention.\n",
        "A paragraph\n[[meshkb:checklist sample]]\n",
    ],
)
def test_directive_in_code_or_inside_a_paragraph_is_left_alone(text: str) -> None:
    assert 'class="meshkb"' not in convert(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Intro.\n\n[[meshkb:checklist nope]]\n", "<markdown>:3:1: no checklist 'nope'"),
        ("\n\n\n[[meshkb:wat x]]\n", "<markdown>:4:1: unknown directive [[meshkb:wat]]"),
        (
            "[[meshkb:checklist Bad Name]]\n",
            "<markdown>:1:1: checklist directive needs one checklist ID",
        ),
    ],
)
def test_directive_problems_name_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(MeshkbError) as caught:
        convert(text)
    assert str(caught.value).startswith(message)


def test_a_broken_checklist_surfaces_with_its_own_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("format: meshkb/checklist/v1\nid: broken\nsections: [\n")
    with pytest.raises(MeshkbError) as caught:
        convert("[[meshkb:checklist broken]]\n", tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'broken.yaml'}:4:")


def test_directives_can_be_added() -> None:
    ext = MeshkbExtension(checklists_dir=str(CASES / "valid"))
    ext.directives["hello"] = lambda args: f'<div id="hello-{args}">hi</div>'
    html = markdown.markdown("[[meshkb:hello world]]\n", extensions=[ext])
    assert '<div id="hello-world">hi</div>' in html
    assert ext.state.anchors == {"hello-world"}


def test_repo_site_builds_strict_with_a_page_per_checklist_and_per_item() -> None:
    site = repo_site()
    home = (site / "index.html").read_text(encoding="utf-8")
    for checklist in load_all(checklist_files(CHECKLISTS)):
        page = (site / "checklists" / checklist.id / "index.html").read_text(encoding="utf-8")
        assert f'data-meshkb="{checklist.id}"' in page
        core = page.index('src="../../assets/meshkb/meshkb-core.js"')
        assert core < page.index('src="../../assets/meshkb/meshkb-page.js"')
        assert 'href="../../assets/meshkb/meshkb.css"' in page
        assert f'href="checklists/{checklist.id}/"' in home, "the checklist is in the nav"
        for item in checklist.all_items():
            assert f'id="{item.id}"' in page
            go = (site / "go" / item.id / "index.html").read_text(encoding="utf-8")
            target = item.replaced_by if item.retired and item.replaced_by else item.id
            assert refresh_target(go).endswith(f"/#{target}")
    assert (site / "assets" / "meshkb" / "meshkb-core.js").is_file()
    assert (site / "assets" / "meshkb" / "meshkb-page.js").is_file()


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """One strict build of a copy of the site with three kinds of mistakes, plus a new checklist."""
    source = copy_sources(tmp_path_factory.mktemp("broken"))
    shutil.copy2(CASES / "valid" / "sample.yaml", source / "checklists" / "sample.yaml")
    (source / "checklists" / "zz-broken.yaml").write_text(
        "format: meshkb/checklist/v1\nid: zz-broken\nprefix: ZZB\n  version: 1.0.0\n",
        encoding="utf-8",
    )
    (source / "docs" / "extra.md").write_text(
        "# Extra\n\nSee [a missing item](checklists/migration.md#MIG-9999)"
        " and [a real one](checklists/migration.md#MIG-0001).\n\n[[meshkb:checklist nope]]\n",
        encoding="utf-8",
    )
    config = source / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("\nnav:\n", "\nnav:\n  - Extra: extra.md\n", 1),
        encoding="utf-8",
    )
    return run_build(source)


def test_a_broken_checklist_fails_the_strict_build_with_file_and_line(
    broken_build: subprocess.CompletedProcess[str],
) -> None:
    output = broken_build.stdout + broken_build.stderr
    assert broken_build.returncode != 0
    assert re.search(
        r"WARNING -  meshkb: \S*checklists/zz-broken\.yaml:4:\d+: not valid YAML", output
    ), output


def test_an_unknown_checklist_names_the_page_and_line(
    broken_build: subprocess.CompletedProcess[str],
) -> None:
    output = broken_build.stdout + broken_build.stderr
    assert "meshkb: extra.md:5:1: unknown checklist 'nope'" in output, output


def test_item_anchors_are_checked_by_mkdocs(broken_build: subprocess.CompletedProcess[str]) -> None:
    output = broken_build.stdout + broken_build.stderr
    assert "does not contain an anchor '#MIG-9999'" in output, output
    assert "#MIG-0001'" not in output
    assert "Traceback" not in output


def test_a_checklist_missing_from_the_nav_is_added_to_its_section(
    broken_build: subprocess.CompletedProcess[str],
) -> None:
    site = Path(broken_build.args[broken_build.args.index("--site-dir") + 1])
    home = (site / "index.html").read_text(encoding="utf-8")
    section = home[home.index("Checklists") :]
    assert section.index('href="checklists/removal/"') < section.index('href="checklists/sample/"')
    assert (site / "go" / "SMP-0003" / "index.html").is_file()


def test_page_assets_fit_in_twenty_two_kilobytes_gzipped() -> None:
    """The checklist page's own JS and CSS. The budget was 16 kB until issue 18 added the
    compact design (state icons, sticky summary, export menu, share and copy): 20.5 kB."""
    assets = Path(mkdocs_plugin.__file__).parent / "assets"
    sizes = {
        name: len(gzip.compress((assets / name).read_bytes(), 9))
        for name in ("meshkb-core.js", "meshkb-page.js", "meshkb.css")
    }
    assert sum(sizes.values()) <= 22 * 1000, sizes
