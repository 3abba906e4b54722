"""Backstage TechDocs: mkdocs.techdocs.yml builds with mkdocs-techdocs-core, and the
checklist pages read as static lists once scripts are gone (TechDocs removes them).

The build runs in a venv of its own (tests/sitebuild.py: `meshkb[techdocs]` pins its own
Material), made from the registry on first use and kept in .venv-techdocs/.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import yaml
from meshkb.core.load import checklist_files, load_all
from meshkb.site.linklock import BuiltSite, check_lock, read_lock
from meshkb.site.sources import read_site_config

from ..conftest import CHECKLISTS, ROOT
from ..sitebuild import repo_techdocs_site

VOID = ("input", "br", "img", "meta", "link", "hr", "wbr", "source")
SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


class _Text(HTMLParser):
    """Visible text of a page, skipping `hidden` elements and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        skipped = self._skip or any(name == "hidden" for name, _ in attrs)
        if (skipped or tag in ("script", "style")) and tag not in VOID:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def test_the_techdocs_variant_builds_with_techdocs_core_and_keeps_every_locked_url() -> None:
    site = repo_techdocs_site()
    assert (site / "techdocs_metadata.json").is_file()  # written by techdocs-core
    config = read_site_config(ROOT / "mkdocs.yml")
    broken = check_lock(
        read_lock(ROOT / "tests" / "links.lock"), [], BuiltSite(site, config.site_url)
    ).broken
    assert broken == ()


def test_without_scripts_each_checklist_page_reads_as_a_list_and_names_the_cli() -> None:
    site = repo_techdocs_site()
    for checklist in load_all(checklist_files(CHECKLISTS)):
        html = (site / "checklists" / checklist.id / "index.html").read_text(encoding="utf-8")
        sanitised = SCRIPT.sub("", html)
        parser = _Text()
        parser.feed(sanitised)
        text = parser.text()
        assert checklist.title in text
        for item in checklist.active_items():
            assert item.id in text and " ".join(item.title.split()) in text, item.id
        assert "Backstage TechDocs removes them" in text
        assert f"meshkb checklist {checklist.id} -o review.md" in text
        assert "meshkb report check review.md" in text


def test_the_variant_inherits_mkdocs_yml_and_keeps_its_redirects() -> None:
    variant = yaml.safe_load((ROOT / "mkdocs.techdocs.yml").read_text(encoding="utf-8"))
    assert variant["INHERIT"] == "mkdocs.yml"
    names = [next(iter(p)) if isinstance(p, dict) else p for p in variant["plugins"]]
    assert names[0] == "techdocs-core" and "meshkb" in names and "search" not in names
    redirects = next(p["redirects"] for p in variant["plugins"] if isinstance(p, dict))
    assert (redirects.get("redirect_maps") or {}) == dict(
        read_site_config(ROOT / "mkdocs.yml").redirects
    )


def test_catalog_info_points_techdocs_at_this_folder() -> None:
    entity = yaml.safe_load((ROOT / "catalog-info.yaml").read_text(encoding="utf-8"))
    assert entity["apiVersion"] == "backstage.io/v1alpha1" and entity["kind"] == "Component"
    assert entity["metadata"]["annotations"]["backstage.io/techdocs-ref"] == "dir:."
