"""The interactive checklist pages in a real Chromium, against the real built site."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meshkb.core.errors import MeshkbError
from meshkb.core.load import checklist_files, load_all, load_checklist
from meshkb.core.model import DATAPLANES, MESHES, STATES, Answer, AnswerEvidence, Checklist, Report
from meshkb.report.build import new_report
from meshkb.report.data import render_json, report_to_data
from meshkb.report.markdown import render_markdown
from meshkb.report.markdown_read import parse_markdown
from meshkb.site.page_data import checklist_data
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect

from ..conftest import CASES, CHECKLISTS, ROOT, run_cli
from ..core.test_vectors import VECTORS, report_for
from .conftest import Site, axe_run

pytestmark = pytest.mark.browser

CHECKLIST_SET: dict[str, Checklist] = {c.id: c for c in load_all(checklist_files(CHECKLISTS))}


def open_checklist(page: Page, site: Site, name: str) -> None:
    page.goto(site.page(f"checklists/{name}/"))
    expect(page.locator(".meshkb[data-meshkb-ready]")).to_have_count(1)


def item(page: Page, item_id: str) -> Any:
    return page.locator(f"li#{item_id}")


def set_state(page: Page, item_id: str, state: str) -> None:
    item(page, item_id).locator(f"input[type=radio][value={state}]").check()


def fill(page: Page, item_id: str, key: str, text: str) -> None:
    if key == "note":  # the note is in the item's disclosure
        item(page, item_id).locator("details").evaluate("el => el.open = true")
    item(page, item_id).locator(f"[data-k={key}]").fill(text)


def saved(page: Page, name: str) -> dict[str, Any]:
    raw = page.evaluate("name => localStorage.getItem('meshkb:' + name)", name)
    return json.loads(raw) if raw else {}


def live_ids(name: str) -> list[str]:
    return [i.id for i in CHECKLIST_SET[name].active_items()]


def scoped_item(name: str) -> tuple[str, str]:
    """An item of `name` that applies to one mesh only, and a mesh it does not apply to."""
    for it in CHECKLIST_SET[name].active_items():
        if it.applies_when.mesh:
            other = next(m for m in ("istio", "linkerd", "cilium") if m not in it.applies_when.mesh)
            return it.id, other
    pytest.fail(f"checklist {name} has no mesh-specific item to test the mesh filter with")


def diff(expected: str, actual: str) -> str:
    return "".join(
        difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "cli", "page")
    )


def download(page: Page, action: str) -> str:
    page.locator("[data-meshkb-menu] > summary").click()  # the Export menu
    with page.expect_download() as info:
        page.locator(f"[data-meshkb-action={action}]").click()
    expect(page.locator("[data-meshkb-menu]")).not_to_have_attribute("open", "")
    path = info.value.path()
    return Path(path).read_text(encoding="utf-8")


@pytest.fixture
def errors(page: Page) -> Iterator[list[str]]:
    """Console errors and uncaught exceptions on the page; the test asserts none happened."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            found.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: found.append(str(exc)))
    yield found


def test_an_answer_survives_a_reload(page: Page, site: Site, errors: list[str]) -> None:
    first = live_ids("migration")[0]
    open_checklist(page, site, "migration")
    set_state(page, first, "pass")
    fill(page, first, "note", "Runbook rehearsed on 2026-11-20.")
    page.reload()
    expect(page.locator(".meshkb[data-meshkb-ready]")).to_have_count(1)
    expect(item(page, first).locator("input[type=radio][value=pass]")).to_be_checked()
    expect(item(page, first)).to_have_class(re.compile(r"\bmeshkb-s-pass\b"))
    expect(item(page, first).locator("[data-k=note]")).to_have_value(
        "Runbook rehearsed on 2026-11-20."
    )
    assert saved(page, "migration")["answers"][first]["state"] == "pass"
    assert errors == []


def test_every_state_with_its_note_reason_and_owner(
    page: Page, site: Site, errors: list[str]
) -> None:
    ids = live_ids("traps")[:5]
    open_checklist(page, site, "traps")
    for item_id, state in zip(ids, ("open", "pass", "fail", "na", "waived"), strict=True):
        set_state(page, item_id, state)
        fill(page, item_id, "note", f"note for {state}")
    na, waived = ids[3], ids[4]
    expect(item(page, na).locator("[data-k=reason]")).to_be_visible()
    expect(item(page, na).locator("[data-k=reason]")).to_have_attribute("aria-invalid", "true")
    expect(item(page, na).locator("[data-flag=lacks]")).to_be_visible()
    fill(page, na, "reason", "No Jobs in this namespace.")
    expect(item(page, na).locator("[data-flag=lacks]")).to_be_hidden()
    expect(item(page, waived).locator("[data-k=owner]")).to_be_visible()
    fill(page, waived, "owner", "platform-team")
    fill(page, waived, "reason", "Accepted until the Q3 upgrade.")
    expect(item(page, ids[1]).locator("[data-k=reason]")).to_be_hidden()
    answers = saved(page, "traps")["answers"]
    assert [answers[i]["state"] for i in ids] == ["open", "pass", "fail", "na", "waived"]
    assert answers[na]["reason"] == "No Jobs in this namespace."
    assert (answers[waived]["owner"], answers[waived]["reason"]) == (
        "platform-team",
        "Accepted until the Q3 upgrade.",
    )
    assert [answers[i]["note"] for i in ids] == [
        f"note for {s}" for s in ("open", "pass", "fail", "na", "waived")
    ]
    # Each item shows its state (colour and icon come with the class); once filled in,
    # no n/a or waiver is marked incomplete.
    for item_id, state in zip(ids, ("open", "pass", "fail", "na", "waived"), strict=True):
        expect(item(page, item_id)).to_have_class(f"meshkb-item meshkb-s-{state}")
    assert errors == []


