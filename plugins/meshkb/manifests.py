"""Kubernetes manifests -> resources, each with where it came from.

Reads files, folders, multi-document YAML, JSON, `kind: List` (what `kubectl get -o yaml`
prints) and stdin. Bad input never stops the read: each bad file or document becomes a
`Problem` naming the file and document, and the rest is still read.

YAML is composed with libyaml's safe parser into nodes first, so a document is checked
(tags, aliases, nesting, duplicate keys) before any Python object is built from it.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import forked
from .errors import Problem

MAX_INPUT_BYTES = 100 * 1024 * 1024
"""Largest file (or stdin) read; larger ones are refused before reading."""
MAX_ALIASES = 100
"""Most alias references one document may make (anchors reused with `*name`)."""
MAX_ALIAS_GROWTH = 10_000
"""Most nodes aliases may add to a document once expanded (billion-laughs guard)."""
MAX_DEPTH = 256
"""Deepest nesting accepted; real Kubernetes objects stay far below it."""
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
"""File endings read when walking a folder (any name is read when given directly)."""
PARALLEL_PARSE_BYTES = 1_000_000
"""Smallest text (in characters) read by two processes (see `forked`)."""
PARSE_PIECES = 32
"""Pieces such a text is read in: two processes share them, as each is free."""
STDIN = "-"
"""The source name that means standard input."""
STDIN_NAME = "<stdin>"
"""How standard input is named in origins and problems."""

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "AdminNetworkPolicy",
        "BaselineAdminNetworkPolicy",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "CiliumClusterwideEnvoyConfig",
        "CiliumClusterwideNetworkPolicy",
        "ClusterNetworkPolicy",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CustomResourceDefinition",
        "FlowSchema",
        "GatewayClass",
        "IPAddress",
        "IngressClass",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "ServiceCIDR",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)
"""Kinds that live outside any namespace."""

KNOWN_KINDS = CLUSTER_SCOPED_KINDS | frozenset(
    {
        # Built-in namespaced kinds.
        "ConfigMap",
        "ControllerRevision",
        "CronJob",
        "CSIStorageCapacity",
        "DaemonSet",
        "Deployment",
        "EndpointSlice",
        "Endpoints",
        "Event",
        "HorizontalPodAutoscaler",
        "Ingress",
        "Job",
        "Lease",
        "LimitRange",
        "NetworkPolicy",
        "PersistentVolumeClaim",
        "Pod",
        "PodDisruptionBudget",
        "PodTemplate",
        "ReplicaSet",
        "ReplicationController",
        "ResourceQuota",
        "Role",
        "RoleBinding",
        "Secret",
        "Service",
        "ServiceAccount",
        "StatefulSet",
        # Mesh, Gateway API and CNI policy kinds a mesh review looks at.
        "AuthorizationPolicy",
        "BackendTLSPolicy",
        "CiliumEnvoyConfig",
        "CiliumNetworkPolicy",
        "DestinationRule",
        "EgressNetwork",
        "EnvoyFilter",
        "GRPCRoute",
        "Gateway",
        "HTTPRoute",
        "MeshTLSAuthentication",
        "NetworkAuthentication",
        "PeerAuthentication",
        "PrometheusRule",  # certificate-expiry alerts (TRP-0017)
        "ProxyConfig",
        "ReferenceGrant",
        "RequestAuthentication",
        "Server",
        "ServerAuthorization",
        "ServiceEntry",
        "ServiceProfile",
        "Sidecar",
        "TCPRoute",
        "TLSRoute",
        "Telemetry",
        "TrafficExtension",
        "UDPRoute",
        "VirtualService",
        "WasmPlugin",
        "WorkloadEntry",
        "WorkloadGroup",
    }
)
"""Kinds meshkb reads; any other kind is reported as not checked."""

_YAML_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(
    _YAML_TAG + name
    for name in ("null", "bool", "int", "float", "str", "timestamp", "map", "seq", "merge")
)
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a resource was written."""

    file: str
    """Path as the user gave it (folder path joined with the file's), or `<stdin>`."""
    document: int
    """1-based document number in the file, counting `---` separators."""
    line: int
    """1-based line where the document (or the List item) starts."""
    item: int | None = None
    """1-based position inside a `kind: List` document, when it came from one."""

    def __str__(self) -> str:
        where = f"{self.file} document {self.document}"
        if self.item is not None:
            where += f" item {self.item}"
        return f"{where}, line {self.line}"


