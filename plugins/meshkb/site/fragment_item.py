"""One checklist item as HTML: its row, state controls, details, "how" tabs and sources.

`site.fragment` puts these rows into the page; a retired item is a tombstone pointing to
its replacement. Every text from the YAML is escaped; Markdown fields go through
`markdown_text`, with raw HTML off.
"""

from __future__ import annotations

from meshkb.core.model import STATE_LABELS, STATES, Checklist, Item, Ref
from meshkb.site.escape import escape_html
from meshkb.site.markdown_text import FieldMarkdown, LinkResolver, TitleLookup
from meshkb.site.urls import is_source_url, page_path


def _states(cid: str, iid: str) -> str:
    """One radio per state, in the HTML so its space is there before the script starts."""
    assert tuple(STATE_LABELS) == STATES
    radios = "".join(
        f'<label class="meshkb-st meshkb-st-{state}" title="{label}"><input type="radio" name="meshkb-{cid}-{iid}" '
        f'value="{state}" aria-label="{label}" disabled{" checked" if state == "open" else ""}></label>'
        for state, label in STATE_LABELS.items()
    )
    return (
        f'<fieldset class="meshkb-states" data-search-exclude><legend class="meshkb-sr">State of {iid}</legend>'
        f"{radios}</fieldset>"
    )


ITEM_PARTS = (
    '<p class="meshkb-flags" data-search-exclude><span data-flag="notfor" hidden><span></span></span>'
    '<span data-flag="rev" hidden><span></span> <button type="button" class="meshkb-link" value="fix">Still holds</button></span>'
    '<span data-flag="probe" hidden><span>Set by a probe: a person must confirm.</span> '
    '<button type="button" class="meshkb-link" value="fix">Confirm</button></span></p>'
    '<div class="meshkb-need" data-search-exclude>'
    '<label data-meshkb-for="reason" hidden><span>Reason<span class="meshkb-sr" data-meshkb-for-item></span></span> '
    '<textarea rows="1" data-k="reason" placeholder="Why it does not apply, or why it is waived"></textarea></label>'
    '<label data-meshkb-for="owner" hidden><span>Owner<span class="meshkb-sr" data-meshkb-for-item></span></span> '
    '<input type="text" data-k="owner" placeholder="Who follows this up"></label>'
    '<p class="meshkb-error" data-flag="lacks" hidden><span></span></p></div>'
)
"""An item's flags and its reason and owner fields, all hidden until an answer needs them.

Not in each row: the page holds them once, in a `<template>`, and meshkb-page.js puts a
copy under an item's row when the item is first answered (each copy is about a kilobyte,
so a long checklist's page is a fifth lighter). The script writes " for ID" into the `data-meshkb-for-item` spans.
"""


def _how(item: Item, md: FieldMarkdown) -> str:
    """The item's "how": one text, or content tabs for the default and each mesh."""
    if len([key for key, _ in item.how if key != "default"]) < 2:
        return "".join(
            f'<p class="meshkb-label" data-meshkb-how="{escape_html(key)}">'
            f"{escape_html('How' if key == 'default' else f'How with {key.capitalize()}')}</p>{md.block(text)}"
            for key, text in item.how
        )
    general = "".join(md.block(text) for key, text in item.how if key == "default")
    tabs = [
        (escape_html(key), escape_html(key.capitalize()), text)
        for key, text in item.how
        if key != "default"
    ]
    # CSS-only tabs in pymdownx.tabbed's shape (radios, then labels, then blocks): they work
    # where scripts are stripped (TechDocs). Our own classes, not the theme's: its content
    # tabs run script per tab set, which a 1,000-item checklist cannot afford. Each block
    # names its mesh too, for a reader without the stylesheet (meshkb.css hides the name).
    group = f"meshkb-how-{escape_html(item.id)}"
    inputs = "".join(
        f'<input type="radio" class="meshkb-sr" name="{group}" id="{group}-{key}" '
        f'data-meshkb-tab="{key}"{" checked" if n == 0 else ""}>'
        for n, (key, _, _) in enumerate(tabs)
    )
    labels = " ".join(
        f'<label for="{group}-{key}" data-meshkb-how="{key}">{label}</label>'
        for key, label, _ in tabs
    )
    blocks = "".join(
        f'<div class="meshkb-tab" data-meshkb-tab-block="{key}">'
        f'<p class="meshkb-tab-name">With {label}:</p>{md.block(text)}</div>'
        for key, label, text in tabs
    )
    return (
        f'<p class="meshkb-label" data-meshkb-how="default">How</p>{general}'
        f'<div class="meshkb-tabs" role="group" aria-label="How, by mesh">{inputs}'
        f'<div class="meshkb-tab-labels">{labels}</div>'
        f'<div class="meshkb-tab-blocks">{blocks}</div></div>'
    )


