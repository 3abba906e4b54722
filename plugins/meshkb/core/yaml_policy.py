"""What YAML meshkb accepts, with where every value came from.

PyYAML's safe loader keeps the last of two duplicate keys without a word and expands
aliases without limit; this module composes the node graph (libyaml when present) and
builds plain Python values itself, so it can reject duplicate keys, anchors and
aliases, and any tag beyond YAML's core schema, and remember the line and column of
each value by its JSON path. Checklists, reports and their front matter all load here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from meshkb.core.errors import MeshkbError, Problem, key_suffix
from meshkb.core.files import read_text

MAX_DEPTH = 64
"""Checklists and reports nest about a dozen levels. Deeper input is refused with its
place, long before Python's recursion limit turns it into a traceback."""


try:
    Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    Loader = yaml.SafeLoader


_CORE = "tag:yaml.org,2002:"


_MAP, _SEQ, _MERGE = _CORE + "map", _CORE + "seq", _CORE + "merge"


_TEXT_TAGS = frozenset({_CORE + "str", _CORE + "timestamp"})


_NULL = _CORE + "null"


_CONSTRUCTED_TAGS = frozenset({_CORE + "bool", _CORE + "int", _CORE + "float"})


_constructor = yaml.constructor.SafeConstructor()


class Located:
    """Plain data from YAML plus the line and column of each JSON path."""

    __slots__ = ("_marks", "_root", "data", "file")

    def __init__(self, data: Any, file: str, root: yaml.Node | None = None) -> None:
        self.data = data
        """Plain dicts, lists, strings, numbers, booleans and None."""
        self.file = file
        """Where the text came from."""
        self._root = root
        self._marks: dict[str, tuple[int, int]] | None = None

    @property
    def marks(self) -> dict[str, tuple[int, int]]:
        """JSON path (e.g. `$.sections[0].items[2].id`) -> 1-based (line, column).

        Worked out on first use: only a problem needs it, and most loads have none.
        """
        if self._marks is None:
            self._marks = {}
            if self._root is not None:
                _mark(self._root, "$", self._marks)
        return self._marks

    def at(self, path: str, message: str) -> Problem:
        """A problem located at `path`, or at its nearest located parent."""
        marks = self.marks
        probe = path
        while probe not in marks and probe != "$":
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else "$"
        line, column = marks.get(probe, (1, 1))
        return Problem(self.file, message, line, column, path)


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document into plain data with locations; raise MeshkbError."""
    if not text.strip():
        raise MeshkbError(Problem(file, "file is empty", 1, 1))
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        raise MeshkbError(_yaml_problem(exc, file, text)) from None
    except yaml.reader.ReaderError as exc:
        raise MeshkbError(_reader_problem(exc, file, text)) from None
    except yaml.YAMLError as exc:
        raise MeshkbError(Problem(file, f"not valid YAML: {exc}")) from None
    if node is None:
        raise MeshkbError(Problem(file, "file has no YAML content", 1, 1))
    try:
        data = _build(node, set(), 0)
    except _AliasFound:
        # The composer shares one node between an anchor and its aliases; find the
        # alias's own position with the event stream (only on this error path).
        reject_aliases(text, file)
        raise MeshkbError(Problem(file, "anchors and aliases (&, *) are not allowed")) from None
    except _Refused as refused:
        mark = refused.at.start_mark
        path = _path_of(node, refused.owner) + refused.suffix
        raise MeshkbError(
            Problem(file, refused.message, mark.line + 1, mark.column + 1, path)
        ) from None
    return Located(data, file, node)


def _yaml_problem(exc: yaml.MarkedYAMLError, file: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = exc.problem or exc.context or "syntax error"
    if mark is not None:
        lines = text.split("\n")
        source_line = lines[mark.line] if mark.line < len(lines) else ""
        if "\t" in source_line[: mark.column + 1] or "'\\t'" in problem:
            return Problem(file, "tab used for indentation; YAML needs spaces", line, column)
    if "expected a single document" in str(exc):
        problem = "more than one YAML document; expected one"
    return Problem(file, f"not valid YAML: {problem}", line, column)


class _AliasFound(Exception):
    """A node was reached twice: YAML aliases, the stuff of alias bombs."""


class _Refused(Exception):
    """A value the loader refuses: `message` at node `at`, whose JSON path is the path of
    node `owner` plus `suffix` (worked out only now, on this error path)."""

    def __init__(self, message: str, at: yaml.Node, owner: yaml.Node, suffix: str = "") -> None:
        super().__init__(message)
        self.message, self.at, self.owner, self.suffix = message, at, owner, suffix


def _build(node: yaml.Node, seen: set[int], depth: int) -> Any:
    """Plain data of the node graph; paths and marks are left for `_path_of` and `_mark`."""
    if id(node) in seen:
        raise _AliasFound
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if depth >= MAX_DEPTH:
        raise _Refused(f"nested more than {MAX_DEPTH} levels deep", node, node)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _tag_error(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("mapping keys must be plain strings", node, node)
            if key_node.tag == _MERGE:
                raise _Refused("merge keys (<<) are not allowed", key_node, node)
            key = str(key_node.value)
            if key in result:
                first = next(k for k, _ in node.value if k.value == key_node.value)
                raise _Refused(
                    f"duplicate key {key!r} (first at line {first.start_mark.line + 1})",
                    key_node,
                    node,
                    key_suffix(key),
                )
            result[key] = _build(value_node, seen, depth + 1)
        return result
    if node.tag != _SEQ:
        raise _tag_error(node)
    return [_build(child, seen, depth + 1) for child in node.value]


def _children(node: yaml.Node, path: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """(path, value node, node that marks the path) of each child of a node."""
    if isinstance(node, yaml.MappingNode):
        return [(path + key_suffix(str(k.value)), v, k) for k, v in node.value]
    if isinstance(node, yaml.SequenceNode):
        return [(f"{path}[{i}]", child, child) for i, child in enumerate(node.value)]
    return []


def _mark(node: yaml.Node, path: str, marks: dict[str, tuple[int, int]]) -> None:
    """Record where each path starts: a value where it stands, a mapping entry at its key."""
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    for child_path, child, marker in _children(node, path):
        _mark(child, child_path, marks)
        marks[child_path] = (marker.start_mark.line + 1, marker.start_mark.column + 1)


def _path_of(node: yaml.Node, target: yaml.Node, path: str = "$") -> str:
    """The JSON path of `target` in the graph under `node`, searched in `_build`'s order.

    `_build` stops at the first node it refuses and at the first node it meets twice, so
    this search meets no alias before the target.
    """
    if node is target:
        return path
    for child_path, child, _ in _children(node, path):
        found = _path_of(child, target, child_path)
        if found:
            return found
    return ""


def _tag_error(node: yaml.Node) -> _Refused:
    tag = node.tag.replace(_CORE, "!!")
    return _Refused(f"tag {tag} is not allowed; use plain YAML values", node, node)


def _scalar(node: yaml.Node) -> Any:
    tag = node.tag
    if tag in _TEXT_TAGS:
        # Dates stay strings: `2026-11-25` means the text, not a datetime.
        return str(node.value)
    if tag == _NULL:
        return None
    if tag in _CONSTRUCTED_TAGS:
        try:
            return _constructor.construct_object(node)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError):
            # An explicit tag on a value that does not fit it: `!!int` alone, `!!bool maybe`.
            kind = tag.replace(_CORE, "!!")
            raise _Refused(f"{node.value!r} is not a valid {kind} value", node, node) from None
    raise _tag_error(node)


def reject_aliases(text: str, file: str) -> None:
    """Refuse anchors and aliases: they are how alias bombs expand."""
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise MeshkbError(
                    Problem(
                        file,
                        "anchors and aliases (&, *) are not allowed",
                        mark.line + 1 if mark else None,
                        mark.column + 1 if mark else None,
                    )
                )
    except yaml.MarkedYAMLError as exc:
        raise MeshkbError(_yaml_problem(exc, file, text)) from None
    except yaml.reader.ReaderError as exc:
        raise MeshkbError(_reader_problem(exc, file, text)) from None


def _reader_problem(exc: yaml.reader.ReaderError, file: str, text: str) -> Problem:
    """A character YAML refuses outright (control characters, say), located."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Problem(file, f"character U+{ord(char):04X} is not allowed in YAML", line, column)


def load_yaml_file(path: str | Path) -> Located:
    """Read and parse a YAML file: the checks of `read_text` and `load_yaml` together."""
    text = read_text(path)
    return load_yaml_text(text, str(path))


def load_yaml_text(text: str, file: str) -> Located:
    """Parse YAML text that must hold no aliases (an alias is refused where it stands)."""
    if not text.strip():
        raise MeshkbError(Problem(file, "file is empty", 1, 1))
    return load_yaml(text, file)
