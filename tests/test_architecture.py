"""The package's boundaries are import-linter contracts (pyproject.toml), run here.

import-linter sees imports inside functions too, so a lazy import cannot slip past.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's contracts over the package found in `package_parent`."""
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"},
        cwd=package_parent,
    )


def test_the_contracts_hold() -> None:
    result = lint_imports(ROOT / "plugins")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("core/score.py", "import mkdocs.config", "mkdocs and Material only in the MkDocs adapter"),
        ("site/fragment.py", "import markdown", "Python-Markdown only in the two adapters"),
        ("core/model.py", "from meshkb.cli import main", "Layers"),
        ("report/junit.py", "from meshkb.scan import run", "stand alone"),
        ("scan/results.py", "from meshkb.scan import run", "No import cycles"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    copy = tmp_path / "meshkb"
    shutil.copytree(ROOT / "plugins" / "meshkb", copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    # Inside a function, where a lazy import would hide from a plain module scan.
    target.write_text(target.read_text() + f"\n\ndef _added() -> None:\n    {line}\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