def render_item(
    item: Item,
    number: str,
    md: FieldMarkdown,
    resolve: LinkResolver,
    page_title: TitleLookup | None,
    h: int,
    checklist_id: str,
) -> str:
    """An active item's `<li>`: the row (ID and title, state radios, severity), then its details."""
    iid = escape_html(item.id)
    applies = item.applies_when
    scope = ""
    if applies.mesh or applies.dataplane:
        scope = f'<span class="meshkb-scope">{escape_html("for " + applies.describe())}</span> '
    parts = [
        # Served as open, as meshkb-page.js shows an unanswered item: it rewrites nothing there.
        f'<li class="meshkb-item meshkb-s-open" id="{iid}" data-meshkb-item="{iid}" data-meshkb-severity="{escape_html(item.severity)}">',
        # The title before the state controls: the row is read (and, on a phone, drawn) in
        # that order, so nothing already drawn moves while the row streams in.
        '<div class="meshkb-row">',
        f'<h{h} class="meshkb-head"><a class="meshkb-id" href="#{iid}" title="Item {escape_html(number)}">{iid}</a> '
        f'<span class="meshkb-item-title">{escape_html(item.title)}</span></h{h}>',
        _states(escape_html(checklist_id), iid),
        f'<span class="meshkb-sev meshkb-sev-{escape_html(item.severity)}">{escape_html(item.severity)}</span>',
        "</div>",
        f'<details class="meshkb-details"><summary>Details<span class="meshkb-sr"> of {iid}</span></summary>',
        f'<div class="meshkb-check">{md.block(item.check)}</div>',
        f'<p class="meshkb-facts">{scope}<span class="meshkb-rev">Item {escape_html(number)} · rev {item.rev}</span></p>',
        f'<p class="meshkb-label">Why</p>{md.block(item.why)}',
        _how(item, md),
        '<p class="meshkb-label">Sources</p><ul class="meshkb-refs">',
    ]
    parts.extend(f"<li>{_ref(ref, resolve, page_title)}</li>" for ref in item.refs)
    parts.append("</ul>")
    parts.append(
        f'<label class="meshkb-note" data-meshkb-for="note" data-search-exclude><span>Note<span class="meshkb-sr"> for {iid}</span></span> '
        '<textarea rows="2" data-k="note" placeholder="What you checked, links to evidence"></textarea></label>'
        '<ul class="meshkb-evidence" data-meshkb-evidence hidden></ul>'
    )
    parts.append("</details>")
    parts.append(f'<p class="meshkb-answer" data-meshkb-answer>State: {STATE_LABELS["open"]}</p>')
    parts.append("</li>")
    return "\n".join(parts)


def _ref(ref: Ref, resolve: LinkResolver, page_title: TitleLookup | None) -> str:
    if ref.page:
        path, _, anchor = ref.page.partition("#")
        full = page_title(ref.page) if page_title else None
        if full and (not anchor or "\u203a" in full):
            text = full
        else:  # no heading known: the anchor as words, never as "#slug"
            title = full or (page_title(path) if page_title else None) or path
            text = title + (f" \u203a {anchor.replace('-', ' ')}" if anchor else "")
        return f'<a href="{escape_html(resolve(ref.page))}">{escape_html(text)}</a>'
    url = ref.url or ""
    title = escape_html(ref.title or url)
    link = f'<a href="{escape_html(url)}">{title}</a>' if is_source_url(url) else title
    return link + (
        f' <span class="meshkb-asof">(as of {escape_html(ref.as_of)})</span>' if ref.as_of else ""
    )


def render_tombstone(
    item: Item, owners: dict[str, str], checklist: Checklist, resolve: LinkResolver
) -> str:
    """A retired item's `<li>`: its title struck through and where its check went."""
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
        f'<li class="meshkb-item meshkb-retired" id="{iid}" data-meshkb-item="{iid}" data-meshkb-retired>'
        f'<p><span class="meshkb-id">{iid}</span> <del>{escape_html(item.title)}</del> — retired: {where}.</p>'
        '<p class="meshkb-kept-answer" data-meshkb-answer></p></li>'
    )
