"""Checklist -> the HTML fragment of its interactive page; no mkdocs here.

The page around the items: the header, the toolbar, the progress summary and verdict with
no answers, and the sections; each item's own HTML is `site.fragment_item`'s. The fragment
is complete without JavaScript (a readable task list Material already styles); the page's
script enhances it using the checklist data embedded as JSON. Every text from the YAML is
escaped; Markdown fields go through `markdown_text`, with raw HTML off, so a checklist
cannot inject markup or script.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from meshkb.core.model import (
    DATAPLANES,
    MESHES,
    SEVERITIES,
    STATE_LABELS,
    Checklist,
    Outcome,
    Report,
)
from meshkb.core.score import OutcomeResult, score
from meshkb.site.escape import escape_html
from meshkb.site.fragment_item import ITEM_PARTS, render_item, render_tombstone
from meshkb.site.markdown_text import FieldMarkdown, LinkResolver, TitleLookup
from meshkb.site.page_data import checklist_data, script_json
from meshkb.site.urls import page_path, relative_href


def anchor_ids(checklist: Checklist) -> set[str]:
    """The `id`s the fragment gives its sections and items, for link validation."""
    ids = {section.id for section in checklist.sections}
    ids.update(item.id for item in checklist.all_items())
    ids.add(f"meshkb-{checklist.id}-progress")
    return ids


def checklist_toc_tokens(checklist: Checklist) -> list[dict[str, Any]]:
    """Progress and one entry per section, as Python-Markdown toc tokens (names escaped)."""
    entries = [("Progress", f"meshkb-{checklist.id}-progress")]
    entries.extend(
        (f"{number}. {section.title}", section.id)
        for number, section in enumerate(checklist.sections, start=1)
    )
    return [
        {
            "level": 2,
            "id": anchor,
            "name": escape_html(text),
            "html": escape_html(text),
            "data-toc-label": "",
            "children": [],
        }
        for text, anchor in entries
    ]


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
    cid = escape_html(checklist.id)
    out: list[str] = [
        f'<div class="meshkb" data-meshkb="{cid}">',
        # A one-element array: Material's instant navigation re-inserts inline scripts without
        # their type, running them as JavaScript; an array literal runs harmlessly, an object
        # literal would be a syntax error. The script finds the element as the first <script>.
        f'<script type="application/json" data-meshkb-checklist>{script_json([checklist_data(checklist)])}</script>',
        f"<template data-meshkb-parts>{ITEM_PARTS}</template>",
        # The controls are in the HTML and shown from the first paint, so nothing moves when
        # meshkb-page.js starts; without JavaScript, meshkb.css (scripting: none) hides them.
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
        _print_head(),
        _toolbar(checklist),
        _status(checklist, h + 1),
        _verdict(checklist),
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
        out.append('<ul class="meshkb-items">')
        for item in section.items:
            if item.retired:
                out.append(render_tombstone(item, owners or {}, checklist, resolver))
            else:
                out.append(
                    render_item(
                        item, numbers[item.id], md, resolver, page_title, h + 2, checklist.id
                    )
                )
        out.append("</ul>")
        out.append("</section>")
    out.append(
        '<p class="meshkb-empty" data-meshkb-empty hidden>No item matches these filters. '
        '<button type="button" class="meshkb-link" data-meshkb-action="clear">Show all items</button></p>'
    )
    out.append(
        '<div class="meshkb-message" role="status" data-search-exclude><span data-meshkb-message></span> '
        '<button type="button" class="meshkb-btn meshkb-danger" data-meshkb-action="reset" data-meshkb-offer hidden>Reset saved answers</button>'
        '<button type="button" class="meshkb-close" data-meshkb-action="dismiss" aria-label="Dismiss message">\u00d7</button></div>'
    )
    out.append("</div>")
    return "\n".join(out) + "\n"


def _options(
    values: Iterable[str], labels: dict[str, str] | None = None, first: str = "any"
) -> str:
    opts = [f'<option value="">{first}</option>']
    opts.extend(f'<option value="{v}">{(labels or {}).get(v, v)}</option>' for v in values)
    return "".join(opts)


def _print_head() -> str:
    """The review fields as printed above the answers (filled in by the script)."""
    cells = "".join(
        f'<div><dt>{label}</dt><dd data-meshkb-print="{key}">—</dd></div>'
        for key, label in (
            ("system", "System"),
            ("date", "Date"),
            ("reviewers", "Reviewers"),
            ("mesh", "Mesh"),
        )
    )
    return f'<dl class="meshkb-print-head" data-search-exclude>{cells}</dl>'


def _toolbar(checklist: Checklist) -> str:
    """The review fields, filters and actions; their space is part of the page's HTML."""
    cid = escape_html(checklist.id)
    state_filter = {"done": "Done", **STATE_LABELS, "reverify": "Re-verify"}
    return "\n".join(
        [
            # A <section>, not a <div>: Material's search stops excluding at the first end
            # tag of the excluded element's name, and the toolbar holds <div>s.
            '<section class="meshkb-toolbar" aria-label="Review tools" data-meshkb-toolbar data-search-exclude>',
            '<div class="meshkb-fields" role="group" aria-label="Review details">',
            '<label>System <input type="text" data-meshkb-field="system" autocomplete="off" placeholder="e.g. namespace payments"></label>',
            f'<label>Mesh <select data-meshkb-field="mesh">{_options(MESHES, first="not chosen")}</select></label>',
            f'<label>Data plane <select data-meshkb-field="dataplane">{_options(DATAPLANES, first="not chosen")}</select></label>',
            '<label>Date <input type="text" data-meshkb-field="date" inputmode="numeric" autocomplete="off" '
            'placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" maxlength="10" aria-describedby="meshkb-'
            f'{cid}-date-hint"><small id="meshkb-{cid}-date-hint" class="meshkb-hint">Write the date as YYYY-MM-DD</small></label>',
            '<label>Reviewers <input type="text" data-meshkb-field="reviewers" autocomplete="off" placeholder="comma-separated"></label>',
            "</div>",
            '<div class="meshkb-bar">',
            '<div class="meshkb-filters" role="group" aria-label="Show">',
            f'<label>Severity <select data-meshkb-filter="severity">{_options(SEVERITIES, first="all")}</select></label>',
            f'<label>State <select data-meshkb-filter="state">{_options(state_filter, state_filter, first="all")}</select></label>',
            f'<span class="meshkb-shown" data-meshkb-shown>{len(checklist.active_items())} items</span>',
            '<button type="button" class="meshkb-link" data-meshkb-action="clear" data-meshkb-clear hidden>Clear filters</button>',
            "</div>",
            '<div class="meshkb-actions">',
            '<details class="meshkb-menu" data-meshkb-menu><summary class="meshkb-btn meshkb-primary">Export</summary>',
            '<div class="meshkb-menu-list">',
            '<button type="button" data-meshkb-action="md">Markdown report <small>.md, for the CLI and review</small></button>',
            '<button type="button" data-meshkb-action="json">JSON report <small>.json</small></button>',
            '<button type="button" data-meshkb-action="print">Print or save as PDF</button>',
            "</div></details>",
            '<label class="meshkb-btn meshkb-import">Import<input type="file" accept=".md,.markdown,.json,text/markdown,application/json" data-meshkb-import></label>',
            '<button type="button" class="meshkb-btn" data-meshkb-action="share" aria-expanded="false">Share</button>',
            '<button type="button" class="meshkb-btn meshkb-danger" data-meshkb-action="reset">Reset</button>',
            "</div>",
            "</div>",
            f'<div class="meshkb-share" data-meshkb-share hidden><label for="meshkb-{cid}-share">Link to these answers</label> '
            f'<span class="meshkb-copy"><input type="text" readonly id="meshkb-{cid}-share">'
            '<button type="button" class="meshkb-btn meshkb-primary" data-meshkb-action="copy">Copy</button></span> '
            "<small>Anyone with the link can read the answers in it.</small></div>",
            '<div class="meshkb-kept" data-meshkb-kept hidden></div>',
            "</section>",
        ]
    )


