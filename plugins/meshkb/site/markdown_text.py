"""Checklist Markdown fields -> HTML: CommonMark with raw HTML and images off."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from meshkb.site.escape import replace_controls
from meshkb.site.markdown_fast import plain_paragraphs
from meshkb.site.urls import is_relative

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


LinkResolver = Callable[[str], str]
"""Maps a docs-relative target (`migrate.md#bypass-runbook`) to an href for the page."""


TitleLookup = Callable[[str], "str | None"]
"""Maps a docs-relative page path (`migrate.md`) to its title, when known."""


class FieldMarkdown:
    """CommonMark with raw HTML and images off; relative links go through `resolve`."""

    def __init__(self, resolve: LinkResolver) -> None:
        self._md: MarkdownIt | None = None
        self._resolve = resolve

    def block(self, text: str) -> str:
        text = replace_controls(text)
        plain = plain_paragraphs(text)
        if plain is not None:
            return plain
        if self._md is None:
            # Imported on the first text that needs it (importing costs ~20 ms): the
            # shipped checklists never do, nor does a build whose pages are all cached.
            from markdown_it import MarkdownIt

            self._md = MarkdownIt("commonmark", {"html": False}).disable("image")
        tokens = self._md.parse(text)
        self._rewrite(tokens)
        return str(self._md.renderer.render(tokens, self._md.options, {}))

    def _rewrite(self, tokens: Iterable[Token]) -> None:
        for token in tokens:
            if token.children:
                self._rewrite(token.children)
            if token.type == "link_open":
                href = str(token.attrGet("href") or "")
                if is_relative(href):
                    token.attrSet("href", self._resolve(href))
