"""`meshkb adr new`: MADR 4.0 form, adr-tools numbering, never overwriting, links that resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from meshkb import adr
from meshkb.site.linklock import BuiltSite
from meshkb.site.sources import read_site_config

from ..conftest import ROOT, run_cli, without_preview_note
from ..sitebuild import repo_site

SITE_URL = read_site_config(ROOT / "mkdocs.yml").site_url
TITLE = "Adopt Linkerd for mTLS"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the working directory; meshkb's own config via --config."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MESHKB_SITE_URL", raising=False)
    return tmp_path


def new_adr(*extra: str) -> tuple[int, str, str]:
    result = run_cli(
        "--checklists",
        str(ROOT / "checklists"),
        "adr",
        "new",
        TITLE,
        "--config",
        str(ROOT / "mkdocs.yml"),
        "--date",
        "2026-11-25",
        *extra,
    )
    return result.code, result.out, without_preview_note(result.err)


def body(text: str) -> str:
    """The Markdown after the YAML front matter (which CommonMark would read as a heading)."""
    return text.split("---\n", 2)[2]


def headings(text: str) -> list[tuple[int, str]]:
    tokens = MarkdownIt("commonmark").parse(body(text))
    return [
        (int(token.tag[1:]), tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def link_targets(text: str) -> list[str]:
    """Every link href in Markdown, from markdown-it-py's token stream."""

    def walk(tokens: list[Token]) -> list[str]:
        found = []
        for token in tokens:
            if token.type == "link_open":
                found.append(str(token.attrs["href"]))
            found.extend(walk(token.children or []))
        return found

    return walk(MarkdownIt("commonmark").enable("table").parse(body(text)))


def front_matter(text: str) -> dict[str, object]:
    _, block, _ = text.split("---\n", 2)
    data = yaml.safe_load(block)
    assert isinstance(data, dict)
    return data


def test_numbering_follows_the_highest_existing_file(workdir: Path) -> None:
    folder = workdir / "decisions"
    folder.mkdir()
    (folder / "0001-record-architecture-decisions.md").write_text("# one\n")
    (folder / "0007-use-postgres.md").write_text("# seven\n")
    (folder / "README.md").write_text("not an ADR\n")
    code, out, err = new_adr("--dir", "decisions")
    assert (code, err) == (0, "")
    assert out == "decisions/0008-adopt-linkerd-for-mtls.md\n"
    assert (folder / "0008-adopt-linkerd-for-mtls.md").is_file()


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], 1),
        (["0001-a.md", "0007-b.md"], 8),
        (["0002-a.md", "template.md", "0009-notes.txt", "12-short.md"], 3),
        (["0099-x.md", "0100-y.md"], 101),
    ],
)
def test_next_number(names: list[str], expected: int) -> None:
    assert adr.next_number(names) == expected


def test_default_folder_is_docs_adr_and_is_created(workdir: Path) -> None:
    code, out, err = new_adr()
    assert code == 0
    assert out == "docs/adr/0001-adopt-linkerd-for-mtls.md\n"
    assert "created folder docs/adr" in err


def test_adr_dir_file_from_adr_tools_is_honoured(workdir: Path) -> None:
    (workdir / ".adr-dir").write_text("doc/arch\n")
    code, out, _ = new_adr()
    assert code == 0
    assert out == "doc/arch/0001-adopt-linkerd-for-mtls.md\n"