def _status(checklist: Checklist, h: int) -> str:
    """The summary that stays in view: gate, outcomes, progress per severity, saved."""
    result = score(checklist, Report(checklist.id, checklist.version))
    bars = []
    for p in result.progress:
        sev = escape_html(p.severity)
        counts = "".join(
            f'<button type="button" class="meshkb-count meshkb-c-{state}" data-meshkb-count="{state}" '
            f'data-meshkb-show="{sev} {state}" title="{STATE_LABELS[state]}: show them">{p.counts[state]}</button>'
            for state in ("fail", "na", "waived", "open")
        )
        bars.append(
            f'<div class="meshkb-sevbar" data-meshkb-progress="{sev}">'
            f'<button type="button" class="meshkb-sevname" data-meshkb-show="{sev} " title="Show the {sev} items">{sev}</button> '
            f'<button type="button" class="meshkb-count meshkb-c-done" data-meshkb-count="done" data-meshkb-show="{sev} done">{p.done} of {p.total}</button>'
            f'<span class="meshkb-meter" aria-hidden="true"><span data-meshkb-meter="pass" style="width:0%"></span>'
            f'<span data-meshkb-meter="waived" style="width:0%"></span><span data-meshkb-meter="fail" style="width:0%"></span></span>'
            f'<span class="meshkb-counts">{counts}</span></div>'
        )
    outcomes = "".join(
        f'<span class="meshkb-badge" data-meshkb-badge="{escape_html(o.id)}" data-meshkb-result="{escape_html(result_)}">'
        f"{escape_html(o.title)}: <strong data-meshkb-badge-label>{escape_html(label)}</strong></span>"
        for o, (result_, label, _) in zip(
            result.outcomes, _outcomes_shown(checklist, result.outcomes), strict=True
        )
    )
    cid = escape_html(checklist.id)
    return "\n".join(
        [
            f'<section class="meshkb-status" data-meshkb-status aria-labelledby="meshkb-{cid}-progress" data-search-exclude>',
            f'<h{h} class="meshkb-sr" id="meshkb-{cid}-progress">Progress</h{h}>',
            '<div class="meshkb-badges">',
            f'<span class="meshkb-badge" data-meshkb-gate="{"pass" if result.gate else "fail"}">Gate: '
            f"<strong data-meshkb-gate-label>{'passed' if result.gate else 'not passed'}</strong></span>",
            outcomes,
            '<span class="meshkb-saved" data-meshkb-saved>Not saved yet</span>',
            "</div>",
            f'<div class="meshkb-sevbars">{"".join(bars)}</div>',
            "</section>",
        ]
    )


