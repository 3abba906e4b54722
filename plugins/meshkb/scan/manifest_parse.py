"""The reference way to read manifests: each document composed and checked on its own.

It refuses what a safe reader must refuse (tags beyond YAML's core schema, alias bombs,
deep nesting, duplicate keys) and locates every problem. `manifest_fast` reads the same
documents faster and hands anything unusual back here; `manifests` chooses between them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from meshkb.core.errors import Problem
from meshkb.scan.resources import ParsedDocument

MAX_ALIASES = 100
"""Most alias references one document may make (anchors reused with `*name`)."""


MAX_ALIAS_GROWTH = 10_000
"""Most nodes aliases may add to a document once expanded (billion-laughs guard)."""


MAX_DEPTH = 256
"""Deepest nesting accepted; real Kubernetes objects stay far below it."""


YAML_TAG = "tag:yaml.org,2002:"


_PLAIN_TAGS = frozenset(
    YAML_TAG + name
    for name in ("null", "bool", "int", "float", "str", "timestamp", "map", "seq", "merge")
)


SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Chunk:
    """Lines of the text between two `---` markers."""

    first_line: int
    """0-based line where the chunk starts in the whole text."""
    text: str
    """The chunk's lines, its `---` marker included."""
    marked: bool
    """Whether the chunk starts with a `---` marker."""


def _is_marker(line: str) -> bool:
    return line.startswith("---") and (len(line) == 3 or line[3] in " \t\r")


def _is_preamble(text: str) -> bool:
    """True when the text holds only blank lines, comments and `%` directives."""
    return all(
        not stripped or stripped.startswith(("#", "%"))
        for stripped in (line.strip() for line in text.split("\n"))
    )


def _marker_offsets(text: str) -> list[int]:
    """Where each line after the first that is a `---` marker starts."""
    offsets = []
    position = text.find("\n---")
    while position >= 0:
        after = position + 4
        if after == len(text) or text[after] in " \t\r\n":
            offsets.append(position + 1)
        position = text.find("\n---", after)
    return offsets


def split_documents(text: str) -> list[Chunk]:
    """Split at `---` lines, so a broken document does not hide the ones after it.

    A line starting with `---` at column 0 always starts a new YAML document, even inside
    a block scalar, so splitting there agrees with the parser.
    """
    starts = [0, *_marker_offsets(text)]
    # A chunk ends before the line break that ends its last line.
    ends = [*(offset - 1 for offset in starts[1:]), len(text)]
    newline = text.find("\n")
    opens_with_marker = _is_marker(text if newline < 0 else text[:newline])
    chunks = []
    line = 0
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if index:
            line += text.count("\n", starts[index - 1], start)
        chunks.append(Chunk(line, text[start:end], index > 0 or opens_with_marker))
    first = chunks[0]
    if len(chunks) > 1 and not first.marked and _is_preamble(first.text):
        # Comments before the first `---` are no document; `%` directives belong to it.
        chunks.pop(0)
        if "%" in first.text:
            second = chunks.pop(0)
            chunks.insert(0, Chunk(first.first_line, first.text + "\n" + second.text, True))
    return chunks


def slow_documents(
    chunks: Sequence[Chunk], file: str, number: int = 0
) -> Iterator[ParsedDocument | Problem]:
    """Compose each chunk on its own: the reference path, which also locates problems."""
    for chunk in chunks:
        number += 1
        try:
            nodes = list(yaml.compose_all(chunk.text, Loader=SafeLoader))
        except yaml.YAMLError as error:
            yield _document_problem(file, number, chunk, error)
            continue
        for offset, node in enumerate(nodes):
            yield _document(file, number + offset, chunk, node)
        number += max(len(nodes) - 1, 0)


constructor = SafeConstructor()
SCALARS: dict[str, Any] = {
    YAML_TAG + "int": constructor.construct_yaml_int,
    YAML_TAG + "float": constructor.construct_yaml_float,
    YAML_TAG + "bool": constructor.construct_yaml_bool,
}