@dataclass(frozen=True, slots=True)
class Resource:
    """One Kubernetes object as written in a manifest."""

    api_version: str
    """`apiVersion`, e.g. `apps/v1`."""
    kind: str
    """`kind`, e.g. `Deployment`."""
    name: str
    """`metadata.name` (or `metadata.generateName` followed by `*`)."""
    namespace: str | None
    """`metadata.namespace` as written; None when the manifest leaves it out."""
    body: Mapping[str, Any]
    """The whole object, as plain dicts, lists and scalars."""
    origin: Origin
    """File, document and line it came from."""

    @property
    def cluster_scoped(self) -> bool:
        """True for kinds that live outside namespaces (Namespace, ClusterRole, ...)."""
        return self.kind in CLUSTER_SCOPED_KINDS

    @property
    def effective_namespace(self) -> str | None:
        """The namespace kubectl would use: as written, else `default`; None if cluster-scoped."""
        if self.cluster_scoped:
            return None
        return self.namespace or "default"

    @property
    def ref(self) -> str:
        """How people name it: `Deployment default/reviews-v1`, `Namespace emojivoto`."""
        if self.effective_namespace is None:
            return f"{self.kind} {self.name}"
        return f"{self.kind} {self.effective_namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class ManifestSet:
    """Everything read from the inputs."""

    resources: tuple[Resource, ...]
    """Resources of known kinds, in input order."""
    problems: tuple[Problem, ...]
    """Bad files and documents; each was skipped and the rest still read."""
    notices: tuple[Problem, ...] = ()
    """Things worth saying that are not errors, e.g. a kind that is not checked."""
    inputs_read: int = 0
    """How many files (or stdin) could be read as text at all."""

    def __add__(self, other: ManifestSet) -> ManifestSet:
        return ManifestSet(
            resources=self.resources + other.resources,
            problems=self.problems + other.problems,
            notices=self.notices + other.notices,
            inputs_read=self.inputs_read + other.inputs_read,
        )


def read_manifests(
    sources: Sequence[str | os.PathLike[str]], *, stdin: IO[bytes] | IO[str] | None = None
) -> ManifestSet:
    """Read files, folders (recursively, sorted) and `-` (stdin) into one `ManifestSet`."""
    result = ManifestSet((), ())
    for source in sources:
        if str(source) == STDIN:
            result += _read_stdin(stdin)
            continue
        path = Path(source)
        if path.is_dir():
            files = _manifest_files(path)
            if not files:
                message = "no .yaml, .yml or .json files in this folder"
                result += ManifestSet((), (Problem(str(source), message),))
            for file in files:
                result += _read_file(file)
        else:
            result += _read_file(path)
    return result


def parse_manifests(data: bytes | str, file: str) -> ManifestSet:
    """Parse one file's content; never raises for bad content, returns problems instead."""
    if isinstance(data, bytes):
        text_or_problem = _decode(data, file)
        if isinstance(text_or_problem, Problem):
            return ManifestSet((), (text_or_problem,))
        text = text_or_problem
    else:
        text = data.removeprefix("\ufeff")
        if "\x00" in text:
            return ManifestSet((), (Problem(file, _BINARY_MESSAGE),))
    with gc_paused():
        chunks = _split(text)
        if not _fast_path_fits(text):
            found = _collected(_slow_documents(chunks, file))
        elif len(chunks) > 1 and forked.wanted(len(text), PARALLEL_PARSE_BYTES):
            found = _shared_documents(chunks, file)
        else:
            found = _collected(_fast_documents(chunks, file))
    return ManifestSet(found.resources, found.problems, found.notices, inputs_read=1)


