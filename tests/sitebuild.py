"""Real builds of the site, shared by the tests: the repo's site is built once per engine.

`build` runs `mkdocs build --strict`; `zensical_build` runs `zensical build --strict` from
the same sources (docs/engines.md).
"""

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


ENGINES = ("mkdocs", "zensical")
"""The engines the site builds with from the same sources."""


def zensical_build(source: Path, site_url: str | None = None) -> Path:
    """Build `source/mkdocs.yml` with `zensical build --strict` into `source/site`.

    Zensical writes its site and cache inside the project, so `source` is a copy
    (`copy_sources`), never the checkout.
    """
    env = {k: v for k, v in os.environ.items() if k != "MESHKB_SITE_URL"}
    if site_url:
        env["MESHKB_SITE_URL"] = site_url
    result = subprocess.run(
        [sys.executable, "-m", "zensical", "build", "--strict", "--config-file", "mkdocs.yml"],
        cwd=source,
        env={**env, **BUILD_ENV, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"zensical build --strict failed:\n{result.stdout}{result.stderr}"
    )
    return source / "site"


@functools.cache
def repo_zensical_site(site_url: str | None = None) -> Path:
    """The repository's site built with Zensical, once per test session (and address)."""
    folder = Path(tempfile.mkdtemp(prefix="meshkb-zensical-"))
    atexit.register(shutil.rmtree, folder, True)
    return zensical_build(copy_sources(folder / "src"), site_url)


def build_with(engine: str, source: Path, site_url: str | None = None) -> Path:
    """`source` (a copy) built with `engine` (one of ENGINES) into `source/site`."""
    if engine == "zensical":
        return zensical_build(source, site_url)
    return build(source, source / "site", site_url)


TECHDOCS_VENV = ROOT / ".venv-techdocs"
"""meshkb[techdocs] in a venv of its own: mkdocs-techdocs-core pins its own Material."""


@functools.cache
def techdocs_python() -> Path:
    """The TechDocs venv's Python, made (from the registry, `pip install -e '.[techdocs]'`)
    when it is missing or cannot import meshkb and techdocs_core; kept for the next run."""
    python = TECHDOCS_VENV / "bin" / "python"
    probe = [str(python), "-c", "import meshkb.mkdocs_plugin, techdocs_core"]
    if python.is_file() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    import venv

    venv.create(TECHDOCS_VENV, with_pip=True, clear=True)
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-e", f"{ROOT}[techdocs]"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, f"pip install -e '.[techdocs]' failed:\n{result.stderr}"
    return python


def techdocs_build(site_dir: Path) -> Path:
    """`mkdocs build --strict -f mkdocs.techdocs.yml` with mkdocs-techdocs-core."""
    result = subprocess.run(
        [
            str(techdocs_python()),
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.techdocs.yml"),
            "--site-dir",
            str(site_dir),
        ],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "MESHKB_SITE_URL"}, **BUILD_ENV},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"TechDocs build failed:\n{result.stdout}{result.stderr}"
    return site_dir


@functools.cache
def repo_techdocs_site() -> Path:
    """The repository's TechDocs build, once per test session."""
    folder = Path(tempfile.mkdtemp(prefix="meshkb-techdocs-"))
    atexit.register(shutil.rmtree, folder, True)
    return techdocs_build(folder / "site")


def copy_sources(target: Path) -> Path:
    """docs/, checklists/, overrides/ and mkdocs.yml copied into `target`, to change and build."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("docs", "checklists", "overrides"):
        shutil.copytree(ROOT / folder, target / folder)
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target
