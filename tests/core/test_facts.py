"""Facts as data: the facts files, references to them, `meshkb facts`, the Sources page.

Every version, ISO date and figure with a unit in page and checklist text comes from a
fact reference (`[[fact:KEY]]`), apart from the reviewed entries in
`tests/literals-allow.yaml`. The stale or wrong statements that the facts work fixed each
have a test here, so they cannot come back.
"""

from __future__ import annotations

import datetime
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from markdown import Markdown
from meshkb.core import facts, validate
from meshkb.core.errors import MeshkbError
from meshkb.core.load import load_all, load_checklist_text
from meshkb.core.yaml_policy import load_yaml_text
from meshkb.markdown_ext import MeshkbExtension
from meshkb.site.sources_page import generated_page_headings

from ..conftest import CHECKLISTS, ROOT, run_cli
from .literals import checklist_texts, literals

DOCS = ROOT / "docs"
BASE = facts.load_facts()
FACT_FILES = facts.facts_files()
ALLOW_FILE = Path(__file__).with_name("literals-allow.yaml")
TODAY = datetime.date(2026, 12, 1)


def schema() -> dict[str, Any]:
    text = resources.files("meshkb").joinpath("schema/facts.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def raw(path: Path) -> Any:
    return load_yaml_text(path.read_text(encoding="utf-8"), str(path)).data


def page_text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def resolved_page(name: str) -> str:
    """A page's Markdown with its fact references resolved to value and unit."""
    return facts.resolve_text(BASE, page_text(name), None, lambda m, o: None)


def section(text: str, anchor: str) -> str:
    """The Markdown of the heading `{#anchor}` up to the next heading of any level."""
    start = text.index(f"{{#{anchor}}}")
    rest = text[start:].split("\n", 1)[1]
    end = re.search(r"^#{1,6} ", rest, re.M)
    return rest[: end.start()] if end else rest


CHECKLIST_SET = {c.id: c for c in load_all(sorted(CHECKLISTS.glob("*.yaml")))}


def item(item_id: str) -> Any:
    return next(i for c in CHECKLIST_SET.values() for i in c.all_items() if i.id == item_id)


# --- the facts files ----------------------------------------------------------------------


def test_the_schema_is_valid_strict_and_described() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    text = json.dumps(schema())
    assert '"additionalProperties": true' not in text

    def undescribed(node: Any, path: str = "$") -> list[str]:
        found = []
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    found.append(f"{path}.{key}")
            for key, sub in node.items():
                found += undescribed(sub, f"{path}.{key}")
        return found

    assert undescribed(schema()) == []


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.name)
def test_every_facts_file_is_valid_and_our_validator_agrees_with_jsonschema(path: Path) -> None:
    data = raw(path)
    assert validate.errors(data, "facts") == []
    jsonschema.Draft202012Validator(schema()).validate(data)
    broken = json.loads(json.dumps(data))
    fact = next(iter(broken.get("facts") or {"x": {}}).__iter__())
    if broken.get("facts"):
        broken["facts"][fact]["value"] = 1.31  # a number, not a string
        broken["facts"][fact]["status"] = "probably"
    else:
        broken["sources"] = {"bad id": {}}
    assert validate.errors(broken, "facts") != []
    assert not jsonschema.Draft202012Validator(schema()).is_valid(broken)