def test_filters_by_severity_state_and_mesh(page: Page, site: Site) -> None:
    checklist = CHECKLIST_SET["migration"]
    open_checklist(page, site, "migration")
    items = page.locator("li[data-meshkb-item]")
    required = [i.id for i in checklist.active_items() if i.severity == "required"]
    page.select_option("[data-meshkb-filter=severity]", "required")
    expect(page.locator("li[data-meshkb-item]:visible")).to_have_count(len(required))
    expect(page.locator("[data-meshkb-shown]")).to_have_text(
        f"Showing {len(required)} of {len(checklist.active_items())} items"
    )
    page.select_option("[data-meshkb-filter=severity]", "")
    set_state(page, required[0], "fail")
    page.select_option("[data-meshkb-filter=state]", "fail")
    expect(page.locator("li[data-meshkb-item]:visible")).to_have_count(1)
    expect(item(page, required[0])).to_be_visible()
    page.select_option("[data-meshkb-filter=state]", "")
    expect(items.filter(has=page.locator("h3")).first).to_be_visible()
    scoped, other = scoped_item("migration")
    page.select_option("[data-meshkb-field=mesh]", other)
    # Not hidden without a trace: still listed, marked "not for", and n/a with the CLI's reason.
    expect(item(page, scoped)).to_be_visible()
    expect(item(page, scoped).locator("[data-flag=notfor]")).to_have_text(f"Not for {other}")
    assert saved(page, "migration")["answers"][scoped]["state"] == "na"
    page.select_option("[data-meshkb-field=mesh]", "")
    expect(item(page, scoped).locator("[data-flag=notfor]")).to_be_hidden()
    assert scoped not in saved(page, "migration")["answers"]


@pytest.fixture(scope="module")
def scoring_page(browser: Browser, site: Site) -> Iterator[Page]:
    page = browser.new_page()
    page.goto(site.page("checklists/removal/"))
    page.wait_for_function("window.meshkb !== undefined")
    page.evaluate("meshkb.withReports()")  # the report module, as an export loads it
    yield page
    page.close()


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_page_scores_every_shared_vector_like_python(
    scoring_page: Page, vector: dict[str, Any]
) -> None:
    checklist = load_checklist(ROOT / vector["checklist"])
    report = report_for(checklist, vector["answers"])
    answers = report_to_data(report)["answers"]
    result = scoring_page.evaluate(
        "([data, answers]) => meshkb.score(data, {answers})", [checklist_data(checklist), answers]
    )
    expect_ = vector["expect"]
    assert {p["severity"]: [p["done"], p["total"]] for p in result["progress"]} == expect_[
        "progress"
    ]
    assert result["gate"] is expect_["gate"]
    assert {o["id"]: o["result"] for o in result["outcomes"]} == expect_["outcomes"]
    assert result["reverify"] == expect_.get("reverify", [])
    assert result["unconfirmed"] == expect_.get("unconfirmed", [])


