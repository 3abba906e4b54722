"""render.py: the checklist page fragment, read back with a real HTML parser."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from meshkb.core.load import load_checklist, load_checklist_text
from meshkb.core.model import STATES, Checklist
from meshkb.site import markdown_text
from meshkb.site.escape import escape_html, replace_controls
from meshkb.site.fragment import anchor_ids, render_checklist
from meshkb.site.markdown_fast import plain_paragraphs
from meshkb.site.page_data import checklist_data
from meshkb.site.urls import relative_href

from ..conftest import CASES, CHECKLISTS, ROOT

VOID = {"input", "br", "hr", "img", "meta", "link"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def all_text(self) -> str:
        return "".join(self.text) + "".join(child.all_text() for child in self.children)

    def iter(self) -> list[Node]:
        return [self, *(n for child in self.children for n in child.iter())]

    def find_all(self, tag: str = "", **attrs: str) -> list[Node]:
        def hit(node: Node) -> bool:
            if tag and node.tag != tag:
                return False
            for key, value in attrs.items():
                name = key.rstrip("_").replace("_", "-")
                if name == "class":
                    if value not in node.attrs.get("class", "").split():
                        return False
                elif node.attrs.get(name) != value and not (value == "" and name in node.attrs):
                    return False
            return True

        return [n for n in self.iter()[1:] if hit(n)]

    def find(self, tag: str = "", **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        assert node.tag == tag, f"stray </{tag}>"
        self.current = node.parent or self.root

    def handle_data(self, data: str) -> None:
        self.current.text.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    assert tree.current is tree.root, f"unclosed <{tree.current.tag}>"
    return tree.root


@pytest.fixture(scope="module")
def sample() -> Checklist:
    return load_checklist(CASES / "valid" / "sample.yaml")


@pytest.fixture(scope="module")
def fragment(sample: Checklist) -> Node:
    return parse(render_checklist(sample))


def test_fragment_is_one_container_with_the_data_the_script_needs(
    sample: Checklist, fragment: Node
) -> None:
    (root,) = fragment.children
    assert (root.tag, root.attrs["class"], root.attrs["data-meshkb"]) == ("div", "meshkb", "sample")
    script = root.children[0]
    assert script.tag == "script" and script.attrs == {
        "type": "application/json",
        "data-meshkb-checklist": "",
    }
    assert json.loads(script.all_text()) == [checklist_data(sample)]


def test_header_shows_title_version_review_date_and_summary(fragment: Node) -> None:
    header = fragment.find("div", class_="meshkb-header")
    assert header.find("h2").all_text() == "Sample review"
    meta = header.find("p", class_="meshkb-meta").all_text()
    assert (
        "Version 2.1.0" in meta
        and "2026-11-25" in meta
        and "4 items" in meta
        and "istio, linkerd" in meta
    )
    assert header.find("time").attrs["datetime"] == "2026-11-25"
    assert (
        header.find("div", class_="meshkb-summary")
        .find("p")
        .all_text()
        .startswith("A small checklist")
    )
    assert "meshkb checklist sample" in header.find("p", data_meshkb_nojs="").all_text()


def test_toolbar_is_in_the_html_and_hidden_only_without_script(fragment: Node) -> None:
    toolbar = fragment.find("section", data_meshkb_toolbar="")
    # In the HTML from the first paint (no layout shift); without scripting the CSS hides it.
    assert "hidden" not in toolbar.attrs and "data-search-exclude" in toolbar.attrs
    css = (ROOT / "plugins" / "meshkb" / "assets" / "meshkb.css").read_text(encoding="utf-8")
    rule = css[css.index("@media (scripting: none)") :].split("}\n}", 1)[0]
    assert ".meshkb-toolbar" in rule and "display: none" in rule
    actions = {
        b.attrs["data-meshkb-action"]
        for b in toolbar.find_all("button")
        if "data-meshkb-action" in b.attrs
    }
    assert actions == {"md", "json", "share", "copy", "print", "reset", "clear"}
    menu = toolbar.find("details", class_="meshkb-menu")
    assert {b.attrs["data-meshkb-action"] for b in menu.find_all("button")} == {
        "md",
        "json",
        "print",
    }
    assert toolbar.find("input", type="file").attrs["accept"].startswith(".md,")
    fields = {
        f.attrs["data-meshkb-field"] for f in toolbar.iter() if "data-meshkb-field" in f.attrs
    }
    assert fields == {"system", "mesh", "dataplane", "date", "reviewers"}
    labelled = {n.attrs.get("for") for n in toolbar.find_all("label")}
    for control in toolbar.find_all("select") + toolbar.find_all("input"):
        assert control.parent is not None and (
            control.parent.tag == "label" or control.attrs.get("id") in labelled
        ), "every control has a label"


def test_each_item_is_one_row_with_a_control_per_state(sample: Checklist, fragment: Node) -> None:
    lists = fragment.find_all("ul", class_="meshkb-items")
    assert len(lists) == len(sample.sections)
    for item in sample.active_items():
        li = fragment.find("li", id=item.id)
        assert (li.attrs["data-meshkb-item"], li.attrs["data-meshkb-severity"]) == (
            item.id,
            item.severity,
        )
        row = li.children[0]
        assert row.attrs["class"] == "meshkb-row"
        # In reading order, which is also the order the row streams in and is drawn in on
        # a phone: title, states, severity (see the CSS on .meshkb-row).
        head, states, severity = row.children
        assert (
            states.tag == "fieldset" and states.find("legend").all_text() == f"State of {item.id}"
        )
        radios = states.find_all("input")
        assert [r.attrs["value"] for r in radios] == list(STATES)
        assert all(r.attrs["type"] == "radio" and "disabled" in r.attrs for r in radios)
        assert {r.attrs["name"] for r in radios} == {f"meshkb-sample-{item.id}"}
        assert "checked" in radios[0].attrs
        labels = [r.parent.attrs["class"] for r in radios if r.parent is not None]
        assert labels == [f"meshkb-st meshkb-st-{state}" for state in STATES]
        assert head.attrs["class"] == "meshkb-head" and severity.all_text() == item.severity


@pytest.mark.parametrize(
    ("item_id", "number"),
    [("SMP-0001", "1.1"), ("SMP-0002", "1.2"), ("SMP-0004", "2.1"), ("SMP-0005", "2.2")],
)
def test_display_numbers_are_computed_and_skip_tombstones(
    fragment: Node, item_id: str, number: str
) -> None:
    li = fragment.find("li", id=item_id)
    head = li.find(class_="meshkb-head")
    assert head.find("a", class_="meshkb-id").attrs["title"] == f"Item {number}"
    assert li.find("span", class_="meshkb-rev").all_text().startswith(f"Item {number} · rev ")
    assert head.find("a", class_="meshkb-id").attrs["href"] == f"#{item_id}"


def test_item_shows_severity_scope_check_and_details(fragment: Node) -> None:
    first = fragment.find("li", id="SMP-0001")
    assert first.find("span", class_="meshkb-sev").all_text() == "blocker"
    assert first.find("div", class_="meshkb-check").find("strong").all_text() == "out of the mesh"
    details = first.find("details")
    labels = [n.all_text() for n in details.find_all("p", class_="meshkb-label")]
    assert labels == ["Why", "How", "How with Istio", "Sources"]
    refs = details.find("ul", class_="meshkb-refs").find_all("a")
    assert refs[0].attrs["href"] == "../../migrate/#bypass-runbook"
    assert refs[1].attrs["href"] == "https://istio.io/latest/docs/reference/config/labels/"
    assert "(as of Istio 1.31)" in details.find("ul", class_="meshkb-refs").all_text()
    scoped = fragment.find("li", id="SMP-0002")
    assert scoped.find("span", class_="meshkb-scope").all_text() == "for istio"


PER_MESH_HOW = {
    "default": "Read the runbook.",
    "istio": "`istioctl x precheck` then <script>alert(1)</script>",
    "linkerd": '<img src=x onerror="window.__pwned=1"> & `linkerd check`',
    "cilium": '"><svg onload=alert(1)> **cilium status**',
}


def test_a_how_with_several_meshes_is_css_tabs_with_one_escaped_block_per_mesh() -> None:
    item = (
        "      - id: TAB-0001\n        rev: 1\n        title: T\n        check: C.\n"
        "        why: W.\n        severity: blocker\n        refs: [{page: index.md}]\n"
        "        how:\n"
        + "".join(f"          {k}: {json.dumps(v)}\n" for k, v in PER_MESH_HOW.items())
    )
    checklist, _ = load_checklist_text(
        "format: meshkb/checklist/v1\nid: tabs\nprefix: TAB\nversion: 1.0.0\ntitle: T\n"
        "summary: S.\nlast_reviewed: '2026-12-01'\nsections:\n  - id: s\n    title: S\n"
        "    items:\n" + item,
        "tabs.yaml",
    )
    details = parse(render_checklist(checklist)).find("li", id="TAB-0001").find("details")
    labels = [n.all_text() for n in details.find_all("p", class_="meshkb-label")]
    assert labels == ["Why", "How", "Sources"]  # the default, then the tabs under one "How"
    assert "Read the runbook." in details.all_text()
    tabs = details.find("div", class_="meshkb-tabs")
    assert (tabs.attrs["role"], tabs.attrs["aria-label"]) == ("group", "How, by mesh")
    radios = tabs.find_all("input")
    assert [r.attrs["data-meshkb-tab"] for r in radios] == ["istio", "linkerd", "cilium"]
    assert {r.attrs["name"] for r in radios} == {"meshkb-how-TAB-0001"}
    assert [r.attrs["type"] for r in radios] == ["radio"] * 3
    assert ["checked" in r.attrs for r in radios] == [True, False, False]  # no script needed
    assert [(lab.attrs["for"], lab.all_text()) for lab in tabs.find_all("label")] == [
        (r.attrs["id"], name)
        for r, name in zip(radios, ["Istio", "Linkerd", "Cilium"], strict=True)
    ]
    blocks = tabs.find_all("div", class_="meshkb-tab")
    assert [b.attrs["data-meshkb-tab-block"] for b in blocks] == ["istio", "linkerd", "cilium"]
    assert [b.find("p", class_="meshkb-tab-name").all_text() for b in blocks] == [
        "With Istio:",
        "With Linkerd:",
        "With Cilium:",
    ]
    # all_text() gives a node's own text before its children's
    paragraphs = [b.find_all("p")[1] for b in blocks]
    assert [p.all_text() for p in paragraphs] == [
        " then <script>alert(1)</script>istioctl x precheck",
        '<img src=x onerror="window.__pwned=1"> & linkerd check',
        '"><svg onload=alert(1)> cilium status',
    ]
    assert [p.children[0].tag for p in paragraphs] == ["code", "code", "strong"]
    # The markup in the text stayed text: no element but the ones Markdown makes.
    assert {n.tag for b in blocks for n in b.iter()[1:]} <= {"p", "code", "strong"}


def test_a_retired_item_is_a_tombstone_pointing_to_its_replacement(fragment: Node) -> None:
    tomb = fragment.find("li", id="SMP-0003")
    assert "meshkb-retired" in tomb.attrs["class"].split() and "data-meshkb-retired" in tomb.attrs
    assert tomb.find("del").all_text() == "An old item"
    assert tomb.find("a").attrs["href"] == "#SMP-0004"
    assert not tomb.find_all("input")


def test_progress_gate_and_outcomes_start_from_no_answers(fragment: Node) -> None:
    status = fragment.find("section", data_meshkb_status="")
    rows = {
        r.attrs["data-meshkb-progress"]: r
        for r in status.find_all("div")
        if "data-meshkb-progress" in r.attrs
    }
    assert list(rows) == ["blocker", "required", "recommended", "optional"]
    assert rows["blocker"].find("button", data_meshkb_count="done").all_text() == "0 of 1"
    counts = {
        b.attrs["data-meshkb-count"]: b.all_text()
        for b in rows["required"].find_all("button")
        if "data-meshkb-count" in b.attrs
    }
    assert counts == {"done": "0 of 1", "fail": "0", "na": "0", "waived": "0", "open": "1"}
    gate = status.find("span", data_meshkb_gate="fail")
    assert gate.find("strong").all_text() == "not passed"
    # The outcome's second rule holds with no answers (SMP-0005 is not pass or n/a): decided.
    badge = status.find("span", data_meshkb_badge="decision")
    assert (badge.attrs["data-meshkb-result"], badge.find("strong").all_text()) == (
        "watch",
        "Watch",
    )
    verdict = fragment.find("div", data_meshkb_live="")
    assert verdict.attrs["aria-live"] == "polite"
    assert verdict.find("span", data_meshkb_gate_text="").all_text().startswith("not passed")
    outcome = verdict.find("li", data_meshkb_outcome="decision")
    assert outcome.find("span", data_meshkb_label="").all_text() == "Watch"


def test_an_outcome_left_to_its_otherwise_starts_undecided() -> None:
    removal = load_checklist(CHECKLISTS / "removal.yaml")
    tree = parse(render_checklist(removal))
    outcome = tree.find("li", data_meshkb_outcome="removal-decision")
    assert outcome.attrs["data-meshkb-result"] == "undecided"
    assert outcome.find("span", data_meshkb_label="").all_text() == "Undecided"
    assert outcome.find("span", data_meshkb_reason="").all_text() == (
        "Answer the 4 open item(s) it depends on: RMV-0001, RMV-0002, RMV-0003, RMV-0004."
    )


def test_every_anchor_id_is_in_the_fragment_once(sample: Checklist, fragment: Node) -> None:
    ids = [n.attrs["id"] for n in fragment.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert anchor_ids(sample) <= set(ids)
    assert {"basics", "signals"} <= set(ids)


def test_links_go_through_the_resolver(sample: Checklist) -> None:
    seen: list[str] = []

    def resolve(target: str) -> str:
        seen.append(target)
        return "/resolved/" + target

    html = render_checklist(
        sample,
        resolve=resolve,
        page_title=lambda path: {"migrate.md": "How do I migrate?"}.get(path),
    )
    assert "migrate.md#bypass-runbook" in seen
    # No heading known for the anchor: the anchor as words, never as "#slug".
    assert (
        'href="/resolved/migrate.md#bypass-runbook">How do I migrate? \u203a bypass runbook</a>'
        in html
    )
    titled = render_checklist(
        sample,
        resolve=resolve,
        page_title=lambda target: {
            "migrate.md": "How do I migrate?",
            "migrate.md#bypass-runbook": "How do I migrate? \u203a A <bypass> runbook",
        }.get(target),
    )
    assert (
        'href="/resolved/migrate.md#bypass-runbook">How do I migrate? \u203a A &lt;bypass&gt; runbook</a>'
        in titled
    )


@pytest.mark.parametrize(
    ("target", "page_path", "href"),
    [
        ("migrate.md#x", "checklists/sample.md", "../../migrate/#x"),
        ("index.md", "checklists/sample.md", "../../"),
        ("reference/cli.md#y", "checklists/sample.md", "../../reference/cli/#y"),
        ("#z", "checklists/sample.md", "#z"),
        ("go/ABC-0001/", "checklists/sample.md", "../../go/ABC-0001/"),
        ("migrate.md", "index.md", "migrate/"),
        ("index.md", "index.md", "./"),
    ],
)
def test_relative_href(target: str, page_path: str, href: str) -> None:
    assert relative_href(target, page_path) == href


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '"><svg onload=alert(1)>',
]


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_checklist(load_checklist(CASES / "hostile" / "hostile.yaml"))


def test_hostile_content_renders_as_text(hostile_html: str) -> None:
    tree = parse(hostile_html)
    tags = [n.tag for n in tree.iter()[1:]]
    assert tags.count("script") == 1, "only the JSON data block"
    assert not {"img", "svg", "iframe", "b"} & set(tags)
    # The only form fields are the page's own: reason and note per item, none from the YAML.
    assert all("data-k" in n.attrs for n in tree.iter()[1:] if n.tag == "textarea"), (
        "a textarea not made by the fragment"
    )
    for node in tree.iter()[1:]:
        assert not [a for a in node.attrs if a.startswith("on")], f"event handler on <{node.tag}>"
        for key in ("href", "src", "action"):
            assert (
                not node.attrs.get(key, "")
                .lower()
                .lstrip()
                .startswith(("javascript:", "data:", "vbscript:"))
            )
    text = tree.all_text()
    for payload in HOSTILE:
        assert payload in text or payload.replace("alert(1)", "window.__pwned=1") in text


def test_hostile_json_cannot_close_its_script(hostile_html: str) -> None:
    start = hostile_html.index("data-meshkb-checklist>") + len("data-meshkb-checklist>")
    body = hostile_html[start : hostile_html.index("</script>", start)]
    assert not re.search(r"[<>&]", body)
    assert json.loads(body)[0]["title"].startswith("<script>")


def test_control_characters_never_reach_the_html(sample: Checklist) -> None:
    from dataclasses import replace

    odd = replace(sample, title="bell\x07 and stx\x02wzxhzdk:0\x03", summary="nul\x00 here")
    html = render_checklist(odd)
    visible = html.split("</script>", 1)[1]
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", visible)
    assert "bell\ufffd" in visible


# ---- the plain-prose fast path agrees with markdown-it -------------------------------

_MARKDOWN_IT = MarkdownIt("commonmark", {"html": False}).disable("image")
# Letters and every character that is, or sits next to, Markdown syntax, plus Unicode
# whitespace that CommonMark strips at the edges of a paragraph.
_TRICKY = "ab c.,:;'\"!?|()/%-+=#>)0123456789\n\n\n \t\r*_`[]<>&~\\\u00a0\u2028\u3000é"


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_TRICKY, max_size=60))
def test_plain_paragraphs_equal_markdown_it_or_step_aside(text: str) -> None:
    fast = plain_paragraphs(text)
    if fast is not None:
        assert fast == _MARKDOWN_IT.render(text), repr(text)


# Text shaped like checklist prose: paragraphs, "- " items, two-space continuations and
# code spans, made of words that may hold any syntax character.
_WORD = st.text(alphabet="ab.,:;'\"!?|()/%-+=#>)01`*_[]<>&~\\ \u00a0", min_size=1, max_size=6)
_CODE = st.builds(lambda word: f"`{word}`", _WORD)
_STRONG = st.builds(
    lambda lead, word, tail: f"{lead}**{word}**{tail}",
    st.sampled_from(["", "", "a", "(", "`x`"]),
    _WORD,
    st.sampled_from(["", "", "c", ".", ")", "`x`", "*"]),
)
_LINE = st.builds(
    lambda prefix, words, suffix: prefix + " ".join(words) + suffix,
    st.sampled_from(
        [
            "",
            "",
            "- ",
            "  ",
            "   ",
            "1. ",
            "01) ",
            "2. ",
            "2026). ",
            "0.20 ",
            "`",
            "- `",
            "**",
            "* ",
        ]
    ),
    st.lists(st.one_of(_WORD, _CODE, _STRONG), min_size=1, max_size=5),
    st.sampled_from(["", "", ".", "**", "**.", "`"]),
)
_FENCED = st.builds(
    lambda info, lines, end: f"```{info}\n" + "\n".join(lines) + end,
    st.sampled_from(["", "yaml", "a b"]),
    st.lists(st.text(alphabet='ab <&"`:-', max_size=8), max_size=3),
    st.sampled_from(["\n```", "\n```", "\n``", "\n```x", ""]),
)
_PROSE = st.builds(
    lambda blocks: "\n\n".join(blocks),
    st.lists(
        st.one_of(st.builds("\n".join, st.lists(_LINE, min_size=1, max_size=4)), _FENCED),
        min_size=1,
        max_size=3,
    ),
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PROSE)
def test_prose_shaped_text_equals_markdown_it_or_steps_aside(text: str) -> None:
    fast = plain_paragraphs(text)
    if fast is not None:
        assert fast == _MARKDOWN_IT.render(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "One line.",
        "Two lines\nof prose.",
        'Say "yes" or no.\n\nA second paragraph.\n',
        "Numbers like 15 services, 0.20 vCPU (Istio 1.24) and 2:1 | fine.",
        "Run `kubectl get svc -A` and `a && b <c>` first.",
        "Steps:\n\n- one `x`\n- two\n  continued\n\nAfter the list.",
        "- a list",
        "Before\n- a list right after a line",
        "Mark it **and** say why.",
        "Figures from 2021 and\n2026). Not a list: it cannot interrupt a paragraph.",
        'Steps:\n\n- one\n\n```yaml\nkey: <value> & "x"\n  nested: 1\n```\n',
    ],
)
def test_plain_paragraphs_take_prose(text: str) -> None:
    fast = plain_paragraphs(text)
    assert fast is not None and fast == _MARKDOWN_IT.render(text)


@pytest.mark.parametrize(
    "text",
    [
        "1. a list",
        "2) a list",
        "# heading",
        "Title\n===",
        "Title\n---",
        "    code",
        "a  \nhard break",
        " leading space",
        "*em*",
        "***both***",
        "**a **b",
        "Before\n1. a list that interrupts",
        "```yaml\nkey: 1\n\nmore: 2\n```",
        "```yaml\nunclosed",
        "``double``",
        "` spaced `",
        "a `span\nacross` lines",
        "an ` unmatched backtick",
        "- a\n\n- b",
        "- a\n  - nested",
        "- a\nlazy continuation",
        "-  two spaces",
        "[link](x.md)",
        "a &amp; b",
        "<https://example.com>",
        "a\n\n\nb",
        "",
    ],
)
def test_plain_paragraphs_leave_syntax_to_the_parser(text: str) -> None:
    assert plain_paragraphs(text) is None


def test_shipped_checklists_render_the_same_without_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checklists = [load_checklist(path) for path in sorted(CHECKLISTS.glob("*.yaml"))]
    fast = [render_checklist(c) for c in checklists]
    monkeypatch.setattr(markdown_text, "plain_paragraphs", lambda text: None)
    assert [render_checklist(c) for c in checklists] == fast


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=' ab`<&"\n\\', max_size=6))
def test_code_spans_equal_markdown_it_or_step_aside(code: str) -> None:
    text = f"x `{code}` y"
    fast = plain_paragraphs(text)
    if fast is not None:
        assert fast == _MARKDOWN_IT.render(text), repr(text)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("ab &<>\"'\x00\x08\x0b\x1f\x7f\u00e9"), max_size=12))
def test_text_skips_the_escaping_only_when_nothing_needs_it(text: str) -> None:
    # `_text` returns text unchanged when it holds nothing to escape or clean.
    assert escape_html(text) == escape(replace_controls(text), quote=True)
