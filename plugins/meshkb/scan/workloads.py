"""What the workloads in manifests ask for: pods, nodes and the app's own requests.

Each pod is counted once: a ReplicaSet or Pod whose controller is also in the input
(`kubectl get all -o yaml` prints a Deployment, its ReplicaSets and their Pods) is part
of that controller's count, as the probes skip it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from meshkb.scan.inventory import controlled_positions
from meshkb.scan.probe_model import POD_TEMPLATE_AT
from meshkb.scan.probe_parse import parse_quantity
from meshkb.scan.resources import Resource

REPLICATED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
"""Kinds whose pod count is `spec.replicas` (1 when unset)."""


@dataclass(frozen=True, slots=True)
class WorkloadCount:
    """Pods, nodes and requests of the long-running workloads in the input."""

    pods: int
    """Pods the workloads ask for (DaemonSets: one per Node object in the input)."""
    nodes: int | None
    """Node objects in the input; None when there are none."""
    cpu_millicores: Decimal
    """The app containers' CPU requests over every pod, in millicores."""
    memory_mib: Decimal
    """The app containers' memory requests over every pod, in Mi."""
    containers: int
    """Containers counted (one per container per pod template)."""
    without_requests: int
    """Of those, containers that request no CPU or no memory: the sums are then a floor."""


def count_workloads(resources: Sequence[Resource]) -> WorkloadCount:
    """Pods, nodes and app requests, each pod once (see the module's note)."""
    controlled = controlled_positions(resources)
    nodes = sum(1 for r in resources if r.kind == "Node")
    pods = 0
    cpu = memory = Decimal(0)
    containers = without = 0
    for position, resource in enumerate(resources):
        if position in controlled:
            continue
        replicas = _replicas(resource, nodes)
        if replicas is None:
            continue
        pods += replicas
        for container in _containers(resource):
            containers += 1
            requests = container.get("resources", {}) if isinstance(container, dict) else {}
            requests = requests.get("requests") if isinstance(requests, dict) else None
            requests = requests if isinstance(requests, dict) else {}
            asked_cpu = parse_quantity(requests.get("cpu"))
            asked_memory = parse_quantity(requests.get("memory"))
            if asked_cpu is None or asked_memory is None:
                without += 1
            cpu += replicas * (asked_cpu or 0) * 1000
            memory += replicas * (asked_memory or 0) / Decimal(2**20)
    return WorkloadCount(pods, nodes or None, cpu, memory, containers, without)


def _replicas(resource: Resource, nodes: int) -> int | None:
    spec = resource.body.get("spec") or {}
    if resource.kind in REPLICATED_KINDS:
        replicas = spec.get("replicas", 1) if isinstance(spec, dict) else 1
        return replicas if isinstance(replicas, int) and replicas >= 0 else 1
    if resource.kind == "Pod":
        return 1
    if resource.kind == "DaemonSet":
        return nodes
    return None


def _containers(resource: Resource) -> list[Any]:
    """The pod template's containers, and init containers that run beside them (sidecars)."""
    spec: Any = resource.body
    for key in (*POD_TEMPLATE_AT.get(resource.kind, ()), "spec"):
        spec = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(spec, dict):
        return []
    found = [c for c in spec.get("containers") or () if isinstance(c, dict)]
    found += [
        c
        for c in spec.get("initContainers") or ()
        if isinstance(c, dict) and c.get("restartPolicy") == "Always"
    ]
    return found