def test_progress_gate_and_outcomes_update_live(page: Page, site: Site) -> None:
    removal = CHECKLIST_SET["removal"]
    signals = removal.outcomes[0].rules[0].when["count"]
    open_checklist(page, site, "removal")
    outcome = page.locator("[data-meshkb-outcome=removal-decision]")
    # With signals still open, "keep" (the otherwise) is no answer yet.
    expect(outcome.locator("[data-meshkb-label]")).to_have_text("Undecided")
    expect(page.locator("[data-meshkb-badge=removal-decision]")).to_contain_text("Undecided")
    set_state(page, signals[0], "fail")
    expect(outcome.locator("[data-meshkb-label]")).to_have_text("Undecided")
    expect(outcome.locator("[data-meshkb-reason]")).to_contain_text(signals[1])
    for signal in signals[1:]:
        set_state(page, signal, "pass")
    expect(outcome.locator("[data-meshkb-label]")).to_have_text("Keep the mesh")
    expect(outcome).to_have_attribute("data-meshkb-result", "keep")
    set_state(page, signals[1], "fail")
    expect(outcome.locator("[data-meshkb-label]")).to_have_text("Plan a removal")
    expect(outcome).to_have_attribute("data-meshkb-result", "plan-removal")
    blockers = [i.id for i in removal.active_items() if i.severity == "blocker"]
    row = page.locator("[data-meshkb-progress=blocker]")
    expect(row.locator("[data-meshkb-count=done]")).to_have_text(f"0 of {len(blockers)}")
    expect(page.locator("[data-meshkb-gate]")).to_have_attribute("data-meshkb-gate", "fail")
    for index, blocker in enumerate(blockers):
        if index == 0:
            set_state(page, blocker, "na")
            # An n/a without its reason is not done yet: it counts as open, and says why.
            expect(row.locator("[data-meshkb-count=na]")).to_have_text("0")
            expect(item(page, blocker).locator("[data-flag=lacks]")).to_contain_text(
                "does not count as done"
            )
            fill(page, blocker, "reason", "Not relevant here.")
            expect(row.locator("[data-meshkb-count=na]")).to_have_text("1")
        else:
            set_state(page, blocker, "pass")
    expect(row.locator("[data-meshkb-count=done]")).to_have_text(
        f"{len(blockers) - 1} of {len(blockers) - 1}"
    )
    expect(row.locator("[data-meshkb-count=na]")).to_have_text("1")
    expect(page.locator("[data-meshkb-gate]")).to_have_attribute("data-meshkb-gate", "pass")
    expect(page.locator("[data-meshkb-gate-text]")).to_have_text(
        "passed — no blocker is open or failed."
    )
    expect(page.locator("[data-meshkb-live]")).to_have_attribute("aria-live", "polite")


def test_adoption_shows_its_recommendation_and_reason(page: Page, site: Site) -> None:
    adoption = CHECKLIST_SET["adoption"]
    open_checklist(page, site, "adoption")
    outcome = page.locator("[data-meshkb-outcome=recommendation]")
    expect(outcome.locator("[data-meshkb-label]")).to_have_text(
        adoption.outcomes[0].otherwise.label
    )
    vector = next(
        v
        for v in VECTORS
        if v["checklist"].endswith("adoption.yaml")
        and v["expect"]["outcomes"]["recommendation"] != "undecided"
    )
    for item_id, state in vector["answers"].items():
        spec = {"state": state} if isinstance(state, str) else state
        set_state(page, item_id, spec["state"])
        if spec.get("reason"):
            fill(page, item_id, "reason", spec["reason"])
        if spec.get("owner"):
            fill(page, item_id, "owner", spec["owner"])
    expected = vector["expect"]["outcomes"]["recommendation"]
    expect(outcome).to_have_attribute("data-meshkb-result", expected)
    rule = next(r for r in adoption.outcomes[0].rules if r.result == expected)
    expect(outcome.locator("[data-meshkb-reason]")).to_contain_text(
        " ".join(rule.reason.split())[:60]
    )


def test_reset_asks_first(page: Page, site: Site) -> None:
    first = live_ids("adoption")[0]
    open_checklist(page, site, "adoption")
    set_state(page, first, "fail")
    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.locator("[data-meshkb-action=reset]").first.click()
    expect(item(page, first).locator("input[value=fail]")).to_be_checked()
    assert messages and "Reset" in messages[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-meshkb-action=reset]").first.click()
    expect(item(page, first).locator("input[value=open]")).to_be_checked()
    assert page.evaluate("localStorage.getItem('meshkb:adoption')") is None


def test_the_report_module_loads_on_the_first_export_and_a_failed_load_says_so(
    page: Page, site: Site
) -> None:
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url.rsplit("/", 1)[-1]))
    blocked = {"on": True}
    aborted: list[str] = []

    def report_module(route: Any) -> None:
        if blocked["on"]:
            aborted.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/meshkb-report.js", report_module)
    open_checklist(page, site, "removal")
    assert "meshkb-report.js" not in scripts, "a page starts without the report module"
    assert page.evaluate("typeof meshkb.parseReport") == "undefined"
    page.locator("[data-meshkb-menu] > summary").click()
    page.locator("[data-meshkb-action=md]").click()
    message = page.locator("[data-meshkb-message]")
    expect(message).to_contain_text("Could not load")
    expect(message).to_contain_text("meshkb-report.js")
    blocked["on"] = False  # the network is back: the next export tries again and works
    assert download(page, "md").startswith("---\nformat: meshkb/report/v1\n")
    assert aborted and scripts.count("meshkb-report.js") > len(aborted)  # it tried again


