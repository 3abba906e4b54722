"""Checklist -> HTML fragment for the interactive page; no mkdocs here.

The fragment is complete without JavaScript (a readable task list Material already
styles); `assets/meshkb-page.js` enhances it using the checklist data embedded as JSON.
Every text from the YAML is escaped; Markdown fields go through markdown-it-py in
CommonMark mode with raw HTML off, so a checklist cannot inject markup or script.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable
from html import escape
from typing import TYPE_CHECKING, Any

from .model import (
    DATAPLANES,
    FILL_IN_HELP,
    MESHES,
    SEVERITIES,
    STATES,
    Checklist,
    Item,
    Ref,
    Report,
)
from .score import score

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

LinkResolver = Callable[[str], str]
"""Maps a docs-relative target (`migrate.md#bypass-runbook`) to an href for the page."""
TitleLookup = Callable[[str], "str | None"]
"""Maps a docs-relative page path (`migrate.md`) to its title, when known."""

STATE_LABELS = {"open": "Open", "pass": "Pass", "fail": "Fail", "na": "N/A", "waived": "Waived"}
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXT_TO_CHANGE = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""What `_text` escapes or cleans; most IDs, titles and labels hold none of it."""
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def page_path(checklist_id: str) -> str:
    """The docs-relative path of a checklist's generated page."""
    return f"checklists/{checklist_id}.md"


def page_url(path: str) -> str:
    """The directory-style URL of a docs page: `migrate.md` -> `migrate/`, `index.md` -> ``."""
    if not path.endswith(".md"):
        return path
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_url(url: str, base: str) -> str:
    """Site-relative `url` as seen from the page at site-relative `base` (`a/b/` or `a/b.html`)."""
    base_dir = base if base.endswith("/") else posixpath.dirname(base)
    href = posixpath.relpath(url or ".", base_dir or ".")
    if url.endswith("/") or not url:
        href = "./" if href == "." else href + "/"
    return href


def relative_href(target: str, from_page: str) -> str:
    """An href from the page `from_page` to the docs-relative `target`, assuming directory URLs."""
    path, _, anchor = target.partition("#")
    href = ""
    if path:
        url = page_url(posixpath.normpath(path)) if path.endswith(".md") else path
        href = relative_url(url, page_url(from_page))
    return href + (f"#{anchor}" if anchor else "")


def _clean(text: str) -> str:
    """Drop control characters HTML cannot carry (they also collide with Markdown's stash)."""
    return _CONTROL_CHARS.sub("\ufffd", text)


def _text(text: str) -> str:
    if _TEXT_TO_CHANGE.search(text) is None:
        return text
    return escape(_clean(text), quote=True)


def _is_relative(href: str) -> bool:
    return bool(href) and not _SCHEME.match(href) and not href.startswith(("/", "#", "\\"))


_INLINE_SYNTAX = re.compile(r"[\\_\[\]<>&~]")
# A line that could start a block: anywhere, or (only those that can interrupt a
# paragraph) on a paragraph's later lines. An ordered list interrupts one only from 1.
_BLOCK_START = re.compile(r"[-+=#*]|\d{1,9}[.)](?:\s|$)")
_BLOCK_INTERRUPT = re.compile(r"[-+=#*]|0{0,8}1[.)](?:\s|$)")
_FENCE = re.compile(r"```([a-z]*)")
_STRONG_AFTER = frozenset(" \n.,;:!?)")
_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def plain_paragraphs(text: str) -> str | None:
    """The HTML markdown-it gives for simple prose, or None to leave the text to it.

    Checklist fields are mostly paragraphs and tight bullet lists ("- ", continued by
    lines indented two spaces) of words with `code` spans and **strong** words, and the
    odd fenced example; rendering those here skips the parser, and its import, for all
    of the shipped checklists. Anything that might be other syntax is left to
    markdown-it: emphasis other than simple `**words**`, links, entities or autolinks
    outside code, a line that could start another block (ordered list, heading, setext
    underline, nested list, indented code), whitespace at either end of a line, tabs, a
    fence with blank lines or anything after it, and two lists separated by a blank line
    (one loose list). Property tests hold the result equal to markdown-it's wherever it
    is not None.
    """
    if "\t" in text or "\r" in text:
        return None
    html: list[str] = []
    after_list = False
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if _FENCE.fullmatch(lines[0]):
            rendered, after_list = _fenced(lines), False
        else:
            first_item = next((i for i, line in enumerate(lines) if line.startswith("- ")), None)
            if first_item == 0 and after_list:
                return None
            if first_item is None:
                rendered, after_list = _paragraph(lines), False
            elif first_item == 0:
                rendered, after_list = _tight_list(lines), True
            else:  # a list right after a paragraph's lines interrupts it
                paragraph, items = _paragraph(lines[:first_item]), _tight_list(lines[first_item:])
                rendered = None if paragraph is None or items is None else paragraph + items
                after_list = True
        if rendered is None:
            return None
        html.append(rendered)
    return "".join(html)


