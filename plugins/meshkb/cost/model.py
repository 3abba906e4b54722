"""The cost arithmetic: a cluster and the sourced figures -> reserved and used CPU and memory.

The figures come from `cost.figures` (data/cost.yaml); the rounding and the operation order
here are mirrored in meshkb-cost.js.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from meshkb.core.errors import MeshkbError
from meshkb.cost.figures import ControlPlane, CostData, CostInputs, ProxyFigures, load_cost_data

MISSING = "—"
"""How a figure with no verified source is shown."""


MIB_PER_GIB = 1024


BYTES_PER_MB = 1_000_000


BYTES_PER_GIB = 1024**3


@dataclass(frozen=True, slots=True)
class ControlPlaneRow:
    """A control plane's figures for one cluster (they do not grow with pods)."""

    control_plane: ControlPlane
    """The control plane."""
    reserved_cpu_cores: float | None
    """CPU requests of every replica, cores."""
    reserved_memory_gib: float | None
    """Memory requests of every replica, GiB."""
    in_use_cpu_cores: float | None
    """Measured CPU, cores."""
    in_use_memory_gib: float | None
    """Measured memory, GiB."""


@dataclass(frozen=True, slots=True)
class AppRequests:
    """What the application's own containers request, summed over its pods."""

    cpu_cores: float
    """CPU requests, cores."""
    memory_gib: float
    """Memory requests, GiB."""
    floor: bool
    """Some containers request nothing: the sums are a lower bound."""


@dataclass(frozen=True, slots=True)
class CostRow:
    """Overhead of one component for one cluster; None where no figure exists."""

    proxy: ProxyFigures
    """The component and its figures."""
    proxies: int
    """How many of it run."""
    reserved_cpu_cores: float | None
    """CPU requests, cores (unrounded)."""
    reserved_memory_gib: float | None
    """Memory requests, GiB (unrounded)."""
    in_use_cpu_cores: float | None
    """Expected CPU use, cores (unrounded)."""
    in_use_memory_gib: float | None
    """Expected memory use, GiB (unrounded)."""


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """The overhead of each selected component."""

    inputs: CostInputs
    """The cluster priced."""
    rows: tuple[CostRow, ...]
    """One row per component."""
    rounding: str
    """The rounding rule, in words."""
    control_rows: tuple[ControlPlaneRow, ...] = ()
    """The selected meshes' control planes, where a sourced figure exists."""


def tenths(value: float) -> int:
    """Round to tenths, halves up: the one rounding rule (mirrored in meshkb-cost.js)."""
    return math.floor(value * 10 + 0.5)


def format_amount(value: float | None) -> str:
    """`20.0`, `0.1`, or `—` when there is no figure; identical to the JS `format`."""
    if value is None:
        return MISSING
    rounded = tenths(value)
    return f"{rounded // 10}.{rounded % 10}"


def rounded_amount(value: float | None) -> float | None:
    """The rounded value as a number, for JSON."""
    return None if value is None else tenths(value) / 10


def control_plane_row(plane: ControlPlane) -> ControlPlaneRow:
    """A control plane's reserved and measured figures."""
    requests = plane.requests
    memory = plane.in_use_memory_gb
    return ControlPlaneRow(
        control_plane=plane,
        reserved_cpu_cores=plane.replicas * requests.cpu_millicores / 1000 if requests else None,
        reserved_memory_gib=plane.replicas * requests.memory_mib / MIB_PER_GIB
        if requests
        else None,
        in_use_cpu_cores=plane.in_use_cpu_cores,
        in_use_memory_gib=None if memory is None else memory * 1000 * BYTES_PER_MB / BYTES_PER_GIB,
    )


def _count(proxy: ProxyFigures, inputs: CostInputs) -> int:
    if proxy.per == "pod":
        return inputs.pods
    return inputs.nodes if proxy.per == "node" else inputs.waypoints


def cost_row(proxy: ProxyFigures, inputs: CostInputs) -> CostRow:
    """One component's overhead. Keep the operation order: the JS mirrors it exactly."""
    count = _count(proxy, inputs)
    requests, usage = proxy.requests, proxy.usage
    in_use_cpu = None
    if usage is not None and usage.cpu_cores_per_1000_rps is not None:
        in_use_cpu = (
            0.0 if count == 0 else inputs.rps * proxy.hops / 1000 * usage.cpu_cores_per_1000_rps
        )
    in_use_memory = None
    if usage is not None and usage.memory_mb is not None:
        in_use_memory = count * usage.memory_mb * BYTES_PER_MB / BYTES_PER_GIB
    return CostRow(
        proxy=proxy,
        proxies=count,
        reserved_cpu_cores=count * requests.cpu_millicores / 1000 if requests else None,
        reserved_memory_gib=count * requests.memory_mib / MIB_PER_GIB if requests else None,
        in_use_cpu_cores=in_use_cpu,
        in_use_memory_gib=in_use_memory,
    )


MAX_COUNT = 10_000_000
"""Most pods, nodes or waypoints an estimate takes: far beyond the largest clusters
Kubernetes supports (150,000 pods and 5,000 nodes, kubernetes.io "Considerations for large
clusters", checked 2026-12-01), and far below where the arithmetic would overflow."""
MAX_RPS = 1_000_000_000
"""Most requests per second an estimate takes (a finite number: `inf` is refused)."""


def _shown(value: object) -> str:
    """A refused value as a message quotes it: a 400-digit number by its length."""
    text = repr(value)
    return text if len(text) <= 40 else f"a number of {len(text)} digits"


def compute_cost(
    pods: int,
    nodes: int,
    rps: float,
    meshes: Sequence[str] | None = None,
    waypoints: int = 1,
    *,
    data: CostData | None = None,
) -> CostEstimate:
    """Reserved and expected-in-use CPU and memory per mesh/mode.

    `meshes` filters by mesh (`istio`, `linkerd`, `cilium`) or component id
    (`istio-sidecar`, `istio-ztunnel`, `istio-waypoint`, ...); None keeps all.
    """
    data = data or load_cost_data()
    for name, value in (("pods", pods), ("nodes", nodes), ("waypoints", waypoints)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise MeshkbError(
                f"{name} must be a whole number from 0 to {MAX_COUNT:,}, not {_shown(value)}"
            )
    if pods and not nodes:
        raise MeshkbError(f"nodes must be at least 1 for {pods} pods: pods run on nodes")
    if (
        isinstance(rps, bool)
        or not isinstance(rps, (int, float))
        or not 0 <= rps <= MAX_RPS  # also refuses NaN and infinity
    ):
        raise MeshkbError(f"rps must be a number from 0 to {MAX_RPS:,}, not {_shown(rps)}")
    proxies = data.proxies
    planes = data.control_planes
    if meshes is not None:
        known = {p.id for p in proxies} | {p.mesh for p in proxies}
        unknown = [name for name in meshes if name not in known]
        if unknown:
            choices = ", ".join(sorted(known))
            raise MeshkbError(f"unknown mesh {unknown[0]!r}; choose from {choices}")
        proxies = tuple(p for p in proxies if p.id in meshes or p.mesh in meshes)
        planes = tuple(c for c in planes if c.mesh in meshes or c.mesh in {p.mesh for p in proxies})
    inputs = CostInputs(pods, nodes, rps, waypoints)
    return CostEstimate(
        inputs,
        tuple(cost_row(p, inputs) for p in proxies),
        data.rounding,
        tuple(control_plane_row(c) for c in planes),
    )
