"""MkDocs hook for the benchmark's baseline: the meshkb plugin's output, replayed.

`sitecopy.config_replay_site` records everything the plugin adds to a build of this
site and writes a config without the plugin that loads this hook. The hook pastes the
recording back where the plugin put it and does nothing else: no YAML, no validation,
no Markdown rendering. A build with it costs what the same site costs without the
plugin's own work.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

_recorded: dict[str, Any] = {}
_expansions: dict[tuple[str, int], dict[str, Any]] = {}
_page: dict[str, Any] = {"src_uri": "", "offset": 0}


class _Replay(Preprocessor):  # type: ignore[misc]
    """Where the plugin expanded a directive, the recorded output (HTML into the stash)."""

    def run(self, lines: list[str]) -> list[str]:
        src_uri, offset = _page["src_uri"], _page["offset"]
        out: list[str] = []
        for index, line in enumerate(lines):
            found = _expansions.get((src_uri, index + 1 + offset))
            if found is None:
                out.append(line)
            elif found["markdown"]:
                out.extend(["", *found["text"].split("\n"), ""])
            else:
                out.extend(["", self.md.htmlStash.store(found["text"]), ""])
        tags = _recorded.get("assets", {}).get(src_uri)
        if tags:  # the on-demand assets the extension adds after the widgets
            out.extend(["", self.md.htmlStash.store(tags), ""])
        # Fact references are the site's content, not the plugin's: the Markdown extension
        # resolves them with or without the plugin, so the baseline resolves them too.
        from meshkb.core import facts

        return facts.resolve_lines(facts.shipped(), out, src_uri, lambda *problem: None)


class _ReplayExtension(Extension):  # type: ignore[misc]
    def extendMarkdown(self, md: Markdown) -> None:  # Python-Markdown's API name
        md.preprocessors.register(_Replay(md), "meshkb_replay", 27)  # where the plugin's is
        # The tables' boxes and class are the site's markup, not the plugin's: the Markdown
        # extension adds them with or without the plugin, so the baseline adds them too.
        from meshkb.markdown_ext import TableTreeprocessor

        md.treeprocessors.register(TableTreeprocessor(md), "meshkb_tables", 1)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    recording = Path(config.config_file_path).parent / "recorded.json"
    _recorded.clear()
    _recorded.update(json.loads(recording.read_text("utf-8")))
    _expansions.clear()
    for expansion in _recorded["expansions"]:
        _expansions[expansion["page"], expansion["line"]] = expansion
    config.markdown_extensions.append(_ReplayExtension())
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path, text in _recorded["files"].items():
        inclusion = InclusionLevel.NOT_IN_NAV if path.endswith(".md") else InclusionLevel.UNDEFINED
        files.append(File.generated(config, path, content=text, inclusion=inclusion))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    source = page.file.content_string
    _page["src_uri"] = page.file.src_uri
    _page["offset"] = max(source.count("\n") - markdown.count("\n"), 0)  # front matter
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    src_uri = page.file.src_uri
    if page.present_anchor_ids is not None:
        page.present_anchor_ids |= set(_recorded["anchors"].get(src_uri, ()))
    toc = _recorded["toc"].get(src_uri)
    if toc is not None:
        page.toc = TableOfContents([AnchorLink(title, id_, level) for title, id_, level in toc])
    return html + _recorded["appended"].get(src_uri, "")