def test_export_is_byte_for_byte_the_cli_report(page: Page, site: Site, errors: list[str]) -> None:
    checklist = CHECKLIST_SET["migration"]
    ids = live_ids("migration")
    scoped, _ = scoped_item("migration")
    mesh = (
        "linkerd" if "linkerd" not in checklist.item_by_id()[scoped].applies_when.mesh else "cilium"
    )
    open_checklist(page, site, "migration")
    page.fill("[data-meshkb-field=system]", "namespace payments — “prod”")
    page.select_option("[data-meshkb-field=mesh]", mesh)
    page.select_option("[data-meshkb-field=dataplane]", "sidecar")
    page.fill("[data-meshkb-field=date]", "2026-11-30")
    page.fill("[data-meshkb-field=reviewers]", "alice,  bob ")
    page.locator("[data-meshkb-field=reviewers]").blur()
    set_state(page, ids[0], "pass")
    fill(page, ids[0], "note", "  Rehearsed.\n\n  Second paragraph with `code`  \n")
    set_state(page, ids[1], "fail")
    fill(page, ids[1], "note", "Pods restart in a loop.")
    set_state(page, ids[2], "na")
    fill(page, ids[2], "reason", "No such workloads.")
    set_state(page, ids[3], "waived")
    fill(page, ids[3], "owner", "platform")
    fill(page, ids[3], "reason", "Accepted risk\nuntil Q3.")
    markdown = download(page, "md")
    exported_json = download(page, "json")

    expected = new_report(
        checklist,
        system="namespace payments — “prod”",
        mesh=mesh,
        dataplane="sidecar",
        date="2026-11-30",
        reviewers=("alice", "bob"),
    )
    mine = {
        ids[0]: Answer(
            ids[0],
            checklist.item_by_id()[ids[0]].rev,
            "pass",
            note="  Rehearsed.\n\n  Second paragraph with `code`  \n",
        ),
        ids[1]: Answer(
            ids[1], checklist.item_by_id()[ids[1]].rev, "fail", note="Pods restart in a loop."
        ),
        ids[2]: Answer(
            ids[2], checklist.item_by_id()[ids[2]].rev, "na", reason="No such workloads."
        ),
        ids[3]: Answer(
            ids[3],
            checklist.item_by_id()[ids[3]].rev,
            "waived",
            reason="Accepted risk\nuntil Q3.",
            owner="platform",
        ),
    }
    expected = replace(expected, answers=tuple(mine.get(a.id, a) for a in expected.answers))
    assert markdown == render_markdown(checklist, expected), diff(
        render_markdown(checklist, expected), markdown
    )
    assert exported_json == render_json(checklist, expected)
    assert errors == []


def test_import_of_an_edited_cli_report_restores_the_answers(
    page: Page, site: Site, tmp_path: Path
) -> None:
    checklist = CHECKLIST_SET["migration"]
    ids = live_ids("migration")
    text = run_cli(
        "checklist",
        "migration",
        "--system",
        "checkout",
        "--date",
        "2026-11-30",
        "--reviewer",
        "carol",
    ).out
    lines = text.split("\n")

    def edit(
        item_id: str,
        *,
        tick: bool,
        state: str | None = None,
        note: tuple[str, ...] = (),
        reason: str = "",
    ) -> None:
        start = next(i for i, line in enumerate(lines) if f"**{item_id}**" in line)
        if tick:
            lines[start] = lines[start].replace("- [ ]", "- [X]", 1)
        at = next(i for i in range(start, len(lines)) if lines[i].startswith("  - State:"))
        if state:
            lines[at] = f"  - State: {state}"
        if note:
            assert lines[at + 1] == "  - Note:"
            lines[at + 1 : at + 2] = [f"  - Note: {note[0]}", *note[1:], ""]
        if reason:
            lines.insert(at + 1, f"  - Reason: {reason}")

    edit(ids[0], tick=True)
    edit(
        ids[1],
        tick=False,
        state="FAILED",
        note=("Sidecar starts after the app;", "    see the **trap** page."),
    )
    edit(ids[2], tick=True, state="n/a", reason="No Jobs here.")
    report_file = tmp_path / "migration-review.md"
    report_file.write_bytes("\r\n".join(lines).encode("utf-8"))

    open_checklist(page, site, "migration")
    page.locator("[data-meshkb-import]").set_input_files(str(report_file))
    expect(page.locator("[data-meshkb-message]")).to_contain_text("Loaded")
    expect(item(page, ids[0]).locator("input[value=pass]")).to_be_checked()
    expect(item(page, ids[1]).locator("input[value=fail]")).to_be_checked()
    expect(item(page, ids[1]).locator("[data-k=note]")).to_have_value(
        "Sidecar starts after the app;\nsee the **trap** page."
    )
    expect(item(page, ids[2]).locator("input[value=na]")).to_be_checked()
    expect(item(page, ids[2]).locator("[data-k=reason]")).to_have_value("No Jobs here.")
    expect(page.locator("[data-meshkb-field=system]")).to_have_value("checkout")
    expect(page.locator("[data-meshkb-field=reviewers]")).to_have_value("carol")
    parsed = parse_markdown(
        report_file.read_text(encoding="utf-8"), "r.md", {checklist.id: checklist}
    )
    assert download(page, "md") == render_markdown(checklist, parsed)


