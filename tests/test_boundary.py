"""What the CLI and a site build import at start-up (the architecture itself: test_architecture)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import CHECKLISTS


def fresh_python(code: str) -> str:
    """What `code` prints in a new interpreter, where no test has imported anything yet."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_checklist_export_does_not_import_heavy_modules() -> None:
    code = (
        "import sys, io\n"
        "from meshkb.cli import main\n"
        "main(['checklist', 'migration'], stdout=io.StringIO(), stderr=io.StringIO())\n"
        "print(','.join(sorted(m for m in ('jsonschema', 'markdown_it', 'mkdocs', 'markdown') if m in sys.modules)))\n"
    )
    stdout = fresh_python(code)
    assert stdout.strip() == ""


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "meshkb", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("meshkb ")


def test_scan_does_not_validate_checked_probes_twice() -> None:
    # jsonschema is the tests' oracle; at run time jsonschema-rs validates (see core.validate).
    fixtures = Path(__file__).resolve().parent / "fixtures" / "manifests"
    code = (
        "import sys, io\n"
        "from meshkb.cli import main\n"
        f"main(['scan', {str(fixtures / 'bookinfo')!r}], stdout=io.StringIO(), stderr=io.StringIO())\n"
        "print('jsonschema' in sys.modules)\n"
    )
    stdout = fresh_python(code)
    assert stdout.strip() == "False"


def test_rendering_the_shipped_checklists_leaves_markdown_it_unimported() -> None:
    """Their Markdown is all simple prose (site.markdown_fast), so a cold site build
    skips markdown-it's ~20 ms import; a field with a link still gets the real parser."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from meshkb.core.load import checklist_files, load_all\n"
        "from meshkb.site.fragment import render_checklist\n"
        f"for checklist in load_all(checklist_files(Path({str(CHECKLISTS)!r}))):\n"
        "    render_checklist(checklist)\n"
        "print('markdown_it' in sys.modules)\n"
        "from meshkb.site.markdown_text import FieldMarkdown\n"
        "html = FieldMarkdown(lambda target: target).block('See [the page](migrate.md).')\n"
        "print('markdown_it' in sys.modules, 'href=\"migrate.md\"' in html)\n"
    )
    stdout = fresh_python(code)
    assert stdout.split() == ["False", "True", "True"]
