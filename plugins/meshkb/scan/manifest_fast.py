"""The fast path of reading manifests: one libyaml pass, plain values straight from the nodes.

It keeps `meshkb scan` of 10,000 resources under 2 s. Anything unusual (a tag, an alias,
a duplicate key, a parse error) goes to the reference path in `manifest_parse`, and
`tests/scan/test_manifests.py` holds both paths to the same resources and problems.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from meshkb.core.errors import Problem
from meshkb.scan.manifest_parse import (
    MAX_DEPTH,
    SCALARS,
    YAML_TAG,
    Chunk,
    SafeLoader,
    slow_documents,
)
from meshkb.scan.resources import ParsedDocument


# The fast path parses many documents in one libyaml pass. It is taken only for text in
# which every `---` line starts exactly one document and libyaml counts lines as
# `str.split("\n")` does: no `%` directive, no `...` end marker, no line break other than
# LF or CRLF, and no BOM inside the text. Then document N is chunk N, and each document
# is built from the same nodes, at the same lines, as chunk by chunk.
def fast_path_fits(text: str) -> bool:
    # Plain substring tests: one regular expression over megabytes costs far more.
    if text.startswith(("%", "...")) or "\n%" in text or "\n..." in text:
        return False
    if any(char in text for char in "\x85\u2028\u2029\ufeff"):
        return False
    return "\r" not in text or text.count("\r") == text.count("\r\n")


_FAST_RESTARTS = 16
"""Parse errors after which the rest of a file is read chunk by chunk."""


def fast_documents(
    chunks: Sequence[Chunk], file: str, base: int = 0
) -> list[ParsedDocument | Problem]:
    """Documents read in one libyaml pass; anything unusual is read by the slow path.

    `base` is how many documents come before the first chunk (their numbers start after).

    A document that the fast checks do not accept outright (anchors, unusual tags,
    non-string keys, duplicate keys, deep nesting, values the constructor refuses, scalar
    documents) is read again on its own by `slow_documents`, which says exactly what is
    wrong. A parse error sends the chunk it happened in to the slow path, and the fast
    pass starts again after it.
    """
    found: list[ParsedDocument | Problem] = []
    start = 0
    restarts = 0
    while start < len(chunks):
        if restarts > _FAST_RESTARTS:
            found.extend(slow_documents(chunks[start:], file, base + start))
            break
        passed: list[ParsedDocument | Problem] = []
        done = _fast_pass(chunks, start, file, passed, base)
        if done < 0:
            # More documents than chunks: the text is not what the fast path assumes.
            found.extend(slow_documents(chunks[start:], file, base + start))
            break
        found += passed
        if done == len(chunks):
            break
        # chunks[done] could not be parsed in the stream (or was not where expected).
        found.extend(slow_documents(chunks[done : done + 1], file, base + done))
        start = done + 1
        restarts += 1
    return found


def _fast_pass(
    chunks: Sequence[Chunk],
    start: int,
    file: str,
    found: list[ParsedDocument | Problem],
    base: int,
) -> int:
    """Read chunks[start:] in one pass into `found`; returns how many chunks are done.

    -1 means the pass found a document where no chunk starts; `found` is then unusable.
    """
    offset = chunks[start].first_line
    text = "\n".join(chunk.text for chunk in chunks[start:])
    loader = _FastLoader(text)
    index = start
    # A document is kept only once the next one (or the end) is reached: a parse error
    # just after it may lie in its own chunk, which then fails as a whole.
    pending: list[ParsedDocument | Problem] = []
    pending_fast = False
    try:
        while True:
            try:
                more = loader.check_node()
            except yaml.YAMLError:
                if pending_fast:
                    return index - 1
                found += pending  # the slow path read that chunk on its own: it stands
                return index
            found += pending
            if not more:
                return index
            try:
                node = loader.get_node()
            except yaml.YAMLError:
                return index
            if index >= len(chunks):
                return -1  # more documents than chunks: cannot happen, but be safe
            chunk = chunks[index]
            line = offset + node.start_mark.line
            end = chunks[index + 1].first_line if index + 1 < len(chunks) else None
            # An empty document's node is marked where the next document starts.
            last = end if isinstance(node, ScalarNode) else (None if end is None else end - 1)
            if line < chunk.first_line or (last is not None and line > last):
                return index
            # Without `&` there is no anchor, so no alias: the nodes form a tree.
            number = base + index + 1
            document = None if "&" in chunk.text else _fast_document(file, number, node, offset)
            pending_fast = document is not None
            pending = (
                [document]
                if document is not None
                else list(slow_documents((chunk,), file, number - 1))
            )
            index += 1
    finally:
        loader.dispose()


_STR_TAG = YAML_TAG + "str"


_MAP_TAG = YAML_TAG + "map"


_SEQ_TAG = YAML_TAG + "seq"


_NULL_TAG = YAML_TAG + "null"


_TIMESTAMP_TAG = YAML_TAG + "timestamp"


_RECURRING_TAGS = frozenset((YAML_TAG + "int", YAML_TAG + "bool"))


@functools.lru_cache(maxsize=1024)
def _recurring_scalar(tag: str, text: str) -> Any:
    """An int or a bool: few values recur (ports, replicas, true), each constructed once."""
    return SCALARS[tag](ScalarNode(tag, text))


_resolve = SafeLoader.resolve


class _FastLoader(SafeLoader):  # type: ignore[misc]
    """libyaml's safe loader with a cheaper resolver; tags come out the same."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}

    # libyaml's composer calls these two around every node (a million calls for 10,000
    # resources); the safe loader registers no path resolvers, so they have nothing to
    # do. C functions that ignore what they return cost a fraction of a Python method.
    descend_resolver = staticmethod(operator.is_)  # (node, index): a bool, unused
    ascend_resolver = staticmethod(tuple)  # (): the empty tuple, unused

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """BaseResolver.resolve, remembering the tag of each plain scalar text."""
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR_TAG
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = _resolve(self, kind, value, implicit)
            return tag
        return _MAP_TAG if kind is MappingNode else _SEQ_TAG


