"""Build hook: the wheel carries the checklists and the site's sources meshkb cites.

`meshkb checklist`, `link`, `scan` and `adr new` need the shipped checklists, and `link`
and `adr new` the pages' titles and anchors (`mkdocs.yml` and `docs/`), and `site build` the
theme override (`overrides/`). They live at the top of the repository, outside the package,
so the build copies them into `meshkb/bundled/`. In a checkout (an editable install) meshkb
reads them where they are.
Everything else is configured in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("mkdocs.yml", "checklists", "docs", "overrides")


class BuildWithSources(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "meshkb" / "bundled"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in BUNDLED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name)
            else:
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithSources})