def _shared_documents(chunks: Sequence[_Chunk], file: str) -> ManifestSet:
    """What `_fast_documents` reads, read by two processes, piece by piece (see `forked`).

    Each piece is a run of whole chunks, its documents numbered as in the whole text.
    """
    pieces = _pieces(chunks, PARSE_PIECES)

    def read(piece: int) -> ManifestSet:
        start, end = pieces[piece]
        return _collected(_fast_documents(chunks[start:end], file, start))

    found = forked.share(len(pieces), read, pack=_packed, unpack=_unpacked)
    return ManifestSet(
        tuple(resource for part in found for resource in part.resources),
        tuple(problem for part in found for problem in part.problems),
        tuple(notice for part in found for notice in part.notices),
    )


def _pieces(chunks: Sequence[_Chunk], count: int) -> list[tuple[int, int]]:
    """(start, end) of up to `count` runs of chunks, of about equal length, in order."""
    total = sum(len(chunk.text) for chunk in chunks)
    pieces: list[tuple[int, int]] = []
    start = done = 0
    for index, chunk in enumerate(chunks):
        done += len(chunk.text)
        if done * count >= total * (len(pieces) + 1) or index == len(chunks) - 1:
            pieces.append((start, index + 1))
            start = index + 1
    return pieces


def _collected(documents: Iterable[_Document | Problem]) -> ManifestSet:
    """The resources of these documents, and what is wrong with the others."""
    resources: list[Resource] = []
    problems: list[Problem] = []
    notices: list[Problem] = []
    for document in documents:
        if isinstance(document, Problem):
            problems.append(document)
            continue
        _collect_resources(document, resources, problems, notices)
    return ManifestSet(tuple(resources), tuple(problems), tuple(notices))


_Packed = tuple[list[tuple[Any, ...]], tuple[Problem, ...], tuple[Problem, ...]]


def _packed(found: ManifestSet) -> _Packed:
    """The set as plain tuples: pickled and unpickled much faster than the classes."""
    resources = [
        (r.api_version, r.kind, r.name, r.namespace, r.body, *_origin_fields(r.origin))
        for r in found.resources
    ]
    return resources, found.problems, found.notices


def _origin_fields(origin: Origin) -> tuple[str, int, int, int | None]:
    return origin.file, origin.document, origin.line, origin.item


def _unpacked(packed: _Packed) -> ManifestSet:
    resources, problems, notices = packed
    return ManifestSet(
        tuple(
            Resource(api_version, kind, name, namespace, body, Origin(file, document, line, item))
            for api_version, kind, name, namespace, body, file, document, line, item in resources
        ),
        problems,
        notices,
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many lasting objects are built.

    Reading 10,000 documents makes millions of objects that all stay alive; each full
    collection on the way scans every one of them again (most of the parse time). No
    cycle is made here that reference counting would not free. Collection resumes
    afterwards, with everything made meanwhile counted as old (scanned only by the rare
    full collections).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What was made is there to stay: move it straight to the oldest generation,
            # or the next young collection would scan every object made here once more.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _manifest_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    # Hidden folders (.git, .terraform, ...) hold no manifests meant for the cluster.
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in files:
            if not name.startswith(".") and name.lower().endswith(MANIFEST_SUFFIXES):
                found.append(Path(root) / name)
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())


def _read_file(path: Path) -> ManifestSet:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            return ManifestSet((), (Problem(name, _too_big_message(size)),))
        with path.open("rb") as handle:
            # Read one byte past the limit: a FIFO or a growing file reports no true size.
            data = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        return ManifestSet((), (Problem(name, "no such file or folder"),))
    except OSError as error:
        return ManifestSet((), (Problem(name, f"cannot be read: {error.strerror or error}"),))
    if len(data) > MAX_INPUT_BYTES:
        return ManifestSet((), (Problem(name, _too_big_message(len(data))),))
    return parse_manifests(data, name)


