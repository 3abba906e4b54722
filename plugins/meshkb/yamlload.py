"""Read YAML safely and keep where every value came from.

PyYAML's safe loader keeps the last of two duplicate keys without a word and
expands aliases without limit; this module composes the node graph (libyaml when
present) and builds plain Python values itself, so it can reject duplicate keys,
anchors and aliases, and any tag beyond YAML's core schema, and remember the
line and column of each value by its JSON path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import MeshkbError, Problem
from .record import record

MAX_BYTES = 5 * 1024 * 1024
"""Checklists and reports are small; a larger file is refused before it is read."""

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_CORE = "tag:yaml.org,2002:"
_MAP, _SEQ, _MERGE = _CORE + "map", _CORE + "seq", _CORE + "merge"
_TEXT_TAGS = frozenset({_CORE + "str", _CORE + "timestamp"})
_NULL = _CORE + "null"
_CONSTRUCTED_TAGS = frozenset({_CORE + "bool", _CORE + "int", _CORE + "float"})
_KEY_SUFFIX: dict[str, str] = {}
"""Key -> how it extends a JSON path (`.id` or `['a key']`); the same few keys recur."""
_constructor = yaml.constructor.SafeConstructor()


@record
class Located:
    """Plain data from YAML plus the line and column of each JSON path."""

    data: Any
    """Plain dicts, lists, strings, numbers, booleans and None."""
    marks: dict[str, tuple[int, int]]
    """JSON path (e.g. `$.sections[0].items[2].id`) -> 1-based (line, column)."""
    file: str
    """Where the text came from."""

    def at(self, path: str, message: str) -> Problem:
        """A problem located at `path`, or at its nearest located parent."""
        probe = path
        while probe not in self.marks and probe != "$":
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else "$"
        line, column = self.marks.get(probe, (1, 1))
        return Problem(self.file, message, line, column, path)


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, refusing what is too large, binary or not UTF-8."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
    except FileNotFoundError:
        raise MeshkbError(Problem(name, "no such file")) from None
    except OSError as exc:
        raise MeshkbError(Problem(name, f"cannot read: {exc.strerror}")) from None
    if Path(path).is_dir():
        raise MeshkbError(Problem(name, "is a directory, not a file"))
    if size > max_bytes:
        raise MeshkbError(
            Problem(
                name,
                f"file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes // 2**20} MiB)",
            )
        )
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise MeshkbError(Problem(name, f"cannot read: {exc.strerror}")) from None
    return decode_text(raw, name)


def decode_text(raw: bytes, name: str) -> str:
    """Decode UTF-8 (a BOM is allowed), locating the first bad byte."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise MeshkbError(Problem(name, "binary data (NUL byte); expected a UTF-8 text file", line))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise MeshkbError(
            Problem(name, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, column)
        ) from None
    return text.replace("\r\n", "\n")


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document into plain data with locations; raise MeshkbError."""
    if not text.strip():
        raise MeshkbError(Problem(file, "file is empty", 1, 1))
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise MeshkbError(_yaml_problem(exc, file, text)) from None
    except yaml.reader.ReaderError as exc:
        raise MeshkbError(_reader_problem(exc, file, text)) from None
    except yaml.YAMLError as exc:
        raise MeshkbError(Problem(file, f"not valid YAML: {exc}")) from None
    if node is None:
        raise MeshkbError(Problem(file, "file has no YAML content", 1, 1))
    marks: dict[str, tuple[int, int]] = {}
    try:
        data = _build(node, "$", marks, file, set())
    except _AliasFound:
        # The composer shares one node between an anchor and its aliases; find the
        # alias's own position with the event stream (only on this error path).
        reject_aliases(text, file)
        raise MeshkbError(Problem(file, "anchors and aliases (&, *) are not allowed")) from None
    return Located(data, marks, file)


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


def _build(
    node: yaml.Node, path: str, marks: dict[str, tuple[int, int]], file: str, seen: set[int]
) -> Any:
    if id(node) in seen:
        raise _AliasFound
    seen.add(id(node))
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    marks[path] = (line, column)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _tag_error(node, path, file)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise MeshkbError(
                    Problem(file, "mapping keys must be plain strings", line, column, path)
                )
            if key_node.tag == _MERGE:
                raise _located(key_node, file, "merge keys (<<) are not allowed", path)
            key = str(key_node.value)
            child = path + _key_suffix(key)
            if key in result:
                first = marks.get(child, (0, 0))[0]
                raise _located(
                    key_node, file, f"duplicate key {key!r} (first at line {first})", child
                )
            result[key] = _build(value_node, child, marks, file, seen)
            marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _tag_error(node, path, file)
        return [
            _build(child, f"{path}[{i}]", marks, file, seen) for i, child in enumerate(node.value)
        ]
    return _scalar(node, path, file)


def _located(node: yaml.Node, file: str, message: str, path: str) -> MeshkbError:
    """A MeshkbError at the node's line and column."""
    mark = node.start_mark
    return MeshkbError(Problem(file, message, mark.line + 1, mark.column + 1, path))


def _plain_key(key: str) -> bool:
    return key.replace("_", "a").replace("-", "a").isalnum() and not key[:1].isdigit()


def _key_suffix(key: str) -> str:
    suffix = _KEY_SUFFIX.get(key)
    if suffix is None:
        suffix = f".{key}" if _plain_key(key) else f"[{key!r}]"
        if len(_KEY_SUFFIX) < 10_000:
            _KEY_SUFFIX[key] = suffix
    return suffix


def _tag_error(node: yaml.Node, path: str, file: str) -> MeshkbError:
    tag = node.tag.replace(_CORE, "!!")
    return _located(node, file, f"tag {tag} is not allowed; use plain YAML values", path)


def _scalar(node: yaml.Node, path: str, file: str) -> Any:
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
            raise _located(
                node, file, f"{node.value!r} is not a valid {kind} value", path
            ) from None
    raise _tag_error(node, path, file)


def reject_aliases(text: str, file: str) -> None:
    """Refuse anchors and aliases: they are how alias bombs expand."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
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