def _plain_line(line: str) -> bool:
    return bool(line) and not line[0].isspace() and not line[-1].isspace()


def _block_lines(lines: list[str]) -> bool:
    """Lines that make one paragraph: plain, and none starting another block."""
    return (
        all(_plain_line(line) for line in lines)
        and not _BLOCK_START.match(lines[0])
        and not any(_BLOCK_INTERRUPT.match(line) for line in lines[1:])
    )


def _paragraph(lines: list[str]) -> str | None:
    if not _block_lines(lines):
        return None
    inline = _inline("\n".join(lines))
    return None if inline is None else f"<p>{inline}</p>\n"


def _tight_list(lines: list[str]) -> str | None:
    items: list[list[str]] = []
    for line in lines:
        if line.startswith("- "):
            items.append([])
        elif not line.startswith("  "):
            return None
        items[-1].append(line[2:])
    if not all(_block_lines(item) for item in items):
        return None
    rendered = [_inline("\n".join(item)) for item in items]
    if any(item is None for item in rendered):
        return None
    return "<ul>\n" + "".join(f"<li>{item}</li>\n" for item in rendered) + "</ul>\n"


def _fenced(lines: list[str]) -> str | None:
    """A fenced code block that is all of its block: no blank line inside, none after."""
    if len(lines) < 2 or lines[-1] != "```" or any("```" in line for line in lines[1:-1]):
        return None
    info = lines[0][3:]
    attribute = f' class="language-{info}"' if info else ""
    code = "".join(line + "\n" for line in lines[1:-1]).translate(_HTML_ESCAPES)
    return f"<pre><code{attribute}>{code}</code></pre>\n"


def _inline(text: str) -> str | None:
    """Words, `code` spans and **strong** words; None for anything else."""
    if "``" in text:
        return None  # a run of backticks opens or closes only a run of the same length
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return None  # an unmatched backtick
    html = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            words = _words(part, first=index == 0, last=index == len(parts) - 1)
            if words is None:
                return None
            html.append(words)
        elif "\n" in part or part[0] == " " or part[-1] == " ":
            return None  # a span across lines, or spaces CommonMark would strip
        else:
            html.append(f"<code>{part.translate(_HTML_ESCAPES)}</code>")
    return "".join(html)


def _words(text: str, *, first: bool, last: bool) -> str | None:
    """Text between code spans, with `**strong**` runs that open after a space (or at the
    start) and close before a space, line end or closing punctuation; `first`/`last` say
    whether the text starts or ends the paragraph rather than touching a code span."""
    if _INLINE_SYNTAX.search(text):
        return None
    pieces = text.split("**")
    if len(pieces) % 2 == 0 or any("*" in piece for piece in pieces):
        return None  # an unmatched `**`, or a single or triple star
    html = []
    for index, piece in enumerate(pieces):
        piece = piece.replace('"', "&quot;")
        if index % 2 == 0:
            html.append(piece)
            continue
        before, after = pieces[index - 1], pieces[index + 1]
        opens = before.endswith(" ") or (not before and index == 1 and first)
        closes = after[:1] in _STRONG_AFTER if after else last and index == len(pieces) - 2
        if not (opens and closes and piece[:1].isalnum() and piece[-1:].isalnum()):
            return None
        if "\n" in piece:
            return None
        html.append(f"<strong>{piece}</strong>")
    return "".join(html)


class _Markdown:
    """CommonMark with raw HTML and images off; relative links go through `resolve`."""

    def __init__(self, resolve: LinkResolver) -> None:
        self._md: MarkdownIt | None = None
        self._resolve = resolve

    def block(self, text: str) -> str:
        text = _clean(text)
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
                if _is_relative(href):
                    token.attrSet("href", self._resolve(href))