def _document_problem(file: str, number: int, chunk: Chunk, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = chunk.first_line + 1
    column = None
    if mark is not None:
        line = chunk.first_line + mark.line + 1
        column = mark.column + 1
    what = getattr(error, "problem", None) or str(error).split("\n")[0]
    context = getattr(error, "context", None)
    message = f"{context}: {what}" if context else str(what)
    return Problem(file, f"document {number}: is not valid YAML ({message})", line, column)


def _document(file: str, number: int, chunk: Chunk, node: Node) -> ParsedDocument | Problem:
    line = chunk.first_line + node.start_mark.line + 1
    refusal = _refusal(node, chunk.first_line)
    if refusal is not None:
        return Problem(file, f"document {number}: {refusal}", line=line)
    try:
        value = SafeConstructor().construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        reason = getattr(error, "problem", None) or str(error).split("\n")[0]
        return Problem(file, f"document {number}: cannot be read ({reason})", line=line)
    except (KeyError, IndexError):
        # SafeConstructor's own failures on a value that does not fit its explicit tag.
        reason = "a value does not fit its explicit tag (such as !!int or !!bool)"
        return Problem(file, f"document {number}: cannot be read ({reason})", line=line)
    item_lines: tuple[int, ...] = ()
    if isinstance(node, MappingNode):
        for key, item in node.value:
            if key.value == "items" and isinstance(item, SequenceNode):
                item_lines = tuple(
                    chunk.first_line + element.start_mark.line + 1 for element in item.value
                )
    return ParsedDocument(file, number, line, value, item_lines)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(YAML_TAG) if tag.startswith(YAML_TAG) else tag


def _refusal(root: Node, first_line: int) -> str | None:
    """Why a document must not be constructed, or None when it is plain data.

    Walks the node graph once without recursion: shared nodes (aliases) are counted, not
    expanded, and the expanded size is computed from per-node sizes.
    """
    open_nodes: set[int] = set()
    sizes: dict[int, int] = {}
    aliases = 0
    stack: list[tuple[Node, Iterator[Node]]] = []

    def enter(node: Node) -> str | None:
        if node.tag == YAML_TAG + "timestamp":
            # Kubernetes reads an unquoted date as a string, so meshkb does too.
            node.tag = YAML_TAG + "str"
        if node.tag not in _PLAIN_TAGS:
            tag = _short_tag(node.tag)
            return f"uses the YAML tag {tag}; meshkb reads plain data and builds no objects"
        if isinstance(node, MappingNode):
            duplicate = _duplicate_key(node, first_line)
            if duplicate is not None:
                return duplicate
        open_nodes.add(id(node))
        stack.append((node, iter(_children(node))))
        if len(stack) > MAX_DEPTH:
            return f"is nested more than {MAX_DEPTH} levels deep"
        return None

    refusal = enter(root)
    while stack and refusal is None:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(part)] for part in _children(node))
            continue
        if id(child) in open_nodes:
            return "refers to itself through a YAML alias"
        if id(child) in sizes:
            aliases += 1
            if aliases > MAX_ALIASES:
                return f"uses YAML aliases more than {MAX_ALIASES} times (alias bomb refused)"
            continue
        refusal = enter(child)
    if refusal is not None:
        return refusal
    growth = sizes[id(root)] - len(sizes)
    if growth > MAX_ALIAS_GROWTH:
        return f"YAML aliases expand it by {growth} nodes (alias bomb refused)"
    return None


def _duplicate_key(node: MappingNode, first_line: int) -> str | None:
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.tag == YAML_TAG + "merge":
            continue
        line = first_line + key.start_mark.line + 1
        if key.value in seen:
            # Kubernetes refuses duplicate keys; PyYAML would silently keep the last one.
            return f"key {key.value!r} appears twice in one mapping (lines {seen[key.value]} and {line})"
        seen[key.value] = line
    return None
