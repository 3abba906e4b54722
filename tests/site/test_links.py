"""links.py and `meshkb link`: every kind of ID, citations, unknown IDs, and docs/cite.md."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from meshkb.core.errors import MeshkbError
from meshkb.core.load import checklist_files, load_all
from meshkb.site.linklock import BuiltSite
from meshkb.site.links import Citation, Resolver, parse_citation
from meshkb.site.sources import page_headings, read_site_config, slugify

from ..cli.test_adr import front_matter, headings, link_targets
from ..conftest import CASES, CHECKLISTS, ROOT, run_cli, without_preview_note
from ..sitebuild import repo_site

SITE_URL = read_site_config(ROOT / "mkdocs.yml").site_url


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    checklists = {c.id: c for c in load_all(checklist_files(CHECKLISTS))}
    return Resolver(read_site_config(ROOT / "mkdocs.yml"), checklists)


def link(*argv: str) -> tuple[int, str, str]:
    result = run_cli(
        "--checklists", str(CHECKLISTS), "link", *argv, "--config", str(ROOT / "mkdocs.yml")
    )
    return result.code, result.out, without_preview_note(result.err)


MKDOCS_YML = """\
site_name: test
site_url: https://kb.example.org/meshkb
theme:
  name: material
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
  - toc:
      permalink: !ENV [PERMALINK, true]
plugins:
  - search
  - redirects:
      redirect_maps:
        old.md: guide.md
nav:
  - Start: index.md
  - Guides:
      - The guide: guide.md
"""


def test_site_config_reads_site_url_past_python_tags(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "docs").mkdir()
    site = read_site_config(tmp_path / "mkdocs.yml")
    assert site.site_url == "https://kb.example.org/meshkb/"
    assert site.docs_dir == tmp_path / "docs"
    assert site.nav_titles == {"index.md": "Start", "guide.md": "The guide"}
    assert site.redirects == {"old.md": "guide.md"}


@pytest.mark.parametrize(
    ("config", "override", "expected"),
    [
        ("site_name: x\n", None, "/"),
        ("site_name: x\nsite_url: ''\n", None, "/"),
        ("site_url: https://a.example/b/\n", None, "https://a.example/b/"),
        ("site_url: https://a.example/b/\n", "https://c.example", "https://c.example/"),
        (None, None, "/"),
        (None, "https://c.example/kb/", "https://c.example/kb/"),
    ],
)
def test_site_url_defaults_and_overrides(
    tmp_path: Path, config: str | None, override: str | None, expected: str
) -> None:
    path = None
    if config is not None:
        path = tmp_path / "mkdocs.yml"
        path.write_text(config)
    assert read_site_config(path, override).site_url == expected


def test_a_broken_mkdocs_yml_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_url: [unclosed\n")
    with pytest.raises(MeshkbError, match=r"mkdocs.yml:2:1: not valid YAML"):
        read_site_config(tmp_path / "mkdocs.yml")


PAGE = """\
---
title: Front matter is not a heading
---

# The page

## Step 1: start small {#start-small}

```bash
# a comment in a code block, not a heading
```

## Why `kubectl` matters

## Why `kubectl` matters

### Ünïcode & punctuation!

Setext heading
--------------

