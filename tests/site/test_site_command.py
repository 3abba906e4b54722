"""`meshkb site build|serve`: the site from meshkb's own sources, with no MkDocs banner."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ..sitebuild import copy_sources


def meshkb(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meshkb", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_build_writes_the_site_for_its_published_address(tmp_path: Path) -> None:
    result = meshkb(
        "site", "build", "-d", "public", "--site-url", "https://kb.example.org/x/", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "public" / "cost" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://kb.example.org/x/cost/"' in page
    assert "MkDocs 2.0" not in result.stdout + result.stderr and "ProperDocs" not in result.stderr
    assert result.stderr.endswith("meshkb: built public\n")


def test_a_broken_link_fails_the_build_with_exit_1(tmp_path: Path) -> None:
    source = copy_sources(tmp_path / "src")
    page = source / "docs" / "cost.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[gone](nowhere.md)\n", encoding="utf-8")
    result = meshkb(
        "site", "build", "--config", str(source / "mkdocs.yml"), "-d", "out", cwd=tmp_path
    )
    assert result.returncode == 1
    assert "nowhere.md" in result.stderr and "meshkb: site build failed" in result.stderr


def test_serve_previews_the_site_on_the_given_address(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "meshkb", "site", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/decide/", timeout=2) as reply:
                    assert "Do I need a mesh?" in reply.read().decode("utf-8")
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "meshkb site serve did not answer"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
