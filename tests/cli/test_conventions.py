"""CLI conventions: -V, JSON where a person would script, usage errors, typo suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from meshkb import __version__
from meshkb.core.suggest import closest, distance

from ..conftest import CASES, CHECKLISTS, run_cli


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        run_cli(flag)
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"meshkb {__version__}\n"


def test_checklist_list_as_json_matches_the_table() -> None:
    table = run_cli("checklist", "list")
    data = run_cli("checklist", "list", "--format", "json")
    assert data.code == 0, data.err
    listed = json.loads(data.out)
    assert [c["id"] for c in listed] == ["adoption", "migration", "removal", "traps"]
    for entry in listed:
        row = f"{entry['id']:<11} {entry['prefix']:<6} {entry['version']:<8} {entry['items']:>5}  {entry['title']}"
        assert row in table.out.splitlines()
        assert Path(entry["file"]) == CHECKLISTS / f"{entry['id']}.yaml"


def test_checklist_list_refuses_a_format_it_cannot_write() -> None:
    result = run_cli("checklist", "list", "--format", "junit")
    assert result.code == 2 and result.out == ""
    assert (
        result.err
        == "meshkb: error: checklist list: --format junit is not a list format (use json)\n"
    )


def test_validate_as_json_lists_the_checklists_or_the_problems() -> None:
    good = run_cli("validate", "--format", "json")
    assert good.code == 0, good.err
    data = json.loads(good.out)
    assert data["valid"] is True and data["problems"] == []
    assert {c["id"] for c in data["checklists"]} == {"adoption", "migration", "removal", "traps"}
    bad = run_cli("validate", "--format", "json", str(CASES / "invalid" / "bad-severity.yaml"))
    assert bad.code == 2 and bad.err == ""
    data = json.loads(bad.out)
    assert data["valid"] is False and data["checklists"] == []
    (problem,) = data["problems"]
    assert problem["path"] == "$.sections[0].items[0].severity"
    assert (problem["line"], problem["column"]) == (19, 9)
    assert "'urgent' is not one of" in problem["message"]
    assert problem["text"].startswith(f"{CASES / 'invalid' / 'bad-severity.yaml'}:19:9: $.")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["chekclist", "x"],
            "meshkb: error: meshkb: argument COMMAND: invalid choice: 'chekclist' (choose from checklist, report, validate, scan, cost, link, links, adr, facts, site, completion); did you mean checklist? (see meshkb --help)\n",
        ),
        (
            ["report", "chek", "r.md"],
            "meshkb: error: meshkb report: argument SUBCOMMAND: invalid choice: 'chek' (choose from check, fmt); did you mean check? (see meshkb report --help)\n",
        ),
        (
            ["checklist", "migration", "--mesh", "isito"],
            "meshkb: error: meshkb checklist: argument --mesh: invalid choice: 'isito' (choose from istio, linkerd, cilium); did you mean istio? (see meshkb checklist --help)\n",
        ),
        (
            ["report", "check"],
            "meshkb: error: meshkb report check: the following arguments are required: FILE (see meshkb report check --help)\n",
        ),
        (
            ["checklist", "migraton"],
            f"meshkb: error: {CHECKLISTS}: no checklist 'migraton' (known: adoption, migration, removal, traps); did you mean migration?\n",
        ),
    ],
)
def test_usage_errors_name_the_subcommand_and_the_nearest_choice(
    argv: list[str], message: str
) -> None:
    result = run_cli(*argv)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_suggestions_are_ranked_by_edit_distance_with_numbers_by_value() -> None:
    ids = [f"MIG-{n:04d}" for n in range(1, 20)]
    assert closest("MIG-003", ids)[:2] == ["MIG-0003", "MIG-0013"]
    assert closest("isito", ["istio", "linkerd", "cilium"]) == ["istio"]  # a swap is one edit
    assert closest("migraton", ["migrate", "migration", "removal"]) == ["migration", "migrate"]
    assert closest("zzz", ["migration"]) == []
    assert closest("x" * 100_000, ids) == []
    assert (distance("kitten", "sitting"), distance("", "abc"), distance("ab", "ba")) == (3, 3, 1)


def test_link_suggests_the_padded_id_first() -> None:
    result = run_cli("link", "MIG-003")
    assert result.code == 2
    assert "did you mean MIG-0003, MIG-0013" in result.err
