"""A real `mkdocs build --strict`, shared by the link tests: the repo's site is built once."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .conftest import ROOT

BUILD_ENV = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


SUBPATH_URL = "https://docs.example.org/platform/meshkb/"
"""A published address below a path, as on GitLab Pages or an internal docs host."""


def build(source: Path, site_dir: Path, site_url: str | None = None) -> Path:
    """Build `source/mkdocs.yml` into `site_dir` with --strict; fail with mkdocs' output.

    `site_url` is the published address (`MESHKB_SITE_URL`); None builds the local preview.
    """
    env = {k: v for k, v in os.environ.items() if k != "MESHKB_SITE_URL"}
    if site_url:
        env["MESHKB_SITE_URL"] = site_url
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(source / "mkdocs.yml"),
            "--site-dir",
            str(site_dir),
        ],
        cwd=source,
        env={**env, **BUILD_ENV},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}{result.stderr}"
    return site_dir


@functools.cache
def repo_site(site_url: str | None = None) -> Path:
    """The repository's site, built once per test session (and per published address)."""
    folder = Path(tempfile.mkdtemp(prefix="meshkb-site-"))
    atexit.register(shutil.rmtree, folder, True)
    return build(ROOT, folder / "site", site_url)


def copy_sources(target: Path) -> Path:
    """docs/, checklists/ and mkdocs.yml copied into `target`, to change and build."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copytree(ROOT / "checklists", target / "checklists")
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target
