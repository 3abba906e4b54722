"""A real install: the wheel and the sdist, each in a fresh venv outside the checkout.

Every command a user runs first must work from any folder, with the shipped checklists
and site sources (setup.py bundles them into the wheel; MANIFEST.in into the sdist).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import MANIFESTS, ROOT


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return {
        "wheel": next(out.glob("meshkb-*.whl")),
        "sdist": next(out.glob("meshkb-*.tar.gz")),
    }


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MESHKB_"))}
    env["NO_COLOR"] = "1"
    return env


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_every_first_command_works_from_an_install(
    kind: str, artifacts: dict[str, Path], tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(artifacts[kind])],
        check=True,
        capture_output=True,
        env=_clean_env(),
    )
    work = tmp_path / "elsewhere"
    work.mkdir()

    def meshkb(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(env_dir / "bin" / "meshkb"), *argv],
            cwd=work,
            capture_output=True,
            text=True,
            env=_clean_env(),
        )

    listed = meshkb("checklist", "list")
    assert listed.returncode == 0, listed.stderr
    assert {"adoption", "migration", "removal", "traps"} <= {
        line.split()[0] for line in listed.stdout.splitlines()[1:]
    }
    written = meshkb("checklist", "migration", "-o", "review.md", "--system", "shop")
    assert written.returncode == 0 and (work / "review.md").is_file(), written.stderr
    gate = meshkb("report", "check", "review.md", "--gate")
    assert gate.returncode == 1 and "Gate: NOT passed" in gate.stdout, gate.stderr
    scanned = meshkb("scan", str(MANIFESTS / "bookinfo"))
    assert scanned.returncode == 0 and "MIG-" in scanned.stdout, scanned.stderr
    link = meshkb("link", "MIG-0003")
    assert link.returncode == 0 and "/go/MIG-0003/" in link.stdout, link.stderr
    cost = meshkb("cost", "--pods", "10", "--nodes", "2")
    assert cost.returncode == 0 and "istio" in cost.stdout.lower(), cost.stderr
    adr = meshkb("adr", "new", "Adopt Linkerd", "--dir", "adr", "--report", "review.md")
    assert adr.returncode == 0, adr.stderr
    assert (work / "adr" / "0001-adopt-linkerd.md").is_file()
    # `meshkb site build` builds the bundled sources, theme override included (its scripts
    # deferred: docs/engines.md#scripts).
    (override,) = env_dir.glob("lib/python*/site-packages/meshkb/bundled/overrides/main.html")
    assert "defer" in override.read_text(encoding="utf-8")
    facts = meshkb("facts", "--stale", "100000")
    assert facts.returncode == 0, facts.stderr