def _read_stdin(stdin: IO[bytes] | IO[str] | None) -> ManifestSet:
    if stdin is None:
        return ManifestSet((), (Problem(STDIN_NAME, "no standard input to read"),))
    data = stdin.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        return ManifestSet((), (Problem(STDIN_NAME, _too_big_message(len(data))),))
    return parse_manifests(data, STDIN_NAME)


def _too_big_message(size: int) -> str:
    return f"is {size} bytes; meshkb reads inputs of at most {MAX_INPUT_BYTES} bytes (100 MiB)"


_BINARY_MESSAGE = "contains NUL bytes: binary data (or UTF-16 text), not a UTF-8 manifest"


def _decode(data: bytes, file: str) -> str | Problem:
    if b"\x00" in data:
        return Problem(file, _BINARY_MESSAGE)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        return Problem(file, f"is not valid UTF-8 (byte 0x{bad})", line=line, column=column)


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Lines of the text between two `---` markers."""

    first_line: int
    """0-based line where the chunk starts in the whole text."""
    text: str
    """The chunk's lines, its `---` marker included."""
    marked: bool
    """Whether the chunk starts with a `---` marker."""


@dataclass(frozen=True, slots=True)
class _Document:
    """One parsed document, before it is checked as a Kubernetes object."""

    file: str
    """Where it came from."""
    number: int
    """1-based document number."""
    line: int
    """1-based line of its first node."""
    value: Any
    """The constructed value."""
    item_lines: tuple[int, ...]
    """1-based line of each element of a top-level `items` list (for `kind: List`)."""


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


def _split(text: str) -> list[_Chunk]:
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
        chunks.append(_Chunk(line, text[start:end], index > 0 or opens_with_marker))
    first = chunks[0]
    if len(chunks) > 1 and not first.marked and _is_preamble(first.text):
        # Comments before the first `---` are no document; `%` directives belong to it.
        chunks.pop(0)
        if "%" in first.text:
            second = chunks.pop(0)
            chunks.insert(0, _Chunk(first.first_line, first.text + "\n" + second.text, True))
    return chunks


def _slow_documents(
    chunks: Sequence[_Chunk], file: str, number: int = 0
) -> Iterator[_Document | Problem]:
    """Compose each chunk on its own: the reference path, which also locates problems."""
    for chunk in chunks:
        number += 1
        try:
            nodes = list(yaml.compose_all(chunk.text, Loader=_SafeLoader))
        except yaml.YAMLError as error:
            yield _document_problem(file, number, chunk, error)
            continue
        for offset, node in enumerate(nodes):
            yield _document(file, number + offset, chunk, node)
        number += max(len(nodes) - 1, 0)


# The fast path parses many documents in one libyaml pass. It is taken only for text in
# which every `---` line starts exactly one document and libyaml counts lines as
# `str.split("\n")` does: no `%` directive, no `...` end marker, no line break other than
# LF or CRLF, and no BOM inside the text. Then document N is chunk N, and each document
# is built from the same nodes, at the same lines, as chunk by chunk.
def _fast_path_fits(text: str) -> bool:
    # Plain substring tests: one regular expression over megabytes costs far more.
    if text.startswith(("%", "...")) or "\n%" in text or "\n..." in text:
        return False
    if any(char in text for char in "\x85\u2028\u2029\ufeff"):
        return False
    return "\r" not in text or text.count("\r") == text.count("\r\n")


_FAST_RESTARTS = 16
"""Parse errors after which the rest of a file is read chunk by chunk."""


