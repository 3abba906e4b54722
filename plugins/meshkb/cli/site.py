"""`meshkb site build|serve|generate`: the knowledge-base site, built or previewed with MkDocs.

`generate` writes the files any engine (MkDocs, Zensical, TechDocs) needs into docs/:
the checklist pages, the /go/ links and the assets (see `meshkb.site.generate`).

MkDocs runs in a child process (`python -m mkdocs`), so nothing here imports it; the
`site` extra installs it (`pip install 'meshkb[site]'`). The sources are meshkb's own
(shipped with the package, or the checkout's), or `--config FILE`.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from meshkb.cli.common import subcommands
from meshkb.core.errors import EXIT_FAILED, EXIT_OK, MeshkbError

QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
"""The two "MkDocs 2.0" notices Material and a dependency print on every build."""


def register(commands: Any) -> None:
    site = commands.add_parser(
        "site",
        help="build or preview the knowledge-base site (needs meshkb[site])",
        description="Build the site into a folder for any static host, or preview it locally.",
    )
    site_commands = subcommands(site, "site_command", required=True)
    build = site_commands.add_parser(
        "build",
        help="build the site with --strict into a folder",
        description=(
            "Build the site into DIR with `mkdocs build --strict`: a broken link, a missing "
            "anchor or a problem in a checklist fails it. --site-url (or $MESHKB_SITE_URL) is "
            "the address it is published at: canonical links and the sitemap use it."
        ),
    )
    build.add_argument("-d", "--site-dir", default="site", metavar="DIR", help="default: ./site")
    build.add_argument("--site-url", metavar="URL", help="the published address")
    serve = site_commands.add_parser(
        "serve",
        help="preview the site on this machine, rebuilt as the sources change",
        description="Preview the site with `mkdocs serve`; links point at the preview address.",
    )
    serve.add_argument(
        "-a",
        "--dev-addr",
        default="127.0.0.1:8000",
        metavar="HOST:PORT",
        help="default: %(default)s",
    )
    generate = site_commands.add_parser(
        "generate",
        help="write the checklist pages, /go/ links and assets into the docs folder",
        description=(
            "Write what every engine builds from into the docs folder: checklists/<id>.md, "
            "go/<ITEM-ID>/index.html and assets/meshkb/, from the checklists and the package. "
            "Files in those folders that no checklist makes are removed. With --check, write "
            "nothing and exit 1 when a file is missing, out of date or extra."
        ),
    )
    generate.add_argument(
        "--check", action="store_true", help="only report; exit 1 when the files are stale"
    )
    for sub in (build, serve, generate):
        sub.add_argument("--config", metavar="FILE", help="mkdocs.yml (default: meshkb's own)")
        sub.set_defaults(func=run_site)
    generate.set_defaults(func=run_generate)


def run_generate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.core.load import sources_root
    from meshkb.site import generate
    from meshkb.site.catalogue import load_checklists
    from meshkb.site.sources import find_config, read_site_config

    root = sources_root()
    config = find_config(args.config, [root] if root is not None else [])
    if config is None:
        raise MeshkbError("site generate: no mkdocs.yml found; give one with --config FILE")
    site = read_site_config(config)
    if site.docs_dir is None or site.checklists_dir is None:
        raise MeshkbError(f"{config}: its docs folder does not exist")
    checklists, problems = load_checklists(site.checklists_dir)
    if problems:
        raise MeshkbError(problems)
    expected = generate.generated_files(checklists.values())
    if args.check:
        stale = generate.drift(site.docs_dir, expected)
        for line in stale.lines(site.docs_dir):
            err.write(f"meshkb: {line}\n")
        if stale:
            err.write(f"meshkb: generated files are stale: run `{generate.REFRESH}`\n")
            return EXIT_FAILED
        err.write(f"meshkb: {len(expected)} generated files in {site.docs_dir} are up to date\n")
        return EXIT_OK
    done = generate.write(site.docs_dir, expected)
    for line in done.lines(site.docs_dir, fixed=True):
        err.write(f"meshkb: {line}\n")
    err.write(f"meshkb: {len(expected)} generated files in {site.docs_dir} are up to date\n")
    return EXIT_OK


def run_site(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import importlib.util
    import subprocess

    from meshkb.core.load import sources_root
    from meshkb.site.sources import find_config
    from meshkb.site.urls import checked_site_url

    root = sources_root()
    config = find_config(args.config, [root] if root is not None else [])
    if config is None:
        raise MeshkbError("site: no mkdocs.yml found; give one with --config FILE")
    if importlib.util.find_spec("mkdocs") is None:
        raise MeshkbError("site: MkDocs is not installed; install meshkb[site]")
    env = {**os.environ, **QUIET}
    if args.site_command == "build":
        if args.site_url:
            env["MESHKB_SITE_URL"] = checked_site_url(args.site_url, "--site-url")
        argv = ["build", "--strict", "--site-dir", os.path.abspath(args.site_dir)]
    else:
        env.pop("MESHKB_SITE_URL", None)  # a preview's links point at the preview
        argv = ["serve", "--dev-addr", args.dev_addr]
    err.flush()
    code = subprocess.call(
        [sys.executable, "-m", "mkdocs", *argv, "--config-file", str(config)], env=env
    )
    if code != 0:
        err.write(f"meshkb: site {args.site_command} failed (mkdocs exited {code}; see above)\n")
        return EXIT_FAILED
    if args.site_command == "build":
        err.write(f"meshkb: built {args.site_dir}\n")
    return EXIT_OK