def test_a_bad_report_file_is_refused_with_its_line(page: Page, site: Site, tmp_path: Path) -> None:
    text = run_cli("checklist", "migration").out.replace("  - State: open", "  - State: maybe", 1)
    bad = tmp_path / "bad.md"
    bad.write_text(text, encoding="utf-8")
    open_checklist(page, site, "migration")
    page.locator("[data-meshkb-import]").set_input_files(str(bad))
    line = text.split("\n").index("  - State: maybe") + 1
    expect(page.locator("[data-meshkb-message]")).to_contain_text(
        f"bad.md:{line}:1: unknown state 'maybe'"
    )


def test_share_link_restores_the_answers_in_a_fresh_browser(
    page: Page, site: Site, browser: Browser
) -> None:
    ids = live_ids("traps")
    open_checklist(page, site, "traps")
    set_state(page, ids[0], "fail")
    fill(page, ids[0], "note", "Seen </script><b>in</b> prod & more")
    set_state(page, ids[1], "waived")
    fill(page, ids[1], "owner", "sre")
    fill(page, ids[1], "reason", "until the upgrade")
    page.fill("[data-meshkb-field=system]", "edge")
    page.locator("[data-meshkb-action=share]").click()
    link = page.locator("[data-meshkb-share] input").input_value()
    assert "#meshkb=" in link and link.startswith(site.url)
    context = browser.new_context()
    try:
        other = context.new_page()
        other.goto(link)
        expect(other.locator(".meshkb[data-meshkb-ready]")).to_have_count(1)
        expect(item(other, ids[0]).locator("input[value=fail]")).to_be_checked()
        expect(item(other, ids[0]).locator("[data-k=note]")).to_have_value(
            "Seen </script><b>in</b> prod & more"
        )
        expect(item(other, ids[1]).locator("[data-k=owner]")).to_have_value("sre")
        expect(other.locator("[data-meshkb-field=system]")).to_have_value("edge")
        assert "#meshkb=" not in other.url
        assert saved(other, "traps")["answers"][ids[0]]["state"] == "fail"
        # A tampered link changes nothing and says so.
        other.goto(site.page("checklists/traps/#meshkb=%7B%22format%22%3A1"))
        other.reload()
        expect(other.locator("[data-meshkb-message]")).to_contain_text("could not be read")
        expect(item(other, ids[0]).locator("input[value=fail]")).to_be_checked()
    finally:
        context.close()


def test_instant_navigation_keeps_the_page_working(
    page: Page, instant_site: Site, errors: list[str]
) -> None:
    site = instant_site
    first = live_ids("removal")[0]
    open_checklist(page, site, "removal")
    page.evaluate("window.__marker = 'still here'")
    page.locator(".md-tabs a[href$='decide/']").first.click()
    page.wait_for_url(re.compile(r"/decide/$"))
    page.locator(".md-tabs a[href$='checklists/adoption/']").first.click()
    page.wait_for_url(re.compile(r"/checklists/adoption/$"))
    page.locator(".md-nav--primary a[href$='checklists/removal/']:visible").first.click()
    page.wait_for_url(re.compile(r"/checklists/removal/$"))
    expect(page.locator(".meshkb[data-meshkb-ready]")).to_have_count(1)
    assert page.evaluate("window.__marker") == "still here", "instant navigation reloaded the page"
    set_state(page, first, "pass")
    row = page.locator(
        f"[data-meshkb-progress={CHECKLIST_SET['removal'].item_by_id()[first].severity}]"
    )
    expect(row.locator("[data-meshkb-count=done]")).to_contain_text("1 of")
    page.go_back()
    page.wait_for_url(re.compile(r"/checklists/adoption/$"))
    page.go_forward()
    expect(item(page, first).locator("input[value=pass]")).to_be_checked()
    assert page.evaluate("window.__marker") == "still here"
    assert errors == []


def test_keyboard_alone_sets_a_state(page: Page, site: Site) -> None:
    first = live_ids("adoption")[0]
    open_checklist(page, site, "adoption")
    unanswered = item(page, first).locator("input[value=open]")
    for _ in range(80):
        page.keyboard.press("Tab")
        if unanswered.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first item's state buttons")
    outline = unanswered.evaluate("el => getComputedStyle(el.parentElement).outlineStyle")
    assert outline == "solid", "the focused state button shows no focus ring"
    page.keyboard.press("ArrowRight")
    expect(item(page, first).locator("input[value=pass]")).to_be_checked()
    page.keyboard.press("ArrowRight")
    expect(item(page, first).locator("input[value=fail]")).to_be_checked()
    assert saved(page, "adoption")["answers"][first]["state"] == "fail"
    summary = item(page, first).locator("details > summary")
    for _ in range(5):
        page.keyboard.press("Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab from the state buttons never reached the item's details")
    page.keyboard.press("Enter")
    note = item(page, first).locator("[data-k=note]")
    for _ in range(40):
        page.keyboard.press("Tab")
        if note.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the note in the opened details")
    page.keyboard.type("typed by keyboard")
    expect(item(page, first).locator("[data-k=note]")).to_have_value("typed by keyboard")


