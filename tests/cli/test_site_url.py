"""The published address is one setting: site_url, then $MESHKB_SITE_URL, then --site-url."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import MANIFESTS, PREVIEW_NOTE, ROOT, run_cli

PUBLIC = "https://docs.example.org/platform/meshkb/"
LOCAL = "http://127.0.0.1:8000/"


def _outputs(tmp_path: Path, *options: str) -> tuple[str, str]:
    """(everything written, everything said on stderr) by link, adr new and scan --format sarif."""
    link = run_cli("link", "MIG-0003", *options)
    adr = run_cli("adr", "new", "Adopt Linkerd", "--dir", str(tmp_path / "adr"), *options)
    sarif = run_cli("scan", str(MANIFESTS / "bookinfo"), "--format", "sarif", *options)
    assert (link.code, adr.code, sarif.code) == (0, 0, 0), link.err + adr.err + sarif.err
    written = link.out + (tmp_path / "adr" / "0001-adopt-linkerd.md").read_text() + sarif.out
    return written, link.err + adr.err + sarif.err


@pytest.mark.parametrize("how", ["env", "option"])
def test_a_public_address_reaches_every_link_meshkb_writes(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if how == "env":
        monkeypatch.setenv("MESHKB_SITE_URL", PUBLIC)
        options: tuple[str, ...] = ()
    else:
        options = ("--site-url", PUBLIC)
    written, said = _outputs(tmp_path, *options)
    assert f"{PUBLIC}go/MIG-0003/" in written
    assert "127.0.0.1" not in written
    assert PREVIEW_NOTE not in said


def test_without_one_the_links_point_at_the_preview_and_meshkb_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MESHKB_SITE_URL", raising=False)
    written, said = _outputs(tmp_path)
    assert f"{LOCAL}go/MIG-0003/" in written
    assert said.count(PREVIEW_NOTE) == 3  # once per command
    assert "--site-url or $MESHKB_SITE_URL" in said


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ("ftp://docs.example.org/", "$MESHKB_SITE_URL"),
        ("docs.example.org/meshkb", "$MESHKB_SITE_URL"),
        ("https://docs.example.org/?x=1", "$MESHKB_SITE_URL"),
    ],
)
def test_a_bad_address_is_one_line_and_exit_2(
    value: str, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHKB_SITE_URL", value)
    result = run_cli("link", "MIG-0003")
    assert (result.code, result.out) == (2, "")
    assert (
        result.err
        == f"meshkb: error: {where}: {value!r} is not a site URL (expected http(s)://host/path/, no query or fragment)\n"
    )
    option = run_cli("link", "MIG-0003", "--site-url", value)
    assert option.code == 2 and option.err.startswith("meshkb: error: --site-url: ")


def test_the_site_build_and_the_cli_read_the_same_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from meshkb.site.sources import read_site_config

    monkeypatch.setenv("MESHKB_SITE_URL", PUBLIC)
    assert read_site_config(ROOT / "mkdocs.yml").site_url == PUBLIC  # mkdocs.yml's !ENV
    monkeypatch.delenv("MESHKB_SITE_URL")
    assert read_site_config(ROOT / "mkdocs.yml").site_url == LOCAL
