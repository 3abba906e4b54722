"""Find versions, ISO dates and figures with units that a text states literally.

Shared by test_facts.py: page and checklist text must take these from the facts files
(`[[fact:KEY]]`), apart from the reviewed entries in `literals-allow.yaml`.
Code (fenced blocks, code spans), link targets, URLs, HTML tags, attribute lists and
fact or directive references are not prose and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from meshkb.core.markdown_lines import fenced

FIGURE = re.compile(
    r"(?<![\w.\-/#^])\d[\d,]*(?:\.\d+)?(?:[\u2013-]\d[\d,]*(?:\.\d+)?)?"
    r"(?: (?:MB|MiB|GiB|GB|KB|KiB|ms|vCPU|cores?)|%|Mi|Gi|m)(?![A-Za-z0-9])"
)
DATE = re.compile(r"(?<![\w\-/])\d{4}-\d{2}-\d{2}(?![\w\-])")
VERSION = re.compile(
    r"(?<![\w.\-/#^])v?[1-9]\d*\.\d+(?:\.\d+)?(?:-[a-z]+\.\d+)?(?:[\u2013-]v?\d+\.\d+(?:\.\d+)?)?(?![\w]|\.\d)"
)
NOT_PROSE = re.compile(
    r"`+[^`]*`+|\]\([^)]*\)|<https?://[^>]*>|<[^>\s][^>]*>|\{[#.:][^}]*\}|\[\[[^\]]*\]\]|https?://\S+"
)
SKIPPED_KEYS = {
    "refs",
    "id",
    "version",
    "last_reviewed",
    "rev",
    "select",
    "expect",
    "where",
    "applies_when",
    "applies_to",
    "prefix",
    "format",
    "replaced_by",
}
"""Checklist fields that are identifiers, citations or probe logic, not prose."""


def literals(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line, literal) for each literal in Markdown prose."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    body = lines[start:]
    for number, (line, code) in enumerate(zip(body, fenced(body), strict=True), start + 1):
        if code:
            continue
        prose = NOT_PROSE.sub(lambda m: " " * len(m.group(0)), line)
        taken: list[tuple[int, int]] = []
        for pattern in (FIGURE, DATE, VERSION):
            for match in pattern.finditer(prose):
                if any(a < match.end() and match.start() < b for a, b in taken):
                    continue
                taken.append(match.span())
                yield number, match.group(0)


def checklist_texts(data: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """(json path, text) for each prose string of a checklist's raw data."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from checklist_texts(value, f"{path}[{index}]")
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in SKIPPED_KEYS:
                yield from checklist_texts(value, f"{path}.{key}")