## Attributes after the id { #with-class .wide }
"""


def test_page_headings_parse_explicit_anchors_and_toc_slugs() -> None:
    found = [(h.level, h.text, h.anchor, h.explicit, h.line) for h in page_headings(PAGE)]
    assert found == [
        (1, "The page", "the-page", False, 5),
        (2, "Step 1: start small", "start-small", True, 7),
        (2, "Why kubectl matters", "why-kubectl-matters", False, 13),
        (2, "Why kubectl matters", "why-kubectl-matters_1", False, 15),
        (3, "Ünïcode & punctuation!", "unicode-punctuation", False, 17),
        (2, "Setext heading", "setext-heading", False, 19),
        (2, "Attributes after the id", "with-class", True, 22),
    ]


def test_auto_slugs_match_the_built_site() -> None:
    """Our slug is Python-Markdown's: every heading anchor of every page exists in the build."""
    site = BuiltSite(repo_site())
    docs = ROOT / "docs"
    for page in sorted(docs.rglob("*.md")):
        relative = page.relative_to(docs).as_posix()
        url = "/" + ("" if relative == "index.md" else relative.removesuffix(".md") + "/")
        for heading in page_headings(page.read_text(encoding="utf-8")):
            if heading.level > 1:
                assert site.problem(f"{url}#{heading.anchor}") is None, (relative, heading)


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Step 2: the bypass runbook", "step-2-the-bypass-runbook"), ("  A -- b  ", "a-b")],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("query", ["MIG-0005", "mig-0005", "go/MIG-0005/", "/go/MIG-0005"])
def test_an_item_resolves_to_its_go_url_and_checklist_anchor(
    resolver: Resolver, query: str
) -> None:
    found = resolver.resolve(query)
    assert found.kind == "item"
    assert found.id == "MIG-0005"
    assert found.url == f"{SITE_URL}go/MIG-0005/"
    assert found.anchor_url == f"{SITE_URL}checklists/migration/#MIG-0005"
    assert found.citation == "meshkb:migration@1.2.0#MIG-0005"
    assert found.markdown == (
        f"[MIG-0005: Prove mTLS is on between enrolled services]({SITE_URL}go/MIG-0005/)"
    )
    assert found.notes == ()


def test_a_checklist_anchor_url_resolves_to_the_item(resolver: Resolver) -> None:
    assert resolver.resolve("checklists/migration/#MIG-0005").id == "MIG-0005"
    assert resolver.resolve(f"{SITE_URL}go/MIG-0005/").id == "MIG-0005"


def test_a_checklist_resolves_to_its_page(resolver: Resolver) -> None:
    found = resolver.resolve("migration")
    assert (found.kind, found.url, found.citation) == (
        "checklist",
        f"{SITE_URL}checklists/migration/",
        "meshkb:migration@1.2.0",
    )
    assert found.markdown == f"[Migration review]({SITE_URL}checklists/migration/)"
    section = resolver.resolve("checklists/migration/#first-namespace")
    assert section.url == f"{SITE_URL}checklists/migration/#first-namespace"
    with pytest.raises(
        MeshkbError, match="has no section 'first-namespac'; did you mean first-namespace"
    ):
        resolver.resolve("checklists/migration/#first-namespac")


@pytest.mark.parametrize(
    "query",
    [
        "migrate#bypass-runbook",
        "migrate.md#bypass-runbook",
        "migrate/#bypass-runbook",
        "/migrate/#bypass-runbook",
        f"{SITE_URL}migrate/#bypass-runbook",
    ],
)
def test_a_page_section_resolves_after_checking_page_and_anchor(
    resolver: Resolver, query: str
) -> None:
    found = resolver.resolve(query)
    assert found.kind == "page"
    assert found.id == "migrate.md#bypass-runbook"
    assert found.url == f"{SITE_URL}migrate/#bypass-runbook"
    assert found.title == "The migration pattern — Step 2: the bypass runbook"
    assert found.citation is None
    assert found.notes == ()


@pytest.mark.parametrize(
    ("query", "url"),
    [
        ("migrate", "migrate/"),
        ("index", ""),
        ("index.md#start-here", "#start-here"),
        ("reference/cli.md#link", "reference/cli/#link"),
        ("cite#example-adr", "cite/#example-adr"),
    ],
)
def test_pages_resolve(resolver: Resolver, query: str, url: str) -> None:
    assert resolver.resolve(query).url == SITE_URL + url


def test_a_generated_anchor_resolves_with_a_note(resolver: Resolver) -> None:
    headings_ = resolver.headings("decide.md")
    generated = next(h for h in headings_ if not h.explicit and h.level > 1)
    found = resolver.resolve(f"decide#{generated.anchor}")
    assert found.url == f"{SITE_URL}decide/#{generated.anchor}"
    assert len(found.notes) == 1
    assert "changes when the heading is reworded" in found.notes[0]
    assert f"{{#{generated.anchor}}}" in found.notes[0]