def test_the_facts_files_ship_with_the_package() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/facts/*.yaml"' in pyproject
    assert Path(facts.__file__).resolve().parents[1] / "data" / "facts" == facts.FACTS_DIR


def test_keys_and_source_ids_are_unique_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "sources:\n  src-x: {title: X, url: 'https://x.example/', kind: primary, supports: s, holds_for: h, checked: '2026-12-01'}\n"
        "facts:\n  x.one: {value: '1', source: src-x, holds_for: h, checked: '2026-12-01', status: verified}\n",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text(
        "sources:\n  src-x: {title: X, kind: primary, supports: s, holds_for: h, checked: '2026-12-01'}\n"
        "facts:\n  x.one: {value: '2', source: src-y, holds_for: h, checked: '2026-12-01', status: verified}\n",
        encoding="utf-8",
    )
    with pytest.raises(MeshkbError) as caught:
        facts.load_facts(tmp_path)
    messages = [str(p) for p in caught.value.problems]
    assert any(
        "b.yaml:2:3: $.sources.src-x: source 'src-x' is also defined in a.yaml" in m
        for m in messages
    )
    assert any(
        "b.yaml:4:3: $.facts['x.one']: fact 'x.one' is also defined in a.yaml" in m
        for m in messages
    )


def test_a_fact_with_no_source_or_a_bad_field_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "facts:\n  x.one: {value: '1', source: src-nowhere, holds_for: h, checked: '2026-12-01', status: verified}\n"
        "  x.two: {value: 2, source: src-nowhere, holds_for: h, checked: 'soon', status: verified}\n",
        encoding="utf-8",
    )
    with pytest.raises(MeshkbError) as caught:
        facts.load_facts(tmp_path)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "a.yaml:3:11: $.facts['x.two'].value: expected a string" in text
    assert "$.facts['x.two'].checked: 'soon' does not match" in text


def test_every_published_source_anchor_is_still_a_source() -> None:
    lock = (ROOT / "tests" / "links.lock").read_text(encoding="utf-8").splitlines()
    locked = {line.split("#", 1)[1] for line in lock if line.startswith("/sources/#src-")}
    assert locked and sorted(locked - set(BASE.sources)) == []


def test_every_source_is_https_and_honestly_dated() -> None:
    dates = set()
    for source in BASE.sources.values():
        for url in (source.url, *source.also):
            assert url is None or url.startswith("https://"), source.id
        dates.add(source.checked)
        assert datetime.date.fromisoformat(source.checked) <= TODAY, source.id
    # Not one blanket date: each source says when it (or the copy read) was checked.
    assert len(dates) >= 5
    assert BASE.sources["src-linkerd-versions"].checked == "2026-08-20"  # linkerd/website copy
    assert BASE.sources["src-istio-annotations"].checked == "2026-07-21"  # istio/api copy
    assert BASE.sources["src-istio-ambient-multicluster"].checked == "2026-12-01"  # re-read


def test_a_source_that_names_a_commit_links_that_commit() -> None:
    for source in BASE.sources.values():
        text = f"{source.holds_for} {source.note or ''}"
        for commit in re.findall(r"\bcommit ([0-9a-f]{7,40})\b", text):
            assert source.url and f"/{commit}" in source.url, source.id
    assert "/blob/master/" not in str(BASE.sources["src-istio-values"].url)


# --- references ---------------------------------------------------------------------------


def test_a_reference_renders_value_unit_and_a_link_to_its_source() -> None:
    got = facts.render_reference(BASE, "istio.sidecar.usage.memory", None, "cost.md")
    assert got.startswith('60 MB<sup class="meshkb-fact">[src](sources.md#src-istio-perf-124 "')
    nested = facts.render_reference(BASE, "istio.sidecar.usage.memory", None, "reference/cli.md")
    assert "](../sources.md#src-istio-perf-124" in nested
    assert facts.render_reference(BASE, "istio.sidecar.requests.cpu", "bare", "cost.md") == "100m"
    assert (
        facts.render_reference(BASE, "istio.retry_budget.percent_default", "bare", "x.md") == "20%"
    )
    # Outputs that are not HTML (no page) get value and unit only.
    assert facts.render_reference(BASE, "istio.sidecar.usage.memory", None, None) == "60 MB"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("istio.no.such.fact", "unknown fact 'istio.no.such.fact'"),
        ("istio.ztunnel.requests.default", "is unverified (istio.yaml) and cannot be referenced"),
    ],
)
def test_a_missing_or_unverified_fact_cannot_be_referenced(key: str, message: str) -> None:
    assert key in BASE.facts or message.startswith("unknown")
    with pytest.raises(MeshkbError, match=re.escape(message)):
        BASE.lookup(key)
    with pytest.raises(MeshkbError, match="unknown fact form"):
        facts.render_reference(BASE, "istio.sidecar.usage.memory", "loud", "x.md")


def test_references_in_code_stay_as_written() -> None:
    text = "`[[fact:istio.sidecar.usage.memory]]` and [[fact:istio.sidecar.usage.memory|bare]]"
    assert facts.resolve_text(BASE, text, "x.md", lambda m, o: None) == (
        "`[[fact:istio.sidecar.usage.memory]]` and 60 MB"
    )


def convert(text: str) -> str:
    md = Markdown(extensions=[MeshkbExtension()])
    html: str = md.convert(text)
    return html


def test_the_markdown_extension_resolves_and_fails_on_a_bad_reference() -> None:
    html = convert("Sidecars use [[fact:istio.sidecar.usage.memory]] each.\n")
    assert "60 MB<sup" in html and 'href="sources.md#src-istio-perf-124"' in html
    fenced = convert("```\n[[fact:istio.no.such]]\n```\n")
    assert "[[fact:istio.no.such]]" in fenced
    with pytest.raises(MeshkbError) as caught:
        convert("One\n\nTwo [[fact:istio.no.such]] three\n")
    assert str(caught.value.problems[0]).startswith("<markdown>:3:5: unknown fact 'istio.no.such'")
    with pytest.raises(MeshkbError, match="unverified"):
        convert("[[fact:istio.ztunnel.requests.default]]\n")


CHECKLIST = """\
format: meshkb/checklist/v1
id: demo
prefix: DEM
version: 1.0.0
title: Demo
summary: A demo.
last_reviewed: "2026-12-01"
sections:
  - id: one
    title: One
    items:
      - id: DEM-0001
        rev: 1
        title: Sidecars use [[fact:istio.sidecar.usage.memory]]
        check: "Reserve [[fact:istio.sidecar.requests.memory|bare]] per pod."
        why: Because.
        how: Look.
        severity: required
        refs: [{page: cost.md}]
"""


def test_checklist_text_is_resolved_at_load_and_a_bad_reference_is_located() -> None:
    checklist, _ = load_checklist_text(CHECKLIST, "demo.yaml")
    first = checklist.all_items()[0]
    assert first.title == "Sidecars use 60 MB"
    assert first.check == "Reserve 128Mi per pod."
    bad = CHECKLIST.replace("istio.sidecar.requests.memory|bare", "istio.nope")
    with pytest.raises(MeshkbError) as caught:
        load_checklist_text(bad, "demo.yaml")
    assert str(caught.value.problems[0]) == (
        "demo.yaml:15:9: $.sections[0].items[0].check: unknown fact 'istio.nope'"
    )


def test_validate_reports_an_unverified_reference(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    # Quoted: a plain YAML value that starts with `[[` is a list, not text.
    path.write_text(CHECKLIST.replace("Because.", '"[[fact:istio.ztunnel.requests.default]]"'))
    result = run_cli("validate", str(path))
    assert result.code == 2
    assert (
        "demo.yaml:16:9: $.sections[0].items[0].why: fact 'istio.ztunnel.requests.default' is unverified"
        in result.err
    )


def test_no_output_shows_a_raw_reference(tmp_path: Path) -> None:
    for checklist in CHECKLIST_SET.values():
        for form in ("md", "json"):
            result = run_cli("--checklists", str(CHECKLISTS), "checklist", checklist.id, "-f", form)
            assert result.code == 0, result.err
            assert "[[fact:" not in result.out, (checklist.id, form)
    assert "[[fact:" not in run_cli("--checklists", str(CHECKLISTS), "checklist", "list").out


def test_every_reference_in_pages_and_checklists_resolves() -> None:
    problems = []
    for page in sorted(DOCS.rglob("*.md")):
        name = page.relative_to(DOCS).as_posix()
        facts.resolve_lines(
            BASE,
            page.read_text(encoding="utf-8").split("\n"),
            name,
            lambda m, line, col, name=name: problems.append(f"{name}:{line}:{col}: {m}"),
        )
    assert problems == []


# --- meshkb facts ---------------------------------------------------------------------------


def test_meshkb_facts_stale_lists_old_checks_oldest_first() -> None:
    result = run_cli("facts", "--stale", "90", "--today", "2026-12-01")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines, result.err
    dates = [line.split()[0] for line in lines]
    assert dates == sorted(dates) and all(d < "2026-09-02" for d in dates)
    assert any(" kubernetes.version.1_33 = 1.33 " in line for line in lines)  # KEP copy of July
    assert result.err.endswith("facts checked more than 90 days before 2026-12-01\n")
    fresh = run_cli("facts", "--stale", "3650", "--today", "2026-12-01")
    assert (fresh.code, fresh.out) == (0, "")


def test_meshkb_facts_json_carries_value_unit_source_and_dates() -> None:
    result = run_cli("facts", "--format", "json", "--today", "2026-12-01")
    assert result.code == 0
    data = json.loads(result.out)
    entry = next(f for f in data["facts"] if f["key"] == "istio.release.1_31_0.date")
    assert entry["value"] == "2026-08-31"
    assert entry["source"] == "src-istio-129-eol" and entry["url"].startswith("https://istio.io/")
    assert entry["checked"] == "2026-12-01" and entry["age_days"] == 0
    assert len(data["facts"]) == len(BASE.facts)


@pytest.mark.parametrize("bad", ["-1", "soon"])
def test_meshkb_facts_refuses_a_bad_days_value(bad: str) -> None:
    result = run_cli("facts", "--stale", bad)
    assert result.code == 2 and result.err.count("\n") == 1


# --- the Sources page ---------------------------------------------------------------------


def test_the_sources_page_is_generated_with_each_source_and_its_own_check_date() -> None:
    text = page_text("sources.md")
    assert "[[meshkb:fact-sources" in text and "[[meshkb:sources]]" in text
    assert "### " not in text.split("## Sources the checklists cite")[0]  # nothing by hand
    rendered = generated_page_headings(text)
    for source in BASE.sources.values():
        entry = rendered.split(f"{{#{source.id}}}", 1)[1].split("\n### ", 1)[0]
        assert f"**Checked {source.checked}.**" in entry, source.id
    assert rendered.index("{#article}") < rendered.index("{#istio}") < rendered.index("{#tools}")


# --- the cost model -------------------------------------------------------------------------


def test_every_cost_figure_names_the_fact_it_comes_from_and_they_agree() -> None:
    data = yaml.safe_load((ROOT / "plugins" / "meshkb" / "data" / "cost.yaml").read_text())
    checked = 0
    for proxy in data["proxies"] + data["control_planes"]:
        for block in ("requests", "usage"):
            figures = proxy.get(block)
            if not figures:
                continue
            named = figures.get("facts", {})
            for field, value in figures.items():
                if field in ("facts", "as_of", "source") or value is None:
                    continue
                assert field in named, f"{proxy['id']}.{block}.{field} names no fact"
                fact = BASE.lookup(named[field])
                assert float(fact.value) == float(value), (proxy["id"], field)
                checked += 1
    assert checked >= 10


# --- literals ---------------------------------------------------------------------------------


def allowed() -> dict[tuple[str, str], str]:
    entries = yaml.safe_load(ALLOW_FILE.read_text(encoding="utf-8"))
    out = {}
    for entry in entries["allow"]:
        assert entry["reason"].strip(), entry
        out[(entry["file"], str(entry["literal"]))] = entry["reason"]
    return out


def found_literals() -> list[tuple[str, str, str]]:
    """(file, where, literal) outside fact references, in pages and checklist text."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        name = f"docs/{page.relative_to(DOCS).as_posix()}"
        if name == "docs/sources.md":
            continue  # generated from the facts files
        for line, literal in literals(page.read_text(encoding="utf-8")):
            found.append((name, str(line), literal))
    for path in sorted(CHECKLISTS.glob("*.yaml")):
        name = f"checklists/{path.name}"
        for where, text in checklist_texts(raw(path)):
            for _, literal in literals(text):
                found.append((name, where, literal))
    return found


def test_pages_and_checklists_state_no_version_date_or_figure_outside_a_fact() -> None:
    allow = allowed()
    stray = [f"{f}:{w}: {lit}" for f, w, lit in found_literals() if (f, lit) not in allow]
    assert stray == []


def test_the_allowlist_is_short_and_every_entry_still_matches() -> None:
    allow = allowed()
    assert len(allow) <= 25
    seen = {(f, lit) for f, _, lit in found_literals()}
    assert sorted(set(allow) - seen) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Istio 1.31 and 60 MB, 0.20 vCPU, 20%, 100m on 2026-08-31.",
            ["60 MB", "0.20 vCPU", "20%", "100m", "2026-08-31", "1.31"],
        ),
        ("`1.31` [x](https://a.example/1.31) [[fact:a.b]] {#v1-2}", []),
        ("```\n1.31\n```\nedge-26.8.3 and P-256", []),
        ("Kubernetes 1.32\u20131.36 and v1.6.1", ["1.32\u20131.36", "v1.6.1"]),
    ],
)
def test_the_literal_finder(text: str, expected: list[str]) -> None:
    assert [lit for _, lit in literals(text)] == expected


# --- the stale or wrong statements, fixed -------------------------------------------------


def test_ambient_multicluster_is_beta_for_multi_network_and_not_called_alpha() -> None:
    assert BASE.lookup("istio.ambient.multicluster.beta_since").value == "1.29"
    for name in ("compare.md", "decide.md"):
        text = resolved_page(name)
        # Single-network ambient multicluster is still Alpha; the multi-network topology is not.
        assert not re.search(
            r"(?<!single-network ambient )multicluster is (still )?alpha", text, re.I
        ), name
        assert "Beta" in text and "not yet" in text, name
    for item_id in ("ADP-0009", "ADP-0013"):
        found = item(item_id)
        text = " ".join(f"{found.check} {found.why}".split())
        assert "Beta" in text and "not yet meant for production" in text, item_id
        assert not re.search(
            r"(?<!single-network ambient )multicluster is (still )?alpha", text, re.I
        )
    assert item("ADP-0013").rev == 2


def test_istio_1_31_dates_and_patches_are_current() -> None:
    assert BASE.lookup("istio.release.1_31_0.date").value == "2026-08-31"
    assert BASE.lookup("istio.release.1_29_0.date").value == "2026-02-16"
    for name in ("compare.md", "cost.md", "traps.md"):
        text = resolved_page(name)
        assert "2026-08-20" not in text and "1.30.5" not in text, name
    assert "1.31.3" in resolved_page("compare.md")
    assert "1.30.5" not in item("TRP-0014").why and "1.31.3" in item("TRP-0014").why


def test_kubernetes_1_37_is_the_latest_and_mesh_support_is_not_claimed() -> None:
    assert BASE.lookup("kubernetes.release.1_37.date").value == "2026-08-26"
    grid = section(resolved_page("compare.md"), "kubernetes-versions")
    assert "1.37" in grid and "not stated" in grid
    for name in ("compare.md", "cost.md"):
        assert not re.search(r"(up to|≤ ?)1\.36", resolved_page(name)), name
    assert "1.37" in item("MIG-0001").why
    assert BASE.facts["istio.v1_31.kubernetes_1_37_support"].status == "unverified"


def test_ingress_nginx_mentions_carry_the_retirement() -> None:
    for name in ("alternatives.md", "cost.md"):
        text = page_text(name)
        assert "NGINX" in text or "nginx" in text
        assert "edge-ingress.md#edge-recipe" in text and "retired" in text, name


def test_aws_app_mesh_is_listed_as_discontinued() -> None:
    other = section(resolved_page("compare.md"), "other-meshes")
    row = next(line for line in other.splitlines() if "AWS App Mesh" in line)
    assert "2026-09-30" in row and "Discontinued" in row


def test_health_probes_say_http_tcp_and_grpc() -> None:
    probes = section(page_text("traps.md"), "health-probes")
    assert "HTTP, TCP and gRPC" in probes
    assert "HTTP, TCP and gRPC" in item("TRP-0005").why
    assert "Istio rewrites HTTP probes; verify others" not in page_text("traps.md")


def test_enrolment_and_mtls_proof_follow_the_migration_checklist() -> None:
    enrol = section(page_text("migrate.md"), "one-namespace")
    row = next(line for line in enrol.splitlines() if line.startswith("| Istio sidecar"))
    assert "Do not label the namespace `istio-injection=enabled`" in row
    assert 'sidecar.istio.io/inject: "true"' in row
    assert "troubleshooting.md#prove-mtls" in enrol
    assert "do not answer the mTLS question" in enrol


def test_the_grid_names_cilium_l7_rules_for_no_mesh() -> None:
    grid = section(page_text("compare.md"), "grid")
    row = next(line for line in grid.splitlines() if line.startswith("| **L7 authorization"))
    assert "CiliumNetworkPolicy" in row.split("|")[2]


def test_no_checklist_reference_says_as_of_checked() -> None:
    for checklist in CHECKLIST_SET.values():
        for found in checklist.all_items():
            for ref in found.refs:
                assert not (ref.as_of or "").lower().startswith("checked"), found.id


def test_the_article_claims_are_kept_or_corrected_in_what_changed() -> None:
    changed = resolved_page("cost.md").split("{#what-changed}", 1)[1].split("\n## ", 1)[0]
    for claim in (
        "80%",
        "safer first mesh",
        "in theory",
        "control-plane complexity",
        "nginx Ingress",
    ):
        assert claim in changed, claim


def test_the_home_page_says_the_site_works_offline_and_behind_a_proxy() -> None:
    offline = section(page_text("index.md"), "offline")
    assert "offline" in offline and "proxy" in offline


def test_the_shipped_index_is_current() -> None:
    digest = facts.fingerprint()
    indexed = facts.read_index(facts.INDEX, digest)
    assert indexed is not None, "the facts index is stale: run `meshkb facts --update-index`"
    assert indexed == facts.load_facts()
    assert facts.INDEX.read_text(encoding="utf-8") == facts.render_index(indexed, digest)


def test_a_stale_or_damaged_index_is_never_read(tmp_path: Path) -> None:
    index = tmp_path / "facts-index.json"
    index.write_text(facts.render_index(BASE, "crc32:00000000:0"), encoding="utf-8")
    assert facts.read_index(index, "crc32:00000000:0") == BASE
    assert facts.read_index(index, facts.fingerprint()) is None  # other files, other digest
    index.write_text('{"format": "meshkb/facts-index/v1", "fingerprint": "x"', encoding="utf-8")
    assert facts.read_index(index, "x") is None
    assert facts.read_index(tmp_path / "missing.json", "x") is None


def test_an_index_entry_with_other_fields_is_not_read(tmp_path: Path) -> None:
    index = tmp_path / "facts-index.json"
    data = json.loads(facts.render_index(BASE, "d"))
    data["facts"][0].pop("note")
    index.write_text(json.dumps(data), encoding="utf-8")
    assert facts.read_index(index, "d") is None
    data["facts"][0]["note"], data["facts"][0]["extra"] = None, 1
    index.write_text(json.dumps(data), encoding="utf-8")
    assert facts.read_index(index, "d") is None


def test_facts_from_the_index_are_made_when_asked_for() -> None:
    base = facts.read_index(facts.INDEX, facts.fingerprint())
    assert base is not None
    loaded = facts.load_facts()
    key = next(iter(loaded.facts))
    assert base.facts[key] == loaded.facts[key] and base.facts.get(key) is base.facts[key]
    assert len(base.facts) == len(loaded.facts) and base.facts.get("no.such.fact") is None