def checklist_data(checklist: Checklist) -> dict[str, Any]:
    """What the page's script needs to score, export and import (see meshkb-core.js)."""
    from .page_contract import page_contract  # it imports STATE_LABELS from here

    return {
        "contract": page_contract(),
        "id": checklist.id,
        "version": checklist.version,
        "title": checklist.title,
        "help": FILL_IN_HELP,
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "items": [_item_data(item) for item in section.items],
            }
            for section in checklist.sections
        ],
        "outcomes": [
            {
                "id": outcome.id,
                "title": outcome.title,
                "rules": [
                    {
                        "when": dict(rule.when),
                        "result": rule.result,
                        "label": rule.label,
                        "reason": rule.reason,
                    }
                    for rule in outcome.rules
                ],
                "otherwise": {
                    "result": outcome.otherwise.result,
                    "label": outcome.otherwise.label,
                    "reason": outcome.otherwise.reason,
                },
            }
            for outcome in checklist.outcomes
        ],
    }


def _item_data(item: Item) -> dict[str, Any]:
    if item.retired:
        return {
            "id": item.id,
            "rev": item.rev,
            "title": item.title,
            "status": "retired",
            "replaced_by": item.replaced_by or "",
            "reason": item.reason or "",
        }
    return {
        "id": item.id,
        "rev": item.rev,
        "title": item.title,
        "status": "active",
        "severity": item.severity,
        "check": item.check,
        "mesh": list(item.applies_when.mesh),
        "dataplane": list(item.applies_when.dataplane),
        "applies": item.applies_when.describe(),
    }