def _outcomes_shown(
    checklist: Checklist, results: Iterable[OutcomeResult]
) -> list[tuple[str, str, str]]:
    """(result, label, reason) of each outcome as the page first shows it, with no answers.

    As in meshkb-page.js: an outcome whose `otherwise` holds while items it reads are still
    open is "undecided", and names those items.
    """
    shown = []
    for outcome, result in zip(checklist.outcomes, results, strict=True):
        waiting = _condition_items(outcome)
        if waiting and not any(rule.result == result.result for rule in outcome.rules):
            reason = f"Answer the {len(waiting)} open item(s) it depends on: {', '.join(waiting)}."
            shown.append(("undecided", "Undecided", reason))
        else:
            shown.append((result.result, result.label, " ".join(result.reason.split())))
    return shown


def _condition_items(outcome: Outcome) -> list[str]:
    """The item IDs an outcome's rules read, in the order they first appear (as the page's
    script lists them while the outcome is undecided)."""
    found: dict[str, None] = {}

    def walk(condition: Any) -> None:
        if not isinstance(condition, dict):
            return
        for key in ("all", "any"):
            for sub in condition.get(key, ()):
                walk(sub)
        walk(condition.get("not"))
        if "item" in condition:
            found[str(condition["item"])] = None
        for item_id in condition.get("count", ()):
            found[str(item_id)] = None

    for rule in outcome.rules:
        walk(rule.when)
    return list(found)


def _verdict(checklist: Checklist) -> str:
    """The gate and the outcomes in words, as they stand with no answers."""
    result = score(checklist, Report(checklist.id, checklist.version))
    blocking = result.blocking
    if result.gate:
        gate = "passed — no blocker is open or failed."
    elif len(blocking) > 6:  # as meshkb-page.js words it
        gate = (
            f"not passed — {len(blocking)} blockers are open or failed: "
            f"{', '.join(blocking[:4])} and {len(blocking) - 4} more."
        )
    else:
        gate = f"not passed — open or failed blockers: {', '.join(blocking)}."
    outcomes = "".join(
        f'<li data-meshkb-outcome="{escape_html(o.id)}" data-meshkb-result="{escape_html(result_)}"><strong>{escape_html(o.title)}:</strong> '
        f"<span data-meshkb-label>{escape_html(label)}</span> — <span data-meshkb-reason>{escape_html(reason)}</span></li>"
        for o, (result_, label, reason) in zip(
            result.outcomes, _outcomes_shown(checklist, result.outcomes), strict=True
        )
    )
    return (
        f'<div class="meshkb-verdict" aria-live="polite" data-meshkb-live data-search-exclude><ul>'
        f"<li><strong>Gate:</strong> <span data-meshkb-gate-text>{escape_html(gate)}</span></li>{outcomes}</ul></div>"
    )
