"""Commands kept out of cli.py: each registrar adds one subcommand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from .model import Checklist, Report

REGISTRARS: list[Callable[[Any], None]] = []


def prefill_from_scan(checklist: Checklist, report: Report, path: str, err: TextIO) -> Report:
    from .errors import MeshkbError

    raise MeshkbError("checklist: --scan is not available yet")