class _Unusual(Exception):
    """The fast path leaves this document to the slow path."""


def _fast_document(file: str, number: int, node: Node, offset: int) -> ParsedDocument | None:
    """The document built straight from plain nodes, or None to leave it to the slow path.

    Accepts only what `_refusal` and SafeConstructor would accept and build the same way:
    a tree (no anchors, so no aliases) of str/int/float/bool/null/timestamp scalars,
    mappings with distinct plain string keys and sequences, at most MAX_DEPTH deep.
    """
    if isinstance(node, ScalarNode):
        return None  # empty and scalar documents: rare, and their lines need the chunk
    try:
        value = _build(node, 1)
    except (_Unusual, yaml.YAMLError, ValueError, TypeError, OverflowError, KeyError, IndexError):
        return None
    item_lines: tuple[int, ...] = ()
    if isinstance(node, MappingNode):
        for key, item in node.value:
            if key.value == "items" and isinstance(item, SequenceNode):
                for element in item.value:
                    if isinstance(element, ScalarNode) and element.value == "":
                        return None  # an empty item is marked where the next node starts
                item_lines = tuple(offset + element.start_mark.line + 1 for element in item.value)
    return ParsedDocument(file, number, offset + node.start_mark.line + 1, value, item_lines)


def _build(node: Node, depth: int) -> Any:
    if depth >= MAX_DEPTH:
        raise _Unusual
    tag = node.tag
    if tag == _MAP_TAG:
        if not isinstance(node, MappingNode):
            raise _Unusual
        pairs = node.value
        mapping: dict[Any, Any] = {}
        for key, item in pairs:
            if key.tag != _STR_TAG or not isinstance(key, ScalarNode):
                raise _Unusual  # merge keys, non-string keys, complex keys
            if item.tag == _STR_TAG and isinstance(item, ScalarNode):
                mapping[key.value] = item.value
            else:
                mapping[key.value] = _build(item, depth + 1)
        if len(mapping) != len(pairs):
            raise _Unusual  # a duplicate key
        return mapping
    if tag == _SEQ_TAG:
        if not isinstance(node, SequenceNode):
            raise _Unusual
        return [
            item.value
            if item.tag == _STR_TAG and isinstance(item, ScalarNode)
            else _build(item, depth + 1)
            for item in node.value
        ]
    if not isinstance(node, ScalarNode):
        raise _Unusual
    if tag in (_STR_TAG, _TIMESTAMP_TAG):
        # Kubernetes reads an unquoted date as a string, so meshkb does too.
        return node.value
    if tag == _NULL_TAG:
        return None
    if tag in _RECURRING_TAGS:
        return _recurring_scalar(tag, node.value)
    construct = SCALARS.get(tag)
    if construct is None:
        raise _Unusual
    return construct(node)