def test_a_name_that_is_a_checklist_and_a_page_means_the_checklist(resolver: Resolver) -> None:
    found = resolver.resolve("traps")
    assert found.kind == "checklist"
    assert found.notes == ("'traps' is also a page: ask for 'traps.md' to link the page",)
    assert resolver.resolve("traps.md").kind == "page"


def test_a_retired_item_resolves_with_its_replacement(tmp_path: Path) -> None:
    shutil.copy(CASES / "valid" / "sample.yaml", tmp_path / "sample.yaml")
    checklists = {c.id: c for c in load_all(checklist_files(tmp_path))}
    found = Resolver(read_site_config(None), checklists).resolve("SMP-0003")
    assert found.url == "/go/SMP-0003/"
    assert found.title.endswith("(retired)")
    assert found.notes == (
        "SMP-0003 is retired: replaced by SMP-0004; /go/SMP-0003/ forwards there",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meshkb:migration@1.0.0#MIG-0003", Citation("migration", "1.0.0", "MIG-0003")),
        ("meshkb:migration@1.0.0", Citation("migration", "1.0.0", None)),
        ("meshkb:migration#MIG-0003", Citation("migration", None, "MIG-0003")),
        ("meshkb:migration", Citation("migration", None, None)),
        ("meshkb:migration@2.0.0-rc.1#mig-0003", Citation("migration", "2.0.0-rc.1", "MIG-0003")),
    ],
)
def test_citations_parse_and_print_back(text: str, expected: Citation) -> None:
    parsed = parse_citation(text)
    assert parsed == expected
    assert parse_citation(str(parsed)) == parsed
    assert str(parsed).lower() == text.lower()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("migration@1.0.0#MIG-0003", "is not a meshkb citation"),
        ("meshkb:migration@1.0#MIG-0003", "'1.0' is not a semantic version"),
        ("meshkb:migration@v1.0.0", "'v1.0.0' is not a semantic version"),
        ("meshkb:Migration@1.0.0", "is not a meshkb citation"),
        ("meshkb:migration@1.0.0#MIG-3", "is not a meshkb citation"),
    ],
)
def test_malformed_citations_are_refused(text: str, message: str) -> None:
    with pytest.raises(MeshkbError, match=message):
        parse_citation(text)


def test_a_citation_of_the_current_version_resolves_quietly(resolver: Resolver) -> None:
    found = resolver.resolve("meshkb:migration@1.2.0#MIG-0003")
    assert (found.url, found.citation, found.notes) == (
        f"{SITE_URL}go/MIG-0003/",
        "meshkb:migration@1.2.0#MIG-0003",
        (),
    )


def test_a_citation_of_another_version_is_noted(resolver: Resolver) -> None:
    found = resolver.resolve("meshkb:migration@0.9.0#MIG-0003")
    assert found.citation == "meshkb:migration@0.9.0#MIG-0003"
    assert found.notes == (
        "meshkb:migration@0.9.0#MIG-0003 cites version 0.9.0; migration is now at 1.2.0 and MIG-0003 at rev 1: check its meaning still matches, then cite meshkb:migration@1.2.0#MIG-0003",
    )
    whole = resolver.resolve("meshkb:migration@0.9.0")
    assert whole.url == f"{SITE_URL}checklists/migration/"
    assert "migration is now at 1.2.0" in whole.notes[0]