def test_axe_finds_nothing_in_the_checklist_widgets(page: Page, site: Site) -> None:
    _, other = scoped_item("migration")
    open_checklist(page, site, "migration")
    ids = live_ids("migration")
    set_state(page, ids[0], "na")
    set_state(page, ids[1], "waived")
    page.select_option("[data-meshkb-field=mesh]", other)
    page.locator("[data-meshkb-action=share]").click()
    page.locator("details.meshkb-details").first.evaluate("el => el.open = true")
    results = axe_run(page, context=".meshkb")
    assert results.violations_count == 0, results.generate_report()


def test_no_console_error_and_no_request_off_origin(
    page: Page, site: Site, errors: list[str]
) -> None:
    requests: list[str] = []

    def on_request(request: Request) -> None:
        requests.append(request.url)

    page.on("request", on_request)
    for name in CHECKLIST_SET:
        open_checklist(page, site, name)
        first = live_ids(name)[0]
        set_state(page, first, "fail")
        download(page, "md")
        page.locator("[data-meshkb-action=share]").click()
    page.goto(site.page(f"go/{live_ids('migration')[2]}/"))
    page.wait_for_url(re.compile(rf"/checklists/migration/#{live_ids('migration')[2]}$"))
    origin = urlsplit(site.url).netloc
    off = [u for u in requests if urlsplit(u[5:] if u.startswith("blob:") else u).netloc != origin]
    assert off == []
    assert errors == []


def test_hostile_checklist_text_stays_text(
    page: Page, hostile_site: Site, errors: list[str]
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_site.page("checklists/hostile/"))
    expect(page.locator(".meshkb[data-meshkb-ready]")).to_have_count(1)
    set_state(page, "XSS-0001", "fail")
    page.select_option("[data-meshkb-field=mesh]", "linkerd")
    page.locator("details").first.evaluate("el => el.open = true")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    body = page.locator(".meshkb").inner_text()
    for literal in (
        "<script>window.__pwned=1</script>",
        "<script>alert(1)</script> title",
        "<img src=x onerror=alert(1)> label",
        "[click](javascript:window.__pwned=1)",
        '"><svg onload=alert(1)>',
    ):
        assert literal in body
    assert (
        page.locator(
            ".meshkb script:not([type='application/json']), .meshkb img, .meshkb svg, .meshkb iframe"
        ).count()
        == 0
    )
    assert (
        page.locator(
            ".meshkb [onclick], .meshkb [onerror], .meshkb [onload], .meshkb [onmouseover]"
        ).count()
        == 0
    )
    assert page.locator(".meshkb a[href^='javascript']").count() == 0
    assert errors == []


def test_damaged_storage_keeps_the_page_working_and_offers_reset(
    page: Page, site: Site, errors: list[str]
) -> None:
    first = live_ids("traps")[0]
    page.goto(site.page("404.html"))
    page.evaluate("localStorage.setItem('meshkb:traps', '{not json')")
    open_checklist(page, site, "traps")
    expect(page.locator("[data-meshkb-message]")).to_contain_text("could not be read")
    offer = page.locator("[data-meshkb-offer]")
    expect(offer).to_be_visible()
    set_state(page, first, "pass")
    expect(item(page, first).locator("input[value=pass]")).to_be_checked()
    page.once("dialog", lambda dialog: dialog.accept())
    offer.click()
    expect(item(page, first).locator("input[value=open]")).to_be_checked()
    # A foreign value under the key, and answers that are partly wrong.
    page.evaluate(
        """first => localStorage.setItem('meshkb:traps', JSON.stringify({format: 'meshkb/page/v1', checklist: 'traps',
        fields: {system: 's', mesh: '', dataplane: '', date: '', reviewers: []},
        answers: {[first]: {rev: 1, state: 'bogus'}, 'TRP-9999': {id: 'x', rev: 1, state: 'pass', note: '', reason: '',
                  owner: '', evidence: [], prefilled: false}}}))""",
        first,
    )
    page.reload()
    expect(page.locator("[data-meshkb-message]")).to_contain_text(
        "1 saved answer(s) could not be read"
    )
    expect(page.locator("[data-meshkb-kept]")).to_contain_text("TRP-9999 (Pass)")
    assert errors == []


def test_changed_rev_asks_to_reverify_and_keeps_the_answer(page: Page, site: Site) -> None:
    first = live_ids("removal")[0]
    rev = CHECKLIST_SET["removal"].item_by_id()[first].rev
    page.goto(site.page("404.html"))
    page.evaluate(
        """([id, rev]) => localStorage.setItem('meshkb:removal', JSON.stringify({format: 'meshkb/page/v1',
        checklist: 'removal', fields: {system: '', mesh: '', dataplane: '', date: '', reviewers: []},
        answers: {[id]: {rev, state: 'pass', note: 'old', reason: '', owner: '', evidence: [], prefilled: false}}}))""",
        [first, rev + 1],
    )
    open_checklist(page, site, "removal")
    flag = item(page, first).locator("[data-flag=rev]")
    expect(flag).to_contain_text(f"answered for rev {rev + 1}; the item is now rev {rev}")
    expect(item(page, first).locator("input[value=pass]")).to_be_checked()
    page.select_option("[data-meshkb-filter=state]", "reverify")
    expect(page.locator("li[data-meshkb-item]:visible")).to_have_count(1)
    page.select_option("[data-meshkb-filter=state]", "")
    flag.locator("button").click()
    expect(flag).to_be_hidden()
    assert saved(page, "removal")["answers"][first]["rev"] == rev


