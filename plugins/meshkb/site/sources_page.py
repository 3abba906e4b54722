"""The Sources page, generated from the facts files: every source, grouped by topic."""

from __future__ import annotations

import re
from collections.abc import Iterable

from meshkb.core.errors import MeshkbError
from meshkb.core.facts import Fact, FactBase, Source, Topic, shipped

_KIND_TEXT = {
    "primary": "primary source",
    "vendor": "vendor-published",
    "third-party": "third party",
    "article": "the seed article",
}


def render_sources_markdown(base: FactBase, order: Iterable[str] = ()) -> str:
    """Every source, grouped by topic, as Markdown.

    `order` names topics (file stems) in the order shown; `*` stands for every topic not
    named, by name (at the end when `*` is missing).

    Each topic is a `##` heading anchored at its file name; each source a `###` heading
    anchored at its id, with what it supports, what it holds for, its own check date and
    the facts the site takes from it.
    """
    by_id = {t.id: t for t in base.topics}
    names = list(order) or ["*"]
    if "*" not in names:
        names.append("*")
    named = {n for n in names if n in by_id}
    rest = sorted((t for t in base.topics if t.id not in named), key=lambda t: t.id)
    ordered: list[Topic] = []
    for name in names:
        ordered += rest if name == "*" else [by_id[name]] if name in by_id else []
    cited: dict[str, list[Fact]] = {}
    for fact in base.facts.values():
        cited.setdefault(fact.source, []).append(fact)
    lines: list[str] = []
    for topic in ordered:
        if not topic.sources:
            continue
        lines += [f"## {topic.title} {{#{topic.id}}}", ""]
        for sid in topic.sources:
            lines += _source_lines(base.sources[sid], cited.get(sid, []))
    return "\n".join(lines)


def _source_lines(source: Source, facts: list[Fact]) -> list[str]:
    urls = [u for u in (source.url, *source.also) if u]
    where = " and ".join(f"<{u}>" for u in urls) if urls else "none recorded"
    lines = [
        f"### {source.title} {{#{source.id}}}",
        "",
        f"- **URL:** {where}",
        f"- **Kind:** {_KIND_TEXT[source.kind]}",
        f"- **Supports:** {source.supports.strip()}",
        f"- **Holds for:** {source.holds_for}. **Checked {source.checked}.**",
    ]
    if source.note:
        lines.append(f"- **Note:** {source.note.strip()}")
    verified = [f for f in facts if f.status == "verified"]
    if verified:
        shown = "; ".join(f"`{f.key}` = {f.text}" for f in sorted(verified, key=lambda f: f.key))
        lines.append(f"- **Facts:** {shown}")
    return [*lines, ""]


def source_anchors(base: FactBase) -> list[str]:
    """Every anchor the generated Sources page has: topics with sources, and sources."""
    return [t.id for t in base.topics if t.sources] + list(base.sources)


def generated_page_headings(text: str) -> str:
    """`text` with `[[meshkb:fact-sources ...]]` expanded, for heading and anchor readers.

    Readers of the docs' Markdown (the links lock, `meshkb link`, link checks) call this
    so the generated Sources page offers the anchors the built page has.
    """
    if "[[meshkb:fact-sources" not in text:
        return text
    pattern = re.compile(
        r"^ {0,3}\[\[meshkb:fact-sources(?:[ \t]+([^\]]*?))?[ \t]*\]\][ \t]*$", re.M
    )
    try:
        base = shipped()
    except MeshkbError:
        return text
    return pattern.sub(lambda m: render_sources_markdown(base, (m.group(1) or "").split()), text)
