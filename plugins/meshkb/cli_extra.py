"""Commands kept out of cli.py: each registrar adds one subcommand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import cli_facts, cli_links, cli_scan

REGISTRARS: list[Callable[[Any], None]] = [
    cli_links.register,
    cli_scan.register,
    cli_facts.register,
]
prefill_from_scan = cli_scan.prefill_from_scan
