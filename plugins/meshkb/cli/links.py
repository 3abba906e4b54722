"""`meshkb link ID` and `meshkb links check|update`: stable links and the links lock."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from meshkb.cli.common import subcommands
from meshkb.core.errors import EXIT_FAILED, EXIT_OK
from meshkb.core.terminal import one_line, visible

if TYPE_CHECKING:
    from meshkb.site.links import Resolver
    from meshkb.site.sources import SiteConfig

ENV_SITE_URL = "MESHKB_SITE_URL"
"""Overrides `site_url` from mkdocs.yml, e.g. for the published address."""


def register(commands: Any) -> None:
    link = commands.add_parser(
        "link",
        help="the stable URL, versioned citation and Markdown link for an ID",
        description=(
            "Print the stable URL, the versioned citation and a ready Markdown link for an item "
            "(MIG-0003), a checklist (migration), a page section (migrate#bypass-runbook) or a "
            "citation (meshkb:migration@1.0.0#MIG-0003)."
        ),
    )
    link.add_argument("id", metavar="ID", help="item, checklist, page[#anchor] or meshkb: citation")
    link.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format"
    )
    site_options(link)
    link.set_defaults(func=run_link)

    links = commands.add_parser(
        "links",
        help="the links lock: every URL and anchor the site has published",
        description=(
            "Maintain the links lock (tests/links.lock beside mkdocs.yml), which lists every "
            "published URL and anchor. `update` adds what the sources publish now and never "
            "removes a line; `check SITE_DIR` checks a built site against it."
        ),
    )
    lock_commands = subcommands(links, "links_command", required=True)
    update = lock_commands.add_parser("update", help="add new entries to the lock")
    check = lock_commands.add_parser("check", help="check a built site against the lock")
    check.add_argument("site_dir", metavar="SITE_DIR", help="the built site (mkdocs build -d)")
    for sub in (update, check):
        sub.add_argument(
            "--config", default="mkdocs.yml", help="mkdocs.yml (default: ./mkdocs.yml)"
        )
        sub.add_argument(
            "--lock", help="the lock file (default: tests/links.lock beside mkdocs.yml)"
        )
    update.set_defaults(func=run_links_update)
    check.set_defaults(func=run_links_check)


def site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="meshkb's mkdocs.yml, for site_url and the docs (default: the one shipped with meshkb)",
    )
    parser.add_argument(
        "--site-url",
        metavar="URL",
        help=f"base URL of the published site (default: ${ENV_SITE_URL}, else site_url in mkdocs.yml)",
    )


def resolver(args: argparse.Namespace, err: TextIO) -> Resolver:
    from meshkb.cli.common import load_every
    from meshkb.site.links import Resolver

    return Resolver(site_config(args, err), load_every(args))


def site_config(args: argparse.Namespace, err: TextIO) -> SiteConfig:
    """meshkb's own mkdocs.yml (or --config), its site_url overridden by --site-url, else
    $MESHKB_SITE_URL: the published address every printed or written link uses.

    Each command reads it once, and says on stderr when it is a local preview address:
    such links work on this machine only.
    """
    from meshkb.core.load import sources_root
    from meshkb.site.sources import find_config, read_site_config
    from meshkb.site.urls import checked_site_url, is_local_preview

    root = sources_root()
    near = [root] if root is not None else []
    config = find_config(args.config, near)
    override = None
    if args.site_url:
        override = checked_site_url(args.site_url, "--site-url")
    elif os.environ.get(ENV_SITE_URL):
        override = checked_site_url(os.environ[ENV_SITE_URL], f"${ENV_SITE_URL}")
    site = read_site_config(config, override)
    if override is None and site.site_url != "/":
        checked_site_url(site.site_url, f"{site.config_file}: site_url")
    if is_local_preview(site.site_url):
        err.write(
            f"meshkb: note: links point at a local preview ({site.site_url}); set "
            f"--site-url or ${ENV_SITE_URL} to the published site\n"
        )
    return site


def run_link(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    link = resolver(args, err).resolve(args.id)
    for note in link.notes:
        err.write(f"meshkb: note: {one_line(note)}\n")
    if args.format == "json":
        import json

        out.write(json.dumps(link.to_data(), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    rows = [("url", link.url)]
    if link.anchor_url:
        rows.append(("page", link.anchor_url))
    if link.citation:
        rows.append(("citation", link.citation))
    rows.append(("markdown", link.markdown))
    out.write(f"{visible(link.title)}\n")
    out.writelines(f"  {name + ':':<10} {visible(value)}\n" for name, value in rows)
    return EXIT_OK


def _lock_inputs(args: argparse.Namespace) -> tuple[Path, list[str], SiteConfig]:
    from meshkb.core.load import checklist_files, load_all
    from meshkb.site.linklock import published
    from meshkb.site.sources import find_config, read_site_config

    config = find_config(args.config)
    assert config is not None  # find_config raises for a missing explicit file
    site = read_site_config(config)
    # The site's own checklists: what the MkDocs plugin publishes from beside mkdocs.yml.
    checklists = load_all(checklist_files(config.parent / "checklists"))
    lock = Path(args.lock or config.parent / "tests" / "links.lock")
    return lock, published(site, checklists), site


def run_links_update(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.site.linklock import update_lock

    lock, current, _ = _lock_inputs(args)
    added = update_lock(lock, current)
    err.write(
        f"meshkb: {visible(str(lock))}: {len(added)} new entr{'y' if len(added) == 1 else 'ies'}\n"
    )
    out.writelines(f"{visible(entry)}\n" for entry in added)
    return EXIT_OK


def run_links_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.site.linklock import BuiltSite, check_lock, read_lock

    lock, current, site = _lock_inputs(args)
    result = check_lock(read_lock(lock), current, BuiltSite(Path(args.site_dir), site.site_url))
    out.writelines(f"broken: {visible(line)}\n" for line in result.broken)
    out.writelines(f"new: {visible(entry)} (run: meshkb links update)\n" for entry in result.new)
    return EXIT_FAILED if result.broken or result.new else EXIT_OK