def test_a_full_storage_is_reported(page: Page, site: Site) -> None:
    first = live_ids("adoption")[0]
    open_checklist(page, site, "adoption")
    page.evaluate("""() => {
        let size = 1 << 22;
        for (let i = 0; size > 16; i++) {
            try { localStorage.setItem('filler' + i, 'x'.repeat(size)); } catch { size = size >> 1; }
        }
    }""")
    set_state(page, first, "fail")
    expect(page.locator("[data-meshkb-message]")).to_contain_text("QuotaExceededError")
    expect(page.locator("[data-meshkb-saved]")).to_have_text("Not saved")
    page.evaluate("localStorage.clear()")


def test_print_shows_answers_and_hides_controls(page: Page, site: Site) -> None:
    first = live_ids("traps")[0]
    open_checklist(page, site, "traps")
    set_state(page, first, "waived")
    fill(page, first, "owner", "sre")
    fill(page, first, "reason", "later")
    page.fill("[data-meshkb-field=system]", "namespace <edge>")
    page.fill("[data-meshkb-field=reviewers]", "ana, bo")
    page.select_option("[data-meshkb-field=mesh]", "linkerd")
    page.fill("[data-meshkb-field=date]", "2026-12-02")
    page.emulate_media(media="print")
    head = page.locator(".meshkb-print-head")
    expect(head).to_be_visible()
    for key, text in (
        ("system", "namespace <edge>"),
        ("date", "2026-12-02"),
        ("reviewers", "ana, bo"),
        ("mesh", "linkerd"),
    ):
        expect(head.locator(f"[data-meshkb-print={key}]")).to_have_text(text)
    expect(page.locator("[data-meshkb-toolbar]")).to_be_hidden()
    expect(item(page, first).locator(".meshkb-states")).to_be_hidden()
    expect(item(page, first).locator("[data-meshkb-answer]")).to_have_text(
        "State: Waived; reason: later; owner: sre"
    )
    expect(item(page, first).locator("[data-meshkb-answer]")).to_be_visible()


def test_without_javascript_the_page_is_a_readable_list(browser: Browser, site: Site) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.page("checklists/migration/"))
        first = live_ids("migration")[0]
        expect(item(page, first)).to_be_visible()
        for state in STATES:
            expect(item(page, first).locator(f"input[value={state}]")).to_be_disabled()
        expect(item(page, first).locator(".meshkb-states")).to_be_hidden()
        expect(page.locator("[data-meshkb-toolbar]")).to_be_hidden()
        expect(page.locator("[data-meshkb-status]")).to_be_hidden()
        expect(page.locator("[data-meshkb-nojs]")).to_be_visible()
        expect(page.locator("li[data-meshkb-item]")).to_have_count(
            len(CHECKLIST_SET["migration"].all_items())
        )
        target = live_ids("migration")[2]
        page.goto(site.page(f"go/{target}/"))
        expect(page.locator(f"a[href$='#{target}']")).to_be_visible()
    finally:
        context.close()


def test_json_import_keeps_evidence_and_asks_a_person_to_confirm_probe_answers(
    page: Page, site: Site, tmp_path: Path
) -> None:
    checklist = CHECKLIST_SET["migration"]
    ids = live_ids("migration")
    items = checklist.item_by_id()
    report = new_report(checklist, system="svc", date="2026-11-30", reviewers=("dana",))
    mine = {
        ids[0]: Answer(
            ids[0],
            items[ids[0]].rev,
            "pass",
            prefilled=True,
            evidence=(AnswerEvidence("Deployment/web: holdApplicationUntilProxyStarts", "probe"),),
        ),
        ids[1]: Answer(
            ids[1], items[ids[1]].rev, "fail", note="n", evidence=(AnswerEvidence("seen by <me>"),)
        ),
    }
    report = replace(report, answers=tuple(mine.get(a.id, a) for a in report.answers))
    text = render_json(checklist, report)
    (tmp_path / "review.json").write_text(text, encoding="utf-8")
    open_checklist(page, site, "migration")
    page.locator("[data-meshkb-import]").set_input_files(str(tmp_path / "review.json"))
    expect(page.locator("[data-meshkb-message]")).to_contain_text("Loaded")
    probe = item(page, ids[0]).locator("[data-flag=probe]")
    expect(probe).to_be_visible()
    expect(item(page, ids[0]).locator("[data-meshkb-evidence]")).to_have_text(
        "Evidence (probe): Deployment/web: holdApplicationUntilProxyStarts"
    )
    expect(item(page, ids[1]).locator("[data-meshkb-evidence]")).to_have_text(
        "Evidence: seen by <me>"
    )
    assert download(page, "json") == text
    probe.locator("button").click()
    expect(probe).to_be_hidden()
    assert saved(page, "migration")["answers"][ids[0]]["prefilled"] is False