def test_a_citation_of_another_checklists_item_is_refused(resolver: Resolver) -> None:
    with pytest.raises(MeshkbError, match="ADP-0001 is not an item of checklist 'migration'"):
        resolver.resolve("meshkb:migration@1.2.0#ADP-0001")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("MIG-0099", "unknown ID 'MIG-0099'; did you mean "),
        ("MIG-003", "unknown ID 'MIG-003'; did you mean MIG-0003, MIG-0013"),
        ("mig-003", "did you mean MIG-0003, MIG-0013"),
        ("migraton", "unknown ID 'migraton'; did you mean migration, migrate"),
        ("meshkb:migraton@1.0.0", "unknown ID 'migraton'; did you mean migration"),
        ("go/MIG-0099/", "unknown ID 'MIG-0099'"),
        ("migrate#bypas", "docs/migrate.md: no heading with anchor #bypas; did you mean #bypass-"),
        ("migrate#nothing-like-it", "docs/migrate.md: no heading with anchor #nothing-like-it"),
        ("nothing", "unknown ID 'nothing'"),
    ],
)
def test_unknown_ids_exit_2_with_the_closest_matches(query: str, message: str) -> None:
    code, out, err = link(query)
    assert code == 2
    assert out == ""
    assert err.startswith("meshkb: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_text_format(tmp_path: Path) -> None:
    code, out, err = link("MIG-0003")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "MIG-0003: Enrol one namespace, and only one or two services in it",
        f"  url:       {SITE_URL}go/MIG-0003/",
        f"  page:      {SITE_URL}checklists/migration/#MIG-0003",
        "  citation:  meshkb:migration@1.2.0#MIG-0003",
        f"  markdown:  [MIG-0003: Enrol one namespace, and only one or two services in it]({SITE_URL}go/MIG-0003/)",
    ]


def test_json_format() -> None:
    code, out, err = link("meshkb:migration@0.9.0#MIG-0003", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data == {
        "kind": "item",
        "id": "MIG-0003",
        "title": "MIG-0003: Enrol one namespace, and only one or two services in it",
        "url": f"{SITE_URL}go/MIG-0003/",
        "anchor_url": f"{SITE_URL}checklists/migration/#MIG-0003",
        "citation": "meshkb:migration@0.9.0#MIG-0003",
        "markdown": f"[MIG-0003: Enrol one namespace, and only one or two services in it]({SITE_URL}go/MIG-0003/)",
        "notes": [err.removeprefix("meshkb: note: ").rstrip("\n")],
    }
    assert err.startswith("meshkb: note: meshkb:migration@0.9.0#MIG-0003 cites version 0.9.0")


def test_site_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHKB_SITE_URL", "https://kb.example.org")
    code, out, _ = link("MIG-0003", "-f", "json")
    assert code == 0
    assert json.loads(out)["url"] == "https://kb.example.org/go/MIG-0003/"


CITE = ROOT / "docs" / "cite.md"


def _fences(info: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(CITE.read_text(encoding="utf-8"))
    return [t.content for t in tokens if t.type == "fence" and t.info.strip() == info]


def test_cite_page_console_examples_match_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `$ meshkb link ...` shown on docs/cite.md prints exactly what the page says.

    The page shows URLs under the published address its first block exports.
    """
    examples = 0
    for block in _fences("console"):
        chunks = block.split("$ ")[1:]
        for chunk in chunks:
            command, _, shown = chunk.partition("\n")
            argv = shlex.split(command)
            if argv[:1] == ["export"]:
                name, _, value = argv[1].partition("=")
                monkeypatch.setenv(name, value)
                continue
            if argv[:2] != ["meshkb", "link"]:
                continue
            code, out, err = link(*argv[2:])
            assert code == 0
            assert err + out == shown, command  # the note (stderr) comes first
            examples += 1
    assert examples >= 3
    assert "127.0.0.1" not in (ROOT / "docs" / "cite.md").read_text(encoding="utf-8")


def test_cite_page_example_adr_is_madr_and_every_link_resolves() -> None:
    (example,) = _fences("markdown")
    data = front_matter(example)
    assert list(data) == ["status", "date", "decision-makers", "consulted", "informed"]
    found = headings(example)
    assert found[0] == (1, "Adopt Linkerd for mTLS")
    from meshkb.adr import SECTIONS

    assert [t for _, t in found if t in SECTIONS] == list(SECTIONS)
    published = "https://docs.example.org/meshkb/"  # the address the page's examples use
    site = BuiltSite(repo_site(), published)
    targets = link_targets(example)
    assert any("/go/" in t for t in targets) and any("/checklists/" in t for t in targets)
    relative = [t for t in targets if not t.startswith(published)]
    assert relative == ["../../reviews/payments-migration.md"]  # the team's own report file
    for href in targets:
        if href.startswith(published):
            assert site.problem("/" + href[len(published) :]) is None, href
