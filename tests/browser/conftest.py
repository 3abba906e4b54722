"""Real Chromium against the real built site, served on the site_url origin.

The repository's site is built once per session and engine (shared with the link tests):
every test that uses `site` runs on the MkDocs build and on the Zensical build of the same
sources. A second small site holds a hostile checklist. Without Chromium the browser tests skip with a
message, except in CI, where they fail.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from meshkb.site.sources import read_site_config

from ..conftest import CASES, ROOT
from ..sitebuild import ENGINES, build_with, copy_sources, repo_site

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Site:
    """A built site and the origin it is served on."""

    root: Path
    """The built site folder."""
    url: str
    """Base URL with a trailing slash, e.g. http://127.0.0.1:8000/."""
    engine: str = "mkdocs"
    """What built it: `mkdocs` or `zensical`."""

    def page(self, path: str) -> str:
        return self.url + path.lstrip("/")


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = chromium_path()
    if not executable:
        message = "Chromium not found: install it (apt-get install -y chromium) or set $CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _bind(port: int = 0) -> ThreadingHTTPServer | None:
    """A server bound to `port` (0: any free one), not serving yet; None when it is taken.

    Bound before the site is built, so no other process takes the port meanwhile.
    """
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), _Quiet)
    except OSError:
        return None


def _serve(server: ThreadingHTTPServer, folder: Path, engine: str = "mkdocs") -> Site:
    server.RequestHandlerClass = functools.partial(_Quiet, directory=str(folder))  # type: ignore[assignment]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Site(folder, f"http://127.0.0.1:{server.server_address[1]}/", engine)


@contextmanager
def _served_copy(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    engine: str,
    change: Callable[[Path], None] = lambda source: None,
) -> Iterator[Site]:
    """A copy of the site's sources, changed by `change`, built by `engine` for a free
    port and served there until the session ends."""
    server = _bind()
    assert server is not None
    source = copy_sources(tmp_path_factory.mktemp(name))
    change(source)
    folder = build_with(engine, source, f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        yield _serve(server, folder, engine)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session", params=ENGINES)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The repository's site, built by each engine, on its site_url origin.

    Served where it was built for, so its canonical links and sitemap point at the pages
    read. When the configured port is taken (or for Zensical, which builds a copy anyway),
    a copy is built for a free port instead.
    """
    engine = str(request.param)
    configured = read_site_config(ROOT / "mkdocs.yml").site_url
    server = _bind(urlsplit(configured).port or 8000) if engine == "mkdocs" else None
    if server is None:
        with _served_copy(tmp_path_factory, f"site-src-{engine}", engine) as copy:
            yield copy
        return
    yield _serve(server, repo_site(), engine)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session", params=ENGINES)
def instant_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The site with the theme's instant navigation on, as a team may turn it on, per engine.

    meshkb's site leaves it off (docs/engines.md#scripts); the page scripts must still
    work when a page arrives by instant navigation instead of a load.
    """

    def turn_on(source: Path) -> None:
        config = source / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        assert "  features:\n" in text and "    - navigation.instant\n" not in text
        config.write_text(
            text.replace("  features:\n", "  features:\n    - navigation.instant\n", 1)
        )

    engine = str(request.param)
    with _served_copy(tmp_path_factory, f"instant-src-{engine}", engine, turn_on) as copy:
        yield copy


@pytest.fixture(scope="session")
def bare_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site without its own stylesheet (`docs/assets/meshkb-site.css`): what the plugin
    and the theme give a team's own site."""

    def drop_site_css(source: Path) -> None:
        config = source / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        assert "  - assets/meshkb-site.css\n" in text
        config.write_text(text.replace("  - assets/meshkb-site.css\n", "", 1), encoding="utf-8")

    with _served_copy(tmp_path_factory, "bare-src", "mkdocs", drop_site_css) as copy:
        yield copy


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site plus a checklist whose every field tries to inject markup or script."""

    def add_hostile(source: Path) -> None:
        shutil.copy2(CASES / "hostile" / "hostile.yaml", source / "checklists" / "hostile.yaml")

    with _served_copy(tmp_path_factory, "hostile-src", "mkdocs", add_hostile) as copy:
        yield copy


def draw_every_row(page: Any) -> None:
    """Draw every checklist row now, as a reader scrolling past each would see it.

    Rows are `content-visibility: auto` (meshkb.css): Chromium skips styling and laying out
    those off screen, so their colours cannot be read and their height is a placeholder.
    """
    page.add_style_tag(
        content=".md-typeset .meshkb-items > .meshkb-item { content-visibility: visible !important; }"
    )


def axe_run(page: Any, context: str | None = None) -> Any:
    """axe over the page with every checklist row drawn."""
    from axe_playwright_python.sync_playwright import Axe

    draw_every_row(page)
    return Axe().run(page, context=context)
