"""Carry-forward across scope: what meshkb set from the mesh follows the mesh; a person's stays."""

from __future__ import annotations

import json
from pathlib import Path

from meshkb.core.load import load_checklist
from meshkb.report.data import parse_report, render_json, render_yaml
from meshkb.report.markdown import render_markdown
from meshkb.report.markdown_read import parse_markdown

from ..conftest import CHECKLISTS, run_cli

MIGRATION = load_checklist(CHECKLISTS / "migration.yaml")
KNOWN = {"migration": MIGRATION}
ISTIO_RUNBOOKS = ("MIG-0007", "MIG-0008")  # Istio sidecar, Istio ambient: blockers


def linkerd_review(tmp_path: Path) -> Path:
    """A Linkerd review where a person passed every blocker that applies, and wrote their
    own n/a for one item that applies."""
    path = tmp_path / "review.md"
    made = run_cli(
        "checklist", "migration", "--mesh", "linkerd", "--system", "pay", "-o", str(path)
    )
    assert made.code == 0, made.err
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    current = ""
    for line in lines:
        if line.startswith("- [ ] **MIG-"):
            current = line.split("**")[1]
        if current == "MIG-0012" and line == "  - State: open":
            out.append("  - State: na")
            out.append("  - Reason: no bypass in this cluster, decided by the platform team")
            continue
        item = MIGRATION.item_by_id().get(current)
        ticked = item is not None and (item.severity == "blocker" or item.id == "MIG-0012")
        if line.startswith("- [ ] **") and ticked:
            line = line.replace("- [ ]", "- [x]", 1)
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    report = parse_markdown(path.read_text(encoding="utf-8"), str(path), KNOWN)
    by_id = report.answer_by_id()
    assert all(by_id[i].state == "na" and by_id[i].automatic for i in ISTIO_RUNBOOKS)
    assert by_id["MIG-0012"].state == "na" and not by_id["MIG-0012"].automatic
    return path


def test_the_old_scope_gate_passes(tmp_path: Path) -> None:
    path = linkerd_review(tmp_path)
    assert run_cli("report", "check", str(path), "--gate").code == 0


def test_moving_to_istio_opens_the_istio_runbooks_and_the_gate_fails(tmp_path: Path) -> None:
    path = linkerd_review(tmp_path)
    moved = tmp_path / "istio.md"
    result = run_cli(
        "checklist", "migration", "--from", str(path), "--mesh", "istio", "-o", str(moved)
    )
    assert result.code == 0, result.err
    report = parse_markdown(moved.read_text(encoding="utf-8"), str(moved), KNOWN)
    by_id = report.answer_by_id()
    assert report.mesh == "istio" and report.system == "pay"
    for item_id in ISTIO_RUNBOOKS:
        assert by_id[item_id].state == "open" and not by_id[item_id].automatic
    # The Linkerd runbook was a person's pass: kept, not turned into an automatic n/a.
    assert by_id["MIG-0009"].state == "pass"
    # The Cilium runbook is still for another mesh: n/a, its reason now naming istio.
    assert by_id["MIG-0010"].automatic
    assert by_id["MIG-0010"].reason == "Applies only to cilium; this system runs istio."
    # A person's n/a stays, reason and all.
    assert by_id["MIG-0012"].reason.startswith("no bypass in this cluster")
    gate = run_cli("report", "check", str(moved), "--gate")
    assert gate.code == 1
    assert "MIG-0007" in gate.out and "MIG-0008" in gate.out


def test_deleting_the_mark_keeps_an_answer_as_a_persons(tmp_path: Path) -> None:
    path = linkerd_review(tmp_path)
    text = path.read_text(encoding="utf-8")
    head = text.index("**MIG-0007**")
    mark = text.index("  - State: na (from scope)", head)
    path.write_text(
        text[:mark] + "  - State: na" + text[mark + len("  - State: na (from scope)") :],
        encoding="utf-8",
    )
    moved = run_cli("checklist", "migration", "--from", str(path), "--mesh", "istio")
    report = parse_markdown(moved.out, "moved.md", KNOWN)
    assert report.answer_by_id()["MIG-0007"].state == "na"
    assert report.answer_by_id()["MIG-0008"].state == "open"


def test_automatic_round_trips_in_every_form(tmp_path: Path) -> None:
    path = linkerd_review(tmp_path)
    report = parse_markdown(path.read_text(encoding="utf-8"), str(path), KNOWN)
    for name, text in (
        ("r.json", render_json(MIGRATION, report)),
        ("r.yaml", render_yaml(MIGRATION, report)),
        ("r.md", render_markdown(MIGRATION, report)),
    ):
        assert parse_report(text, name, KNOWN) == report, name
    data = json.loads(render_json(MIGRATION, report))
    automatic = {a["id"] for a in data["answers"] if a["automatic"]}
    assert automatic == {"MIG-0007", "MIG-0008", "MIG-0010", "MIG-0015", "MIG-0019"}
    # A JSON report from before the field reads as a person's answers.
    for answer in data["answers"]:
        del answer["automatic"]
    older = parse_report(json.dumps(data), "old.json", KNOWN)
    assert not any(a.automatic for a in older.answers)


def test_an_automatic_mark_on_another_state_is_not_automatic() -> None:
    text = render_markdown(
        MIGRATION,
        parse_report(run_cli("checklist", "migration", "--mesh", "linkerd").out, "r.md", KNOWN),
    )
    head = text.index("**MIG-0007**")
    mark = text.index("  - State: na (from scope)", head)
    edited = (
        text[:mark]
        + "  - State: pass (from scope)"
        + text[mark + len("  - State: na (from scope)") :]
    )
    answer = parse_markdown(edited, "r.md", KNOWN).answer_by_id()["MIG-0007"]
    assert (answer.state, answer.automatic) == ("pass", False)


def test_a_persons_na_in_the_scopes_own_words_is_kept_when_the_mesh_changes() -> None:
    """Only the `automatic` flag says meshkb set an answer: a person who wrote the very
    reason the scope would write keeps the answer when the scope changes."""
    from dataclasses import replace

    from meshkb.report.build import new_report

    old = new_report(MIGRATION, mesh="linkerd", dataplane="sidecar")
    by_id = old.answer_by_id()
    scope_na = by_id[ISTIO_RUNBOOKS[0]]
    assert scope_na.automatic and scope_na.reason
    own = replace(scope_na, automatic=False)  # the mark deleted: a person's answer now
    old = replace(old, answers=tuple(own if a.id == own.id else a for a in old.answers))
    new = new_report(MIGRATION, mesh="istio", dataplane="sidecar", carry=old).answer_by_id()
    assert (new[own.id].state, new[own.id].reason, new[own.id].automatic) == (
        "na",
        scope_na.reason,
        False,
    )
    ambient = new[ISTIO_RUNBOOKS[1]]  # still not this scope: derived again, for the new one
    assert ambient.automatic and "this system runs istio (sidecar)" in ambient.reason