def test_answers_to_retired_and_unknown_items_are_kept_and_shown(
    page: Page, hostile_site: Site
) -> None:
    hostile = load_checklist(CASES / "hostile" / "hostile.yaml")
    page.goto(hostile_site.page("404.html"))
    page.evaluate(
        """() => localStorage.setItem('meshkb:hostile', JSON.stringify({format: 'meshkb/page/v1',
        checklist: 'hostile', fields: {system: '', mesh: '', dataplane: '', date: '2026-11-30', reviewers: []},
        answers: {
          'XSS-0003': {rev: 1, state: 'pass', note: '<b>kept</b>', reason: '', owner: '', evidence: [], prefilled: false},
          'XSS-0999': {rev: 1, state: 'fail', note: '', reason: '', owner: '', evidence: [], prefilled: false}}}))"""
    )
    page.goto(hostile_site.page("checklists/hostile/"))
    expect(page.locator(".meshkb[data-meshkb-ready]")).to_have_count(1)
    expect(item(page, "XSS-0003").locator("[data-meshkb-answer]")).to_have_text(
        "Answer kept from an earlier review: Pass; note: <b>kept</b>"
    )
    expect(page.locator("[data-meshkb-kept]")).to_have_text(
        "Answers kept for items no longer in this checklist: XSS-0999 (Fail)"
    )
    expected = Report(
        "hostile",
        hostile.version,
        date="2026-11-30",
        answers=(Answer("XSS-0003", 1, "pass", note="<b>kept</b>"), Answer("XSS-0999", 1, "fail")),
    )
    exported = download(page, "md")
    assert "## Retired items" in exported
    assert exported == render_markdown(hostile, expected), diff(
        render_markdown(hostile, expected), exported
    )


PIECES = [
    *"ab Z9-*#>`[]()x:\\\"'\t\r\n",
    "\u2028",
    "\u2029",
    "\x7f",
    "\x9f",
    "\ufffe",
    "\x85",
    "\u3000",
    "\xa0",
    "\x1c",
    "\ufeff",
    "é",
    "—",
]
TRICKY = st.lists(
    st.sampled_from([*PIECES, "\n  - State: pass", "\n    ", "\n- [x] **SMP-0001**"]), max_size=14
).map("".join)
"""Texts built from the characters and line starts the report format treats specially."""


@st.composite
def reports(draw: st.DrawFn, checklist: Checklist) -> Report:
    answers = []
    for item in draw(
        st.lists(st.sampled_from(checklist.all_items()), unique_by=lambda i: i.id, max_size=6)
    ):
        state = draw(st.sampled_from(STATES))
        answers.append(
            Answer(
                item.id,
                draw(st.sampled_from([item.rev, item.rev + 1])),
                state,
                note=draw(TRICKY),
                reason=draw(TRICKY),
                owner=draw(TRICKY),
                evidence=tuple(
                    AnswerEvidence(text, source)
                    for text, source in draw(
                        st.lists(
                            st.tuples(
                                TRICKY.filter(str.strip), st.sampled_from(["person", "probe"])
                            ),
                            max_size=2,
                        )
                    )
                ),
                prefilled=draw(st.booleans()),
            )
        )
    return Report(
        checklist.id,
        checklist.version,
        system=draw(TRICKY),
        mesh=draw(st.sampled_from(["", *MESHES])),
        dataplane=draw(st.sampled_from(["", *DATAPLANES])),
        date=draw(st.sampled_from(["", "2026-11-30"])),
        reviewers=tuple(draw(st.lists(TRICKY.filter(bool), max_size=2))),
        answers=tuple(answers),
    )


def as_js(report: Report) -> dict[str, Any]:
    return report_to_data(report)


SAMPLE = load_checklist(CASES / "valid" / "sample.yaml")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(report=reports(SAMPLE))
def test_page_export_and_parse_match_python_for_any_answers(
    scoring_page: Page, report: Report
) -> None:
    data = checklist_data(SAMPLE)
    markdown = render_markdown(SAMPLE, report)
    try:
        reparsed: str | None = render_markdown(
            SAMPLE, parse_markdown(markdown, "r.md", {SAMPLE.id: SAMPLE})
        )
    except MeshkbError:
        reparsed = None
    result = scoring_page.evaluate(
        """([data, report, markdown]) => {
            let again = null;
            try { again = meshkb.toMarkdown(data, meshkb.parseReport(data, markdown, 'r.md')); } catch (e) { again = null; }
            return [meshkb.toMarkdown(data, report), meshkb.toJSON(data, report), again];
        }""",
        [data, as_js(report), markdown],
    )
    assert result[0] == markdown, diff(markdown, result[0])
    assert result[1] == render_json(SAMPLE, report)
    assert result[2] == reparsed, diff(reparsed or "", result[2] or "")