def script_json(data: Any) -> str:
    """JSON safe inside `<script>`: `<`, `>` and `&` escaped so no `</script>` can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\x7f", "\\u007f")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def anchor_ids(checklist: Checklist) -> set[str]:
    """The `id`s the fragment gives its sections and items, for link validation."""
    ids = {section.id for section in checklist.sections}
    ids.update(item.id for item in checklist.all_items())
    ids.add(f"meshkb-{checklist.id}-progress")
    return ids


def render_checklist(
    checklist: Checklist,
    *,
    resolve: LinkResolver | None = None,
    page_title: TitleLookup | None = None,
    heading_level: int = 2,
    owners: dict[str, str] | None = None,
) -> str:
    """The checklist as an HTML fragment.

    `resolve` turns docs-relative targets into hrefs (default: relative to the
    generated page `checklists/<id>.md` with directory URLs); `owners` maps item
    IDs of other checklists to their checklist ID, for replacements across files.
    """
    from_page = page_path(checklist.id)
    resolver: LinkResolver = resolve or (lambda target: relative_href(target, from_page))
    md = _Markdown(resolver)
    h = max(1, min(heading_level, 4))
    numbers = checklist.display_numbers()
    out: list[str] = [
        f'<div class="meshkb" data-meshkb="{_text(checklist.id)}">',
        # A one-element array: Material's instant navigation re-inserts inline scripts without
        # their type, running them as JavaScript; an array literal runs harmlessly, an object
        # literal would be a syntax error. The script finds the element as the first <script>.
        f'<script type="application/json" data-meshkb-checklist>{script_json([checklist_data(checklist)])}</script>',
        '<div class="meshkb-header">',
        f'<h{h} class="meshkb-title">{_text(checklist.title)}</h{h}>',
        f'<p class="meshkb-meta">Version {_text(checklist.version)} · last reviewed '
        f'<time datetime="{_text(checklist.last_reviewed)}">{_text(checklist.last_reviewed)}</time> · '
        f"{len(checklist.active_items())} items"
        + (
            f" · for {_text(checklist.applies_to.describe())}"
            if checklist.applies_to.mesh or checklist.applies_to.dataplane
            else ""
        )
        + "</p>",
        f'<div class="meshkb-summary">{md.block(checklist.summary)}</div>',
        '<p class="meshkb-nojs" data-meshkb-nojs>Answering on this page needs JavaScript. Without it, '
        f"fill in the same report in a terminal: <code>meshkb checklist {_text(checklist.id)}</code>.</p>",
        "</div>",
        _toolbar(checklist),
        _status(checklist, h + 1),
    ]
    for s_index, section in enumerate(checklist.sections, start=1):
        out.append(
            f'<section class="meshkb-section" data-meshkb-section aria-labelledby="{_text(section.id)}">'
        )
        out.append(
            f'<h{h + 1} id="{_text(section.id)}">{s_index}. {_text(section.title)}</h{h + 1}>'
        )
        if section.intro:
            out.append(f'<div class="meshkb-intro">{md.block(section.intro)}</div>')
        out.append('<ul class="task-list meshkb-items">')
        for item in section.items:
            if item.retired:
                out.append(_tombstone(item, owners or {}, checklist, resolver))
            else:
                out.append(_item(item, numbers[item.id], md, resolver, page_title, h + 2))
        out.append("</ul>")
        out.append("</section>")
    out.append(_controls_template())
    out.append("</div>")
    return "\n".join(out) + "\n"


def _options(
    values: Iterable[str], labels: dict[str, str] | None = None, first: str = "any"
) -> str:
    opts = [f'<option value="">{first}</option>']
    opts.extend(f'<option value="{v}">{(labels or {}).get(v, v)}</option>' for v in values)
    return "".join(opts)


def _toolbar(checklist: Checklist) -> str:
    """The review fields, filters and actions; hidden until the script enables them."""
    cid = _text(checklist.id)
    state_filter = {**STATE_LABELS, "reverify": "Re-verify"}
    return "\n".join(
        [
            '<div class="meshkb-toolbar" data-meshkb-toolbar data-search-exclude hidden>',
            '<fieldset class="meshkb-fields"><legend>Review</legend>',
            '<label>System <input type="text" data-meshkb-field="system" autocomplete="off" placeholder="e.g. namespace payments"></label>',
            f'<label>Mesh <select data-meshkb-field="mesh">{_options(MESHES, first="not chosen")}</select></label>',
            f'<label>Data plane <select data-meshkb-field="dataplane">{_options(DATAPLANES, first="not chosen")}</select></label>',
            '<label>Date <input type="date" data-meshkb-field="date"></label>',
            '<label>Reviewers <input type="text" data-meshkb-field="reviewers" autocomplete="off" placeholder="comma-separated"></label>',
            "</fieldset>",
            '<fieldset class="meshkb-filters"><legend>Show</legend>',
            f'<label>Severity <select data-meshkb-filter="severity">{_options(SEVERITIES, first="all")}</select></label>',
            f'<label>State <select data-meshkb-filter="state">{_options(state_filter, state_filter, first="all")}</select></label>',
            '<span class="meshkb-shown" data-meshkb-shown></span>',
            "</fieldset>",
            '<div class="meshkb-actions">',
            '<button type="button" class="md-button" data-meshkb-action="md">Export Markdown</button>',
            '<button type="button" class="md-button" data-meshkb-action="json">Export JSON</button>',
            '<label class="md-button meshkb-import">Import report<input type="file" accept=".md,.markdown,.json,text/markdown,application/json" data-meshkb-import></label>',
            '<button type="button" class="md-button" data-meshkb-action="share">Share link</button>',
            '<button type="button" class="md-button" data-meshkb-action="print">Print</button>',
            '<button type="button" class="md-button" data-meshkb-action="reset">Reset</button>',
            "</div>",
            f'<p class="meshkb-share" data-meshkb-share hidden><label>Link to these answers <input type="text" readonly id="meshkb-{cid}-share"></label>'
            " Anyone with the link can read the answers in it.</p>",
            '<div class="meshkb-message" role="status"><span data-meshkb-message></span> '
            '<button type="button" class="md-button" data-meshkb-action="reset" data-meshkb-offer hidden>Reset saved answers</button></div>',
            '<div class="meshkb-kept" data-meshkb-kept hidden></div>',
            "</div>",
        ]
    )


def _status(checklist: Checklist, h: int) -> str:
    """Progress per severity, the gate and the outcomes, as they stand with no answers."""
    result = score(checklist, Report(checklist.id, checklist.version))
    rows = []
    for p in result.progress:
        cells = "".join(
            f'<td data-meshkb-count="{state}">{p.counts[state]}</td>'
            for state in ("open", "fail", "na", "waived")
        )
        rows.append(
            f'<tr data-meshkb-progress="{p.severity}"><th scope="row">{p.severity}</th>'
            f'<td data-meshkb-count="done">{p.done} of {p.total}</td>{cells}</tr>'
        )
    gate = (
        "passed — no blocker is open or failed."
        if result.gate
        else f"not passed — open or failed blockers: {', '.join(result.blocking)}."
    )
    outcomes = "".join(
        f'<li data-meshkb-outcome="{_text(o.id)}"><strong>{_text(o.title)}:</strong> '
        f"<span data-meshkb-label>{_text(o.label)}</span> — <span data-meshkb-reason>{_text(' '.join(o.reason.split()))}</span></li>"
        for o in result.outcomes
    )
    return "\n".join(
        [
            f'<section class="meshkb-status" data-meshkb-status aria-labelledby="meshkb-{_text(checklist.id)}-progress">',
            f'<h{h} id="meshkb-{_text(checklist.id)}-progress">Progress</h{h}>',
            '<div aria-live="polite" data-meshkb-live data-search-exclude>',
            '<table><thead><tr><th scope="col">Severity</th><th scope="col">Done</th>'
            '<th scope="col">Open</th><th scope="col">Failed</th><th scope="col">N/A</th><th scope="col">Waived</th></tr></thead>',
            f"<tbody>{''.join(rows)}</tbody></table>",
            f'<ul class="meshkb-verdict"><li data-meshkb-gate="{"pass" if result.gate else "fail"}"><strong>Gate:</strong> <span data-meshkb-gate-text>{gate}</span></li>{outcomes}</ul>',
            "</div>",
            "</section>",
        ]
    )


def _item(
    item: Item,
    number: str,
    md: _Markdown,
    resolve: LinkResolver,
    page_title: TitleLookup | None,
    h: int,
) -> str:
    iid = _text(item.id)
    applies = item.applies_when
    scope = ""
    if applies.mesh or applies.dataplane:
        scope = f' <span class="meshkb-scope">{_text("for " + applies.describe())}</span>'
    parts = [
        f'<li class="task-list-item meshkb-item" id="{iid}" data-meshkb-item="{iid}" data-meshkb-severity="{_text(item.severity)}">',
        f'<label class="task-list-control"><input type="checkbox" disabled aria-label="{iid} done">'
        '<span class="task-list-indicator"></span></label>',
        f'<h{h} class="meshkb-head"><span class="meshkb-num">{_text(number)}</span> '
        f'<a class="meshkb-id" href="#{iid}">{iid}</a> <span class="meshkb-item-title">{_text(item.title)}</span></h{h}>',
        f'<p class="meshkb-badges"><span class="meshkb-sev meshkb-sev-{_text(item.severity)}">{_text(item.severity)}</span>{scope}'
        f' <span class="meshkb-rev">rev {item.rev}</span></p>',
        f'<div class="meshkb-check">{md.block(item.check)}</div>',
        '<details class="meshkb-details"><summary>Why, how and sources</summary>',
        f'<p class="meshkb-label">Why</p>{md.block(item.why)}',
    ]
    for key, text in item.how:
        label = "How" if key == "default" else f"How with {key.capitalize()}"
        parts.append(
            f'<p class="meshkb-label" data-meshkb-how="{_text(key)}">{_text(label)}</p>{md.block(text)}'
        )
    parts.append('<p class="meshkb-label">Sources</p><ul class="meshkb-refs">')
    parts.extend(f"<li>{_ref(ref, resolve, page_title)}</li>" for ref in item.refs)
    parts.append("</ul></details>")
    parts.append('<div class="meshkb-slot" data-meshkb-slot></div>')
    parts.append("</li>")
    return "\n".join(parts)


def _ref(ref: Ref, resolve: LinkResolver, page_title: TitleLookup | None) -> str:
    if ref.page:
        path, _, anchor = ref.page.partition("#")
        title = (page_title(path) if page_title else None) or path
        text = title + (f" \u203a #{anchor}" if anchor else "")
        return f'<a href="{_text(resolve(ref.page))}">{_text(text)}</a>'
    url = ref.url or ""
    title = _text(ref.title or url)
    link = f'<a href="{_text(url)}">{title}</a>' if url.startswith("https://") else title
    return link + (
        f' <span class="meshkb-asof">(as of {_text(ref.as_of)})</span>' if ref.as_of else ""
    )


def _tombstone(
    item: Item, owners: dict[str, str], checklist: Checklist, resolve: LinkResolver
) -> str:
    iid = _text(item.id)
    if item.replaced_by:
        target = item.replaced_by
        if target in checklist.item_by_id():
            href = f"#{target}"
        elif target in owners:
            href = resolve(f"{page_path(owners[target])}#{target}")
        else:
            href = resolve(f"go/{target}/")
        where = f'replaced by <a href="{_text(href)}">{_text(target)}</a>'
    else:
        where = _text(item.reason or "no longer checked")
    return (
        f'<li class="task-list-item meshkb-item meshkb-retired" id="{iid}" data-meshkb-item="{iid}" data-meshkb-retired>'
        f'<p><span class="meshkb-id">{iid}</span> <del>{_text(item.title)}</del> — retired: {where}.</p>'
        '<p class="meshkb-slot" data-meshkb-slot data-meshkb-answer></p></li>'
    )


def _controls_template() -> str:
    """Per-item controls, cloned by the script (inert until then)."""
    radios = "".join(
        f'<label><input type="radio" value="{state}"> {label}</label>'
        for state, label in STATE_LABELS.items()
    )
    assert tuple(STATE_LABELS) == STATES
    return (
        '<template data-meshkb-controls><div class="meshkb-controls" data-search-exclude>'
        f'<fieldset class="meshkb-states"><legend>State<span class="meshkb-sr"></span></legend>{radios}</fieldset>'
        '<p class="meshkb-flags"><span data-flag="notfor" hidden><span></span></span>'
        '<span data-flag="rev" hidden><span></span> <button type="button" value="fix">Still holds</button></span>'
        '<span data-flag="probe" hidden><span>Set by a probe: a person must confirm.</span> '
        '<button type="button" value="fix">Confirm</button></span>'
        '<span data-flag="lacks" hidden><span></span></span></p>'
        '<label data-meshkb-for="reason"><span>Reason<span class="meshkb-sr"></span></span> <textarea rows="1" data-k="reason"></textarea></label>'
        '<label data-meshkb-for="owner"><span>Owner<span class="meshkb-sr"></span></span> <input type="text" data-k="owner"></label>'
        '<label data-meshkb-for="note"><span>Note<span class="meshkb-sr"></span></span> <textarea rows="2" data-k="note"></textarea></label>'
        '<ul class="meshkb-evidence" data-meshkb-evidence hidden></ul>'
        '<p class="meshkb-answer" data-meshkb-answer></p>'
        "</div></template>"
    )


def render_go_pages(
    checklists: Iterable[Checklist],
    *,
    site_url: str = "",
    checklist_url: Callable[[str], str] | None = None,
) -> dict[str, str]:
    """`go/<ITEM-ID>/index.html` for every item: a meta refresh plus a visible link, no script.

    A retired item forwards to its replacement, with a note, or else to its tombstone.
    `checklist_url` maps a checklist ID to its page's site-relative URL.
    """
    url_of = checklist_url or (lambda checklist_id: page_url(page_path(checklist_id)))
    located: dict[str, tuple[Checklist, Item]] = {}
    for checklist in checklists:
        for item in checklist.all_items():
            located.setdefault(item.id, (checklist, item))
    pages: dict[str, str] = {}
    for item_id, (_, item) in located.items():
        note, target_id = "", item_id
        if item.retired and item.replaced_by in located:
            target_id = item.replaced_by or item_id
            note = f"{item_id} ({item.title}) was retired; it is replaced by {target_id}."
        elif item.retired:
            note = f"{item_id} ({item.title}) was retired: {item.reason or 'no longer checked'}."
        owner, target = located[target_id]
        url = url_of(owner.id)
        href = relative_url(url, f"go/{item_id}/") + f"#{target_id}"
        canonical = f"{site_url.rstrip('/')}/{url}#{target_id}" if site_url else ""
        pages[item_id] = _go_html(
            href, f"{target_id}: {target.title}", owner.title, note, canonical
        )
    return pages


def _go_html(href: str, text: str, checklist_title: str, note: str, canonical: str) -> str:
    link = f'<link rel="canonical" href="{_text(canonical)}">\n' if canonical else ""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_text(text)}</title>\n"
        f'<meta http-equiv="refresh" content="0; url={_text(href)}">\n'
        '<meta name="robots" content="noindex">\n<link rel="icon" href="data:,">\n'
        f"{link}</head>\n<body>\n"
        + (f"<p>{_text(note)}</p>\n" if note else "")
        + f'<p>Go to <a href="{_text(href)}">{_text(text)}</a> in the {_text(checklist_title)} checklist.</p>\n'
        "</body>\n</html>\n"
    )