def _fast_documents(
    chunks: Sequence[_Chunk], file: str, base: int = 0
) -> list[_Document | Problem]:
    """Documents read in one libyaml pass; anything unusual is read by the slow path.

    `base` is how many documents come before the first chunk (their numbers start after).

    A document that the fast checks do not accept outright (anchors, unusual tags,
    non-string keys, duplicate keys, deep nesting, values the constructor refuses, scalar
    documents) is read again on its own by `_slow_documents`, which says exactly what is
    wrong. A parse error sends the chunk it happened in to the slow path, and the fast
    pass starts again after it.
    """
    found: list[_Document | Problem] = []
    start = 0
    restarts = 0
    while start < len(chunks):
        if restarts > _FAST_RESTARTS:
            found.extend(_slow_documents(chunks[start:], file, base + start))
            break
        passed: list[_Document | Problem] = []
        done = _fast_pass(chunks, start, file, passed, base)
        if done < 0:
            # More documents than chunks: the text is not what the fast path assumes.
            found.extend(_slow_documents(chunks[start:], file, base + start))
            break
        found += passed
        if done == len(chunks):
            break
        # chunks[done] could not be parsed in the stream (or was not where expected).
        found.extend(_slow_documents(chunks[done : done + 1], file, base + done))
        start = done + 1
        restarts += 1
    return found


def _fast_pass(
    chunks: Sequence[_Chunk], start: int, file: str, found: list[_Document | Problem], base: int
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
    pending: list[_Document | Problem] = []
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
                else list(_slow_documents((chunk,), file, number - 1))
            )
            index += 1
    finally:
        loader.dispose()


_STR_TAG = _YAML_TAG + "str"
_MAP_TAG = _YAML_TAG + "map"
_SEQ_TAG = _YAML_TAG + "seq"
_NULL_TAG = _YAML_TAG + "null"
_TIMESTAMP_TAG = _YAML_TAG + "timestamp"
_resolve = _SafeLoader.resolve


class _FastLoader(_SafeLoader):  # type: ignore[misc]
    """libyaml's safe loader with a cheaper resolver; tags come out the same."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers are registered on the safe loader: nothing to track."""

    def ascend_resolver(self) -> None:
        """See `descend_resolver`."""

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


_constructor = SafeConstructor()
_SCALARS: dict[str, Any] = {
    _YAML_TAG + "int": _constructor.construct_yaml_int,
    _YAML_TAG + "float": _constructor.construct_yaml_float,
    _YAML_TAG + "bool": _constructor.construct_yaml_bool,
}


def _fast_document(file: str, number: int, node: Node, offset: int) -> _Document | None:
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
    return _Document(file, number, offset + node.start_mark.line + 1, value, item_lines)


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
    construct = _SCALARS.get(tag)
    if construct is None:
        raise _Unusual
    return construct(node)


def _document_problem(file: str, number: int, chunk: _Chunk, error: yaml.YAMLError) -> Problem:
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


def _document(file: str, number: int, chunk: _Chunk, node: Node) -> _Document | Problem:
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
    return _Document(file, number, line, value, item_lines)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


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
        if node.tag == _YAML_TAG + "timestamp":
            # Kubernetes reads an unquoted date as a string, so meshkb does too.
            node.tag = _YAML_TAG + "str"
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
        if not isinstance(key, ScalarNode) or key.tag == _YAML_TAG + "merge":
            continue
        line = first_line + key.start_mark.line + 1
        if key.value in seen:
            # Kubernetes refuses duplicate keys; PyYAML would silently keep the last one.
            return f"key {key.value!r} appears twice in one mapping (lines {seen[key.value]} and {line})"
        seen[key.value] = line
    return None


