"""meshkb where its users are: the pre-commit hooks, the CI script, the CI templates.

The hooks run through a real `pre-commit try-repo` (which pip-installs this repository
into its own environment: it needs PyPI), the script through bash with the real CLI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import CASES, CHECKLISTS, MANIFESTS, ROOT, run_cli

SCRIPT = ROOT / "ci" / "meshkb-ci.sh"
BIN = Path(sys.executable).parent


def report_text(*, passing: bool) -> str:
    """A migration review: unfilled (its gate fails) or with every box ticked."""
    result = run_cli(
        "--checklists", str(CHECKLISTS), "checklist", "migration", "--date", "2026-12-01"
    )
    assert result.code == 0, result.err
    return result.out.replace("- [ ] **MIG-", "- [x] **MIG-") if passing else result.out


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- pre-commit ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the module: the hook environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit() -> str:
    found = BIN / "pre-commit"
    command = str(found) if found.exists() else shutil.which("pre-commit")
    assert command, "pre-commit is not installed (it is in the [test] extras)"
    return command


def try_repo(repo: Path, hook: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo ROOT HOOK --all-files` in `repo`, on the files git tracks."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    # The hook must run the meshkb pre-commit installed, not this tree through PYTHONPATH.
    environ.pop("PYTHONPATH", None)
    environ.update(PRE_COMMIT_HOME=str(home), NO_COLOR="1", **env)
    return subprocess.run(
        [pre_commit(), "try-repo", str(ROOT), hook, "--all-files", "--color", "never"],
        cwd=repo,
        env=environ,
        capture_output=True,
        text=True,
        timeout=900,
    )


def git_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    for name, text in files.items():
        write(path / name, text)
    subprocess.run(["git", "add", "-A"], cwd=path, check=True)
    return path


def test_pre_commit_validate_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    sample = (CASES / "valid" / "sample.yaml").read_text(encoding="utf-8")
    good = git_repo(tmp_path / "good", {"checklists/sample.yaml": sample, "README.md": "x\n"})
    result = try_repo(good, "meshkb-validate", pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"meshkb validate \(checklists\)\.+Passed", result.stdout), result.stdout

    broken = (CASES / "invalid" / "duplicate-item-id.yaml").read_text(encoding="utf-8")
    bad = git_repo(
        tmp_path / "bad",
        {"checklists/sample.yaml": sample, "checklists/duplicate-item-id.yaml": broken},
    )
    result = try_repo(bad, "meshkb-validate", pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "meshkb: error: checklists/duplicate-item-id.yaml:" in result.stdout
    assert "is used twice" in result.stdout


def test_pre_commit_report_gate_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    # The installed meshkb carries the migration checklist the reports were made from.
    env: dict[str, str] = {}
    passing, failing = report_text(passing=True), report_text(passing=False)
    files = {"reviews/payments.md": passing, "docs/notes.md": failing}  # not under reviews/
    good = git_repo(tmp_path / "good", files)
    result = try_repo(good, "meshkb-report-gate", pre_commit_home, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"meshkb report gate \(reviews\)\.+Passed", result.stdout), result.stdout

    files["team/reviews/orders.md"] = failing
    bad = git_repo(tmp_path / "bad", files)
    result = try_repo(bad, "meshkb-report-gate", pre_commit_home, **env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "meshkb: team/reviews/orders.md: gate not passed" in result.stdout
    assert "reviews/payments.md: gate not passed" not in result.stdout.replace("team/", "")
    assert "docs/notes.md" not in result.stdout


def test_pre_commit_report_fmt_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    canonical = report_text(passing=False)
    stale = canonical.replace("- [ ] **MIG-0001**", "- [x] **MIG-0001**")  # summary now stale
    repo = git_repo(tmp_path / "repo", {"reviews/a.md": canonical, "reviews/b.md": stale})
    result = try_repo(repo, "meshkb-report-fmt", pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert "meshkb: reformatted reviews/b.md" in result.stdout
    assert "reviews/a.md" not in result.stdout
    fixed = (repo / "reviews" / "b.md").read_text(encoding="utf-8")
    assert re.search(r"\| blocker \| 1 of \d+ \|", fixed) and "  - State: pass" in fixed
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    again = try_repo(repo, "meshkb-report-fmt", pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr


def test_hook_definitions() -> None:
    hooks = {hook["id"]: hook for hook in load_yaml(ROOT / ".pre-commit-hooks.yaml")}
    assert set(hooks) == {"meshkb-validate", "meshkb-report-fmt", "meshkb-report-gate"}
    assert hooks["meshkb-report-fmt"]["entry"] == "meshkb report fmt"
    assert hooks["meshkb-report-fmt"]["files"] == hooks["meshkb-report-gate"]["files"]
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is True
        assert hook["name"]
    assert hooks["meshkb-validate"]["entry"] == "meshkb validate"
    assert hooks["meshkb-report-gate"]["entry"] == "meshkb report check --gate"
    validate = re.compile(hooks["meshkb-validate"]["files"])
    assert validate.search("checklists/team.yaml") and validate.search("checklists/team.yml")
    assert not validate.search("docs/checklists/team.yaml")
    gate = re.compile(hooks["meshkb-report-gate"]["files"])
    assert gate.search("reviews/payments.md") and gate.search("docs/reviews/2026/orders.md")
    assert not gate.search("docs/previews/x.md") and not gate.search("reviews/data.json")


# --- the CI script (GitHub Action and GitLab template) ---------------------------------


def run_script(workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MESHKB_")}
    environ["PATH"] = f"{BIN}{os.pathsep}{environ.get('PATH', '')}"
    # This tree's meshkb, whichever checkout the venv's own install points at.
    environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "plugins"), environ.get("PYTHONPATH", "")) if p
    )
    environ.update(NO_COLOR="1", **env)
    return subprocess.run(
        ["bash", str(SCRIPT)], cwd=workdir, env=environ, capture_output=True, text=True, timeout=300
    )


def junit_suite(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    return suite


def sarif(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == "2.1.0"
    return data


def test_script_fails_when_one_gate_fails_after_writing_everything(tmp_path: Path) -> None:
    write(tmp_path / "reviews" / "payments.md", report_text(passing=True))
    write(tmp_path / "reviews" / "orders.md", report_text(passing=False))
    result = run_script(
        tmp_path,
        MESHKB_REPORTS="reviews/*.md",
        MESHKB_MANIFESTS=f"{MANIFESTS / 'bookinfo'}\n{MANIFESTS / 'emojivoto'}",
        MESHKB_SITE_URL="https://kb.example.com/meshkb/",
    )
    assert result.returncode == 1, result.stderr
    assert "meshkb-ci: gate NOT passed: reviews/orders.md" in result.stderr
    assert "gate NOT passed: reviews/payments.md" not in result.stderr
    assert "Gate: NOT passed" in result.stdout and "Gate: passed" in result.stdout
    junit = sorted(p.name for p in (tmp_path / "meshkb-junit").iterdir())
    assert junit == ["reviews_orders.xml", "reviews_payments.xml"]
    failing = junit_suite(tmp_path / "meshkb-junit" / "reviews_orders.xml")
    assert failing.get("name") == "migration" and int(failing.get("failures", "0")) > 0
    passing = junit_suite(tmp_path / "meshkb-junit" / "reviews_payments.xml")
    assert passing.get("failures") == "0"
    data = sarif(tmp_path / "meshkb.sarif")
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(
        r["helpUri"].startswith("https://kb.example.com/meshkb/go/") for r in rules
    )


def test_script_passes_when_every_gate_holds(tmp_path: Path) -> None:
    write(tmp_path / "a.md", report_text(passing=True))
    write(tmp_path / "b.md", report_text(passing=True))
    out = tmp_path / "out"
    result = run_script(
        tmp_path, MESHKB_REPORTS="a.md b.md", MESHKB_MANIFESTS=str(MANIFESTS), MESHKB_OUT=str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "every gate passed" in result.stderr
    for name in ("a", "b"):
        assert junit_suite(out / "meshkb-junit" / f"{name}.xml").get("failures") == "0"
    sarif(out / "meshkb.sarif")


def test_script_bad_input_exits_2_and_still_scans(tmp_path: Path) -> None:
    write(tmp_path / "a.md", report_text(passing=False))
    result = run_script(tmp_path, MESHKB_REPORTS="a.md missing.md", MESHKB_MANIFESTS=str(MANIFESTS))
    assert result.returncode == 2, result.stderr
    assert "missing.md: no such report" in result.stderr
    assert "gate NOT passed: a.md" in result.stderr
    assert junit_suite(tmp_path / "meshkb-junit" / "a.xml").get("name") == "migration"
    sarif(tmp_path / "meshkb.sarif")
    assert run_script(tmp_path).returncode == 2  # nothing to do is a configuration error


# --- the CI definitions -------------------------------------------------------------------


def test_github_action() -> None:
    action = load_yaml(ROOT / "action.yml")
    assert action["name"] and action["description"]
    inputs = action["inputs"]
    assert set(inputs) == {
        "reports",
        "manifests",
        "checklists",
        "site-url",
        "python-version",
        "upload-sarif",
    }
    assert inputs["upload-sarif"]["default"] == "true"
    assert all(spec.get("description") for spec in inputs.values())
    runs = action["runs"]
    assert runs["using"] == "composite"
    steps = runs["steps"]
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] == "bash", step
            assert "${{" not in step["run"], "inputs go through env, not into the script"
    uses = [step.get("uses", "") for step in steps]
    assert uses[0].startswith("actions/setup-python@")
    assert steps[0]["with"]["python-version"] == "${{ inputs.python-version }}"
    assert '"$GITHUB_ACTION_PATH"' in steps[1]["run"] and "pip install" in steps[1]["run"]
    script = steps[2]
    assert script["run"] == 'bash "$GITHUB_ACTION_PATH/ci/meshkb-ci.sh"'
    assert set(script["env"]) == {
        "MESHKB_REPORTS",
        "MESHKB_MANIFESTS",
        "MESHKB_CHECKLISTS",
        "MESHKB_SITE_URL",
        "MESHKB_OUT",
    }
    upload = steps[3]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.upload-sarif == 'true'" in upload["if"] and "always()" in upload["if"]
    assert upload["with"]["sarif_file"] == "meshkb.sarif"
    assert os.access(SCRIPT, os.X_OK)


def test_github_pages_workflow() -> None:
    workflow = load_yaml(ROOT / ".github" / "workflows" / "pages.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    steps = {step.get("id") or step.get("uses") or step["name"]: step for step in build["steps"]}
    assert steps["pages"]["uses"].startswith("actions/configure-pages@")
    install = next(s for s in build["steps"] if "pip install" in s.get("run", ""))
    assert "-e '.[site]'" in install["run"]
    mkdocs = next(s for s in build["steps"] if s.get("run", "").startswith("mkdocs build"))
    assert mkdocs["run"] == "mkdocs build --strict"
    assert mkdocs["env"]["MESHKB_SITE_URL"].startswith("${{ steps.pages.outputs.base_url }}")
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_gitlab_template() -> None:
    template = load_yaml(ROOT / "ci" / "meshkb.gitlab-ci.yml")
    job = template[".meshkb"]
    assert job["image"] == "python:3.11"
    assert any("pip install" in line for line in job["before_script"])
    assert job["script"] == ['bash "$MESHKB_SRC/ci/meshkb-ci.sh"']
    for name in ("MESHKB_REPORTS", "MESHKB_MANIFESTS", "MESHKB_CHECKLISTS", "MESHKB_SITE_URL"):
        assert name in job["variables"]
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"]["junit"] == "meshkb-junit/*.xml"
    assert "meshkb.sarif" in artifacts["paths"]


def test_gitlab_pages_job() -> None:
    job = load_yaml(ROOT / "ci" / "pages.gitlab-ci.yml")["pages"]
    assert job["artifacts"]["paths"] == ["public"]
    build = next(line for line in job["script"] if "mkdocs build" in line)
    assert "--strict" in build and "-d public" in build
    assert build.startswith('MESHKB_SITE_URL="$CI_PAGES_URL/"')
    assert any("-e '.[site]'" in line for line in job["script"])
