"""Kubernetes resources as read from manifests, with where each came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meshkb.core.errors import Problem

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

    def __reduce__(self) -> tuple[type[Origin], tuple[str, int, int, int | None]]:
        # Pickled by field, not through copyreg's slot state: a large scan's forked child
        # sends back tens of thousands of these (see scan/forked.py).
        return Origin, (self.file, self.document, self.line, self.item)

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


def collect_resources(
    document: ParsedDocument,
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
    document: ParsedDocument,
    value: Mapping[str, Any],
    kind: str,
    resources: list[Resource],
    problems: list[Problem],
    notices: list[Problem],
) -> None:
    # The same checks as collect_resources', one level down: on the list's `items`.
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


@dataclass(frozen=True, slots=True)
class ParsedDocument:
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