def _kind_of_value(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "not a mapping"


def _collect_resources(
    document: _Document,
    resources: list[Resource],
    problems: list[Problem],
    notices: list[Problem],
) -> None:
    value = document.value
    where = f"document {document.number}"
    if value is None:
        return
    if not isinstance(value, dict):
        message = f"{where}: is {_kind_of_value(value)}, not a Kubernetes object (a mapping)"
        problems.append(Problem(document.file, message, line=document.line))
        return
    kind = value.get("kind")
    if isinstance(kind, str) and _is_list_kind(kind, value):
        _collect_list_items(document, value, kind, resources, problems, notices)
        return
    origin = Origin(document.file, document.number, document.line)
    _collect_one(value, origin, where, resources, problems, notices)


def _is_list_kind(kind: str, value: Mapping[str, Any]) -> bool:
    return kind == "List" or (kind.endswith("List") and isinstance(value.get("items"), list))


def _collect_list_items(
    document: _Document,
    value: Mapping[str, Any],
    kind: str,
    resources: list[Resource],
    problems: list[Problem],
    notices: list[Problem],
) -> None:
    items = value.get("items")
    if items is None:
        return
    if not isinstance(items, list):
        message = f"document {document.number}: {kind}.items is not a list"
        problems.append(Problem(document.file, message, line=document.line))
        return
    # `kubectl get deployments -o json` prints a DeploymentList whose items leave out
    # kind and apiVersion; they follow from the list's own.
    item_kind = kind.removesuffix("List") if kind != "List" else None
    list_api_version = value.get("apiVersion")
    for index, item in enumerate(items, start=1):
        line = document.item_lines[index - 1] if index <= len(document.item_lines) else None
        origin = Origin(document.file, document.number, line or document.line, index)
        where = f"document {document.number}: item {index}"
        if not isinstance(item, dict):
            message = f"{where}: is {_kind_of_value(item)}, not a Kubernetes object (a mapping)"
            problems.append(Problem(document.file, message, line=origin.line))
            continue
        if item_kind is not None and "kind" not in item:
            item = {"kind": item_kind, **item}
        if isinstance(list_api_version, str) and "apiVersion" not in item:
            item = {"apiVersion": list_api_version, **item}
        nested = item.get("kind")
        if isinstance(nested, str) and _is_list_kind(nested, item):
            message = f"{where}: is a {nested} inside a List; meshkb reads one level of List"
            problems.append(Problem(document.file, message, line=origin.line))
            continue
        _collect_one(item, origin, where, resources, problems, notices)


def _collect_one(
    value: Mapping[str, Any],
    origin: Origin,
    where: str,
    resources: list[Resource],
    problems: list[Problem],
    notices: list[Problem],
) -> None:
    resource_or_problem = _resource(value, origin)
    if isinstance(resource_or_problem, str):
        message = f"{where}: {resource_or_problem}"
        problems.append(Problem(origin.file, message, line=origin.line))
    elif resource_or_problem.kind not in KNOWN_KINDS:
        resource = resource_or_problem
        message = (
            f"{where}: {resource.ref} ({resource.api_version}) is not checked: "
            "meshkb does not know this kind"
        )
        notices.append(Problem(origin.file, message, line=origin.line))
    else:
        resources.append(resource_or_problem)


def _resource(value: Mapping[str, Any], origin: Origin) -> Resource | str:
    """The resource, or what keeps the object from being one."""
    kind = value.get("kind")
    api_version = value.get("apiVersion")
    metadata = value.get("metadata")
    if kind is None:
        return "has no kind"
    if not isinstance(kind, str) or not kind:
        return "kind is not a non-empty string"
    if api_version is None:
        return f"{kind} has no apiVersion"
    if not isinstance(api_version, str):
        return f"{kind} apiVersion is not a string"
    if metadata is None:
        return f"{kind} has no metadata"
    if not isinstance(metadata, dict):
        return f"{kind} metadata is not a mapping"
    name = metadata.get("name")
    generate_name = metadata.get("generateName")
    if name is None and isinstance(generate_name, str) and generate_name:
        name = generate_name + "*"
    if name is None or name == "":
        return f"{kind} has no metadata.name"
    if not isinstance(name, str):
        return f"{kind} metadata.name is not a string"
    namespace = metadata.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        return f"{kind} {name}: metadata.namespace is not a string"
    return Resource(api_version, kind, name, namespace or None, value, origin)
