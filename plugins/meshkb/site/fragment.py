"""Checklist -> the HTML fragment of its interactive page; no mkdocs here.

The fragment is complete without JavaScript (a readable task list Material already
styles); the page's script enhances it using the checklist data embedded as JSON.
Every text from the YAML is escaped; Markdown fields go through `markdown_text`, with
raw HTML off, so a checklist cannot inject markup or script.
"""

from __future__ import annotations

from collections.abc import Iterable

from meshkb.core.model import (
    DATAPLANES,
    MESHES,
    SEVERITIES,
    STATE_LABELS,
    STATES,
    Checklist,
    Item,
    Ref,
    Report,
)
from meshkb.core.score import score
from meshkb.site.escape import escape_html
from meshkb.site.markdown_text import FieldMarkdown, LinkResolver, TitleLookup
from meshkb.site.page_data import checklist_data, script_json
from meshkb.site.urls import is_source_url, page_path, relative_href


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
    md = FieldMarkdown(resolver)
    h = max(1, min(heading_level, 4))
    numbers = checklist.display_numbers()
    out: list[str] = [
        f'<div class="meshkb" data-meshkb="{escape_html(checklist.id)}">',
        # A one-element array: Material's instant navigation re-inserts inline scripts without
        # their type, running them as JavaScript; an array literal runs harmlessly, an object
        # literal would be a syntax error. The script finds the element as the first <script>.
        f'<script type="application/json" data-meshkb-checklist>{script_json([checklist_data(checklist)])}</script>',
        '<div class="meshkb-header">',
        f'<h{h} class="meshkb-title">{escape_html(checklist.title)}</h{h}>',
        f'<p class="meshkb-meta">Version {escape_html(checklist.version)} · last reviewed '
        f'<time datetime="{escape_html(checklist.last_reviewed)}">{escape_html(checklist.last_reviewed)}</time> · '
        f"{len(checklist.active_items())} items"
        + (
            f" · for {escape_html(checklist.applies_to.describe())}"
            if checklist.applies_to.mesh or checklist.applies_to.dataplane
            else ""
        )
        + "</p>",
        f'<div class="meshkb-summary">{md.block(checklist.summary)}</div>',
        '<p class="meshkb-nojs" data-meshkb-nojs>Answering on this page needs JavaScript. Where '
        "scripts do not run (Backstage TechDocs removes them), the CLI does the review: "
        f"<code>meshkb checklist {escape_html(checklist.id)} -o review.md</code> writes the same "
        "report to fill in, and <code>meshkb report check review.md</code> scores it.</p>",
        "</div>",
        _toolbar(checklist),
        _status(checklist, h + 1),
    ]
    for s_index, section in enumerate(checklist.sections, start=1):
        out.append(
            f'<section class="meshkb-section" data-meshkb-section aria-labelledby="{escape_html(section.id)}">'
        )
        out.append(
            f'<h{h + 1} id="{escape_html(section.id)}">{s_index}. {escape_html(section.title)}</h{h + 1}>'
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
    cid = escape_html(checklist.id)
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
        f'<li data-meshkb-outcome="{escape_html(o.id)}"><strong>{escape_html(o.title)}:</strong> '
        f"<span data-meshkb-label>{escape_html(o.label)}</span> — <span data-meshkb-reason>{escape_html(' '.join(o.reason.split()))}</span></li>"
        for o in result.outcomes
    )
    return "\n".join(
        [
            f'<section class="meshkb-status" data-meshkb-status aria-labelledby="meshkb-{escape_html(checklist.id)}-progress">',
            f'<h{h} id="meshkb-{escape_html(checklist.id)}-progress">Progress</h{h}>',
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
    md: FieldMarkdown,
    resolve: LinkResolver,
    page_title: TitleLookup | None,
    h: int,
) -> str:
    iid = escape_html(item.id)
    applies = item.applies_when
    scope = ""
    if applies.mesh or applies.dataplane:
        scope = f' <span class="meshkb-scope">{escape_html("for " + applies.describe())}</span>'
    parts = [
        f'<li class="task-list-item meshkb-item" id="{iid}" data-meshkb-item="{iid}" data-meshkb-severity="{escape_html(item.severity)}">',
        f'<label class="task-list-control"><input type="checkbox" disabled aria-label="{iid} done">'
        '<span class="task-list-indicator"></span></label>',
        f'<h{h} class="meshkb-head"><span class="meshkb-num">{escape_html(number)}</span> '
        f'<a class="meshkb-id" href="#{iid}">{iid}</a> <span class="meshkb-item-title">{escape_html(item.title)}</span></h{h}>',
        f'<p class="meshkb-badges"><span class="meshkb-sev meshkb-sev-{escape_html(item.severity)}">{escape_html(item.severity)}</span>{scope}'
        f' <span class="meshkb-rev">rev {item.rev}</span></p>',
        f'<div class="meshkb-check">{md.block(item.check)}</div>',
        '<details class="meshkb-details"><summary>Why, how and sources</summary>',
        f'<p class="meshkb-label">Why</p>{md.block(item.why)}',
    ]
    for key, text in item.how:
        label = "How" if key == "default" else f"How with {key.capitalize()}"
        parts.append(
            f'<p class="meshkb-label" data-meshkb-how="{escape_html(key)}">{escape_html(label)}</p>{md.block(text)}'
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
        return f'<a href="{escape_html(resolve(ref.page))}">{escape_html(text)}</a>'
    url = ref.url or ""
    title = escape_html(ref.title or url)
    link = f'<a href="{escape_html(url)}">{title}</a>' if is_source_url(url) else title
    return link + (
        f' <span class="meshkb-asof">(as of {escape_html(ref.as_of)})</span>' if ref.as_of else ""
    )


def _tombstone(
    item: Item, owners: dict[str, str], checklist: Checklist, resolve: LinkResolver
) -> str:
    iid = escape_html(item.id)
    if item.replaced_by:
        target = item.replaced_by
        if target in checklist.item_by_id():
            href = f"#{target}"
        elif target in owners:
            href = resolve(f"{page_path(owners[target])}#{target}")
        else:
            href = resolve(f"go/{target}/")
        where = f'replaced by <a href="{escape_html(href)}">{escape_html(target)}</a>'
    else:
        where = escape_html(item.reason or "no longer checked")
    return (
        f'<li class="task-list-item meshkb-item meshkb-retired" id="{iid}" data-meshkb-item="{iid}" data-meshkb-retired>'
        f'<p><span class="meshkb-id">{iid}</span> <del>{escape_html(item.title)}</del> — retired: {where}.</p>'
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
