"""`meshkb completion bash|zsh|fish`: the command's adapter; the scripts are written by
`meshkb.cli.shells`, loaded only when a script is asked for."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from meshkb.core.errors import EXIT_OK

SHELLS = ("bash", "zsh", "fish")


def register(commands: Any) -> None:
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description=(
            'Print the completion script for SHELL on stdout. bash: eval "$(meshkb completion '
            'bash)" in ~/.bashrc; zsh: eval "$(meshkb completion zsh)" in ~/.zshrc; fish: '
            "meshkb completion fish | source in ~/.config/fish/config.fish."
        ),
    )
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    completion.set_defaults(func=run_completion)


def run_completion(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.cli import build_parser
    from meshkb.cli.shells import script

    out.write(script(args.shell, build_parser()))
    return EXIT_OK
