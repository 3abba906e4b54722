"""Errors people can act on, and the exit codes, in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass

EXIT_OK = 0
"""Success; for `--gate` and `report check`, the gate holds."""
EXIT_FAILED = 1
"""A gate or check failed: the input was fine, the answer is no."""
EXIT_USAGE = 2
"""Bad input or usage: nothing was written."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one file, located as precisely as we can."""

    file: str
    """Path as the user gave it (or `<stdin>`)."""
    message: str
    """What is wrong, in words a person can act on."""
    line: int | None = None
    """1-based line, when known."""
    column: int | None = None
    """1-based column, when known."""
    path: str | None = None
    """JSON path of the node, e.g. `$.sections[1].items[0].id`."""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where] if where else []
        if self.path:
            parts.append(self.path)
        parts.append(self.message)
        return ": ".join(parts)


class MeshkbError(Exception):
    """Bad input: carries one or more problems, each printed on its own line."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        super().__init__("\n".join(str(p) for p in problems))


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_KEY_SUFFIX: dict[str, str] = {}
"""Key -> its path suffix; the same few keys recur in every file."""


def key_suffix(key: str) -> str:
    """How `key` extends a JSON path: `.id`, or `['a key']` for any other key.

    The loader's positions and the validator's messages both name paths this way, so a
    problem finds the line of the key it is about.
    """
    suffix = _KEY_SUFFIX.get(key)
    if suffix is None:
        suffix = f".{key}" if _PLAIN_KEY.fullmatch(key) else f"[{key!r}]"
        if len(_KEY_SUFFIX) < 10_000:
            _KEY_SUFFIX[key] = suffix
    return suffix
