"""The cost model: sourced per-proxy figures (data/cost.yaml) -> reserved and used CPU and memory."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.yaml_policy import load_yaml_text

COST_DATA_PATH = Path(__file__).resolve().parents[1] / "data" / "cost.yaml"
"""The sourced per-proxy figures."""


COST_FORMAT = "meshkb/cost/v1"
"""Format tag of cost.yaml and of the JSON output."""


MISSING = "—"
"""How a figure with no verified source is shown."""


MIB_PER_GIB = 1024


BYTES_PER_MB = 1_000_000


BYTES_PER_GIB = 1024**3


Per = Literal["pod", "node", "waypoint"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a figure comes from."""

    title: str
    """What the source is."""
    url: str
    """Where to read it."""
    as_of: str
    """The version or date the figure holds for."""


@dataclass(frozen=True, slots=True)
class ProxyRequests:
    """Default resource requests of one proxy: what the scheduler reserves."""

    cpu_millicores: float
    """CPU request in millicores (100 = 100m)."""
    memory_mib: float
    """Memory request in Mi."""
    source: Source
    """Where the defaults are set."""


@dataclass(frozen=True, slots=True)
class ProxyUsage:
    """Measured use of one proxy."""

    cpu_cores_per_1000_rps: float | None
    """vCPU per 1000 requests per second through the proxy; None if not published."""
    memory_mb: float | None
    """Memory in MB (10^6 bytes) per proxy; None if not published."""
    source: Source
    """The measurement."""


@dataclass(frozen=True, slots=True)
class ProxyFigures:
    """One mesh data-plane component and its figures."""

    id: str
    """Stable id, e.g. `istio-sidecar`."""
    label: str
    """Name shown to people."""
    mesh: str
    """istio, linkerd or cilium."""
    per: Per
    """One proxy per pod, per node, or per waypoint."""
    hops: int
    """Proxies of this kind one in-mesh request passes through."""
    requests: ProxyRequests | None
    """Default requests; None when no verified figure exists."""
    usage: ProxyUsage | None
    """Measured use; None when no figure exists."""
    about: Source | None
    """Source for the component itself when it has no figures."""
    notes: tuple[str, ...]
    """What a reader must know about these figures."""

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source behind the row, without repeats."""
        found = [
            s
            for s in (
                self.requests and self.requests.source,
                self.usage and self.usage.source,
                self.about,
            )
            if s
        ]
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class ControlPlane:
    """A mesh's control plane: one set per cluster, sized by its own chart values."""

    id: str
    """Stable id, e.g. `istiod`."""
    label: str
    """Name shown to people."""
    mesh: str
    """istio, linkerd or cilium."""
    replicas: int
    """Replicas of the default install."""
    requests: ProxyRequests | None
    """Requests of one replica; None when no verified figure exists."""
    in_use_cpu_cores: float | None
    """Measured CPU of the whole control plane, cores (under the source's load)."""
    in_use_memory_gb: float | None
    """Measured memory of the whole control plane, GB (10^9 bytes)."""
    usage_source: Source | None
    """The measurement, with the load it was taken under in its title."""
    notes: tuple[str, ...]
    """What a reader must know about these figures."""

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source behind the row, without repeats."""
        found = [s for s in (self.requests and self.requests.source, self.usage_source) if s]
        return tuple(dict.fromkeys(found))


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
class CostInputs:
    """The cluster being priced."""

    pods: int
    """Meshed pods."""
    nodes: int
    """Nodes running them."""
    rps: float
    """Mesh-wide requests per second between meshed workloads."""
    waypoints: int
    """Istio ambient waypoint proxies."""


@dataclass(frozen=True, slots=True)
class ChartSettings:
    """The cluster sizes the chart spans."""

    max_pods: int
    """Right end of the x axis."""
    min_pods: int
    """Left end of the (logarithmic) x axis."""
    pods_per_node: int
    """Fixed ratio used to derive nodes from pods."""


@dataclass(frozen=True, slots=True)
class CostData:
    """Everything in cost.yaml."""

    proxies: tuple[ProxyFigures, ...]
    """The components, in display order."""
    rounding: str
    """The rounding rule, in words."""
    example: CostInputs
    """The worked example (also the calculator's starting values)."""
    chart: ChartSettings
    """Chart settings."""
    control_planes: tuple[ControlPlane, ...] = ()
    """Control planes with a sourced figure, in display order."""


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


def _source(data: Mapping[str, Any], as_of: str) -> Source:
    return Source(str(data["title"]), str(data["url"]), as_of)


def _proxy(data: Mapping[str, Any]) -> ProxyFigures:
    requests = data.get("requests")
    usage = data.get("usage")
    about = data.get("about")
    return ProxyFigures(
        id=str(data["id"]),
        label=str(data["label"]),
        mesh=str(data["mesh"]),
        per=data["per"],
        hops=int(data["hops"]),
        requests=ProxyRequests(
            requests["cpu_millicores"],
            requests["memory_mib"],
            _source(requests["source"], str(requests["as_of"])),
        )
        if requests
        else None,
        usage=ProxyUsage(
            usage.get("cpu_cores_per_1000_rps"),
            usage.get("memory_mb"),
            _source(usage["source"], str(usage["as_of"])),
        )
        if usage
        else None,
        about=_source(about["source"], str(about["as_of"])) if about else None,
        notes=tuple(" ".join(str(note).split()) for note in data.get("notes", [])),
    )


def _control_plane(data: Mapping[str, Any]) -> ControlPlane:
    requests = data.get("requests")
    usage = data.get("usage")
    return ControlPlane(
        id=str(data["id"]),
        label=str(data["label"]),
        mesh=str(data["mesh"]),
        replicas=int(data["replicas"]),
        requests=ProxyRequests(
            requests["cpu_millicores"],
            requests["memory_mib"],
            _source(requests["source"], str(requests["as_of"])),
        )
        if requests
        else None,
        in_use_cpu_cores=usage.get("cpu_cores") if usage else None,
        in_use_memory_gb=usage.get("memory_gb") if usage else None,
        usage_source=_source(usage["source"], str(usage["as_of"])) if usage else None,
        notes=tuple(" ".join(str(note).split()) for note in data.get("notes", [])),
    )


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


def load_cost_data(text: str | None = None, file: str = "cost.yaml") -> CostData:
    """Parse cost.yaml (the packaged one when `text` is None; read once per process)."""
    if text is None:
        return _packaged_cost_data()
    return _parse_cost_data(text, file)


@functools.cache
def _packaged_cost_data() -> CostData:
    return _parse_cost_data(COST_DATA_PATH.read_text(encoding="utf-8"), "cost.yaml")


def _parse_cost_data(text: str, file: str) -> CostData:
    data = load_yaml_text(text, file).data  # located errors; libyaml, so ~10x faster
    try:
        if not isinstance(data, dict) or data.get("format") != COST_FORMAT:
            raise MeshkbError(Problem(file, f"is not a {COST_FORMAT} file"))
        example, chart = data["example"], data["chart"]
        return CostData(
            proxies=tuple(_proxy(proxy) for proxy in data["proxies"]),
            rounding=" ".join(str(data["rounding"]).split()),
            example=CostInputs(
                example["pods"], example["nodes"], example["rps"], example["waypoints"]
            ),
            chart=ChartSettings(chart["max_pods"], chart["min_pods"], chart["pods_per_node"]),
            control_planes=tuple(_control_plane(c) for c in data.get("control_planes", [])),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise MeshkbError(Problem(file, f"cannot be read: {error!r}")) from None


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