def test_a_file_that_appears_meanwhile_is_never_overwritten(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = workdir / "adr" / "0001-adopt-linkerd-for-mtls.md"
    (workdir / "adr").mkdir()
    render = adr.render_adr

    def render_while_someone_else_writes(*args: object, **kwargs: object) -> str:
        target.write_text("written by someone else\n")  # lands before the number is chosen
        return render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(adr, "render_adr", render_while_someone_else_writes)
    code, out, err = new_adr("--dir", "adr")
    assert (code, err) == (0, "")
    assert out == "adr/0002-adopt-linkerd-for-mtls.md\n"
    assert target.read_text() == "written by someone else\n"
    assert sorted(p.name for p in (workdir / "adr").iterdir()) == [
        target.name,
        "0002-adopt-linkerd-for-mtls.md",
    ]


def test_madr_sections_in_order_and_front_matter(workdir: Path) -> None:
    code, out, _ = new_adr("--deciders", "Ana Rivera, Jo Chen", "--deciders", "Kim", "--dir", "adr")
    assert code == 0
    text = Path(out.strip()).read_text()
    data = front_matter(text)
    assert list(data) == ["status", "date", "decision-makers", "consulted", "informed"]
    assert data["status"] == "proposed"
    assert str(data["date"]) == "2026-11-25"
    assert data["decision-makers"] == "Ana Rivera, Jo Chen, Kim"
    found = headings(text)
    assert found[0] == (1, TITLE)
    madr = [title for level, title in found if title in adr.SECTIONS]
    assert madr == list(adr.SECTIONS)
    levels = {title: level for level, title in found}
    assert levels["Consequences"] == levels["Confirmation"] == 3
    assert levels["Decision Outcome"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--status", "maybe"), "status 'maybe' is not one of"),
        (("--date", "25/11/2026"), "is not a date"),
        (("--report", "missing.md"), "missing.md"),
        (("--report", "-"), "not stdin"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    workdir: Path, args: tuple[str, ...], message: str
) -> None:
    code, out, err = new_adr("--dir", "adr", *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert not (workdir / "adr").exists()


def test_superseded_status_is_accepted(workdir: Path) -> None:
    code, out, _ = new_adr("--dir", "adr", "--status", "superseded by ADR-0003")
    assert code == 0
    assert front_matter(Path(out.strip()).read_text())["status"] == "superseded by ADR-0003"


def fill(text: str, answers: dict[str, tuple[str, tuple[str, ...]]]) -> str:
    """Hand-edit a Markdown fill-in report: tick boxes, set State, add Owner and Reason."""
    lines = text.split("\n")
    for item_id, (state, extra) in answers.items():
        start = next(i for i, line in enumerate(lines) if f"**{item_id}**" in line)
        if state in ("pass", "na", "waived"):
            lines[start] = lines[start].replace("- [ ]", "- [X]")
        at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("- State:"))
        lines[at] = f"  - State: {state}"
        lines[at + 1 : at + 1] = [f"  - {field}" for field in extra]
    return "\n".join(lines)


@pytest.fixture
def migration_report(workdir: Path) -> Path:
    report = workdir / "reviews" / "payments-migration.md"
    report.parent.mkdir()
    exported = run_cli(
        "--checklists",
        str(ROOT / "checklists"),
        "checklist",
        "migration",
        "--mesh",
        "linkerd",
        "--system",
        "payments",
        "--reviewer",
        "Ana Rivera",
        "--date",
        "2026-11-20",
        "-o",
        str(report),
    )
    assert exported.code == 0, exported.err
    passed = ("MIG-0001", "MIG-0002", "MIG-0003", "MIG-0004", "MIG-0005", "MIG-0006")
    answers: dict[str, tuple[str, tuple[str, ...]]] = {i: ("pass", ()) for i in passed}
    answers["MIG-0009"] = ("fail", ())
    answers["MIG-0018"] = ("na", ("Reason: one cluster",))  # added in migration 1.2.0
    answers["MIG-0011"] = (
        "waived",
        ("Owner: Ana Rivera", "Reason: the rehearsal is booked for the next game day"),
    )
    report.write_text(fill(report.read_text(), answers))
    return report


def confirmation(text: str) -> str:
    return text.split("### Confirmation\n", 1)[1].split("\n## ", 1)[0]


def test_confirmation_summarises_a_filled_report(workdir: Path, migration_report: Path) -> None:
    code, out, err = new_adr("--report", "reviews/payments-migration.md")
    assert code == 0, err
    section = confirmation(Path(out.strip()).read_text())
    assert "[Migration review](" in section and "version 1.2.0" in section
    assert "`meshkb:migration@1.2.0`" in section
    assert "for `payments` on 2026-11-20 by Ana Rivera" in section
    assert "[the review report](../../reviews/payments-migration.md)" in section
    assert "`meshkb report check reviews/payments-migration.md --gate`" in section
    assert "| blocker | 7 of 8 | 0 | 1 | 6 | 1 |" in section  # + MIG-0018, MIG-0019 na (1.2.0)
    assert "| required | 0 of 4 | 4 | 0 | 0 | 0 |" in section
    assert (
        f"* **Gate:** not passed; open or failed blockers: [MIG-0009: Write the bypass runbook for Linkerd]({SITE_URL}go/MIG-0009/)."
        in section
    )
    assert (
        f"[MIG-0011: Rehearse the bypass and time it]({SITE_URL}go/MIG-0011/): owner Ana Rivera; the rehearsal is booked for the next game day"
        in section
    )


def test_confirmation_lists_the_outcomes(workdir: Path) -> None:
    report = workdir / "adoption.md"
    exported = run_cli(
        "--checklists", str(ROOT / "checklists"), "checklist", "adoption", "-o", str(report)
    )
    assert exported.code == 0, exported.err
    code, out, err = new_adr("--report", "adoption.md", "--dir", "adr")
    assert code == 0, err
    section = confirmation(Path(out.strip()).read_text())
    assert "* **Recommendation:** " in section
    assert "* **Waived:** none." in section
    assert "[the review report](../adoption.md)" in section


def test_every_link_in_the_generated_adr_resolves_in_the_built_site(
    workdir: Path, migration_report: Path
) -> None:
    code, out, _ = new_adr("--report", "reviews/payments-migration.md")
    assert code == 0
    written = workdir / out.strip()
    targets = link_targets(written.read_text())
    site = BuiltSite(repo_site(), SITE_URL)
    assert len(targets) > 30
    for href in targets:
        if href.startswith(SITE_URL):
            assert site.problem("/" + href[len(SITE_URL) :]) is None, href
        else:
            assert (written.parent / href).resolve() == migration_report.resolve(), href


def test_site_url_override_changes_every_meshkb_link(workdir: Path) -> None:
    code, out, _ = new_adr("--dir", "adr", "--site-url", "https://kb.example.org/meshkb")
    assert code == 0
    targets = link_targets(Path(out.strip()).read_text())
    assert targets
    assert all(t.startswith("https://kb.example.org/meshkb/") for t in targets)


def decision(text: str) -> str:
    return text.split("## Decision Outcome\n", 1)[1].split("### Consequences", 1)[0]


def test_the_chosen_option_comes_from_the_reports_mesh(
    workdir: Path, migration_report: Path
) -> None:
    code, out, err = new_adr("--report", "reviews/payments-migration.md")
    assert code == 0, err
    section = decision(Path(out.strip()).read_text())
    assert 'Chosen option: "Linkerd", because {justification' in section
    assert "<!-- The option is the review report's scope (mesh linkerd). -->" in section


@pytest.mark.parametrize(
    ("mesh", "dataplane", "option"),
    [
        ("istio", "ambient", "Istio in ambient mode"),
        ("istio", "sidecar", "Istio in sidecar mode"),
        ("cilium", "", "Cilium service mesh"),
        ("linkerd", "sidecar", "Linkerd"),
        ("istio", "", None),  # sidecar or ambient: not known
        ("", "", None),
    ],
)
def test_chosen_option_by_scope(mesh: str, dataplane: str, option: str | None) -> None:
    from meshkb.core.model import Report

    assert adr.chosen_option(Report("migration", "1.2.0", mesh=mesh, dataplane=dataplane)) == option


def test_no_report_keeps_the_placeholder(workdir: Path) -> None:
    code, out, err = new_adr()
    assert code == 0, err
    assert 'Chosen option: "{title of the option}"' in decision(Path(out.strip()).read_text())


def test_accepted_is_refused_while_the_gate_fails(workdir: Path, migration_report: Path) -> None:
    code, out, err = new_adr("--report", "reviews/payments-migration.md", "--status", "accepted")
    assert (code, out) == (2, "")
    assert err == (
        "meshkb: error: adr new: --status accepted, but the gate of reviews/payments-migration.md "
        "is not passed (open or failed blockers: MIG-0009); finish the review, write the ADR as "
        "proposed, or pass --force to record the decision as accepted anyway (nothing was written)\n"
    )
    assert not (workdir / "docs").exists()
    code, out, err = new_adr(
        "--report", "reviews/payments-migration.md", "--status", "accepted", "--force"
    )
    assert code == 0
    assert "meshkb: warning: accepted with --force although the gate of" in err
    text = Path(out.strip()).read_text()
    assert front_matter(text)["status"] == "accepted"
    assert "* **Gate:** not passed" in confirmation(text)


def test_accepted_with_a_passing_gate_needs_no_force(workdir: Path, migration_report: Path) -> None:
    text = migration_report.read_text()
    migration_report.write_text(
        fill(text.replace("  - State: fail\n", "  - State: open\n"), {"MIG-0009": ("pass", ())})
    )
    code, out, err = new_adr("--report", "reviews/payments-migration.md", "--status", "accepted")
    assert code == 0, err
    assert front_matter(Path(out.strip()).read_text())["status"] == "accepted"


ADR_AT_ONCE = """
import os, sys, time
from meshkb.cli import main
import meshkb.adr, meshkb.site.links  # loaded before the start, so all start together
print("ready", flush=True)
while not os.path.exists("go"):
    time.sleep(0.001)
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("existing", [2])
def test_ten_adr_new_at_once_take_ten_numbers(workdir: Path, existing: int) -> None:
    """Ten real processes, each loaded and waiting for a file to appear, then all at once."""
    import subprocess
    import sys

    folder = workdir / "adr"
    if existing:
        folder.mkdir()
        for number in range(1, existing + 1):
            (folder / f"{number:04d}-earlier-{number}.md").write_text("earlier\n")
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                ADR_AT_ONCE,
                "adr",
                "new",
                f"Decision {index}",
                "--dir",
                "adr",
                "--date",
                "2026-11-25",
                "--site-url",
                "https://meshkb.example.org/",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=workdir,
        )
        for index in range(10)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
    (workdir / "go").write_text("")
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0] * 10, results
    written = sorted(out.strip() for out, _ in results)
    numbers = sorted(Path(path).name[:4] for path in written)
    assert numbers == [f"{n:04d}" for n in range(existing + 1, existing + 11)]
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == existing + 10
    assert not any(name.startswith(".") for name in names)  # no temporary file left
    for index in range(10):
        assert sum(f"-decision-{index}.md" in name for name in names) == 1


def test_accepted_is_refused_while_an_item_is_missing_from_the_report(workdir: Path) -> None:
    """The ADR's gate is `report check --gate`'s: every blocker passed is not enough when
    the report has lost an item's line (it counts as open, and CI would fail)."""
    import json

    exported = run_cli(
        "--checklists", str(ROOT / "checklists"), "checklist", "migration", "-f", "json"
    )
    assert exported.code == 0, exported.err
    data = json.loads(exported.out)
    data.update(system="payments", mesh="linkerd", reviewers=["Ana Rivera"])
    blockers = {
        item["id"]
        for section in yaml.safe_load((ROOT / "checklists" / "migration.yaml").read_text())[
            "sections"
        ]
        for item in section["items"]
        if item.get("severity") == "blocker" and not item.get("retired")
    }
    for answer in data["answers"]:
        if answer["id"] in blockers:
            answer["state"] = "pass"
    dropped = next(a["id"] for a in data["answers"] if a["id"] not in blockers)
    data["answers"] = [a for a in data["answers"] if a["id"] != dropped]
    report = workdir / "review.json"
    report.write_text(json.dumps(data), encoding="utf-8")
    checked = run_cli(
        "--checklists", str(ROOT / "checklists"), "report", "check", str(report), "--gate"
    )
    assert checked.code == 1, checked.out + checked.err
    code, out, err = new_adr("--report", "review.json", "--status", "accepted")
    assert (code, out) == (2, "")
    assert f"is not passed (items missing from the report: {dropped}); finish the review" in err
    assert not (workdir / "docs").exists()
    code, out, err = new_adr("--report", "review.json")  # proposed: written, and says why
    assert code == 0, err
    assert f"* **Gate:** not passed; items missing from the report: [{dropped}: " in (
        Path(out.strip()).read_text()
    )
