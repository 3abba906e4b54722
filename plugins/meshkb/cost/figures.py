"""The sourced per-proxy figures of data/cost.yaml, read into frozen dataclasses.

Only reading and checking the file lives here; `cost.model` does the arithmetic.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.yaml_policy import load_yaml_text

COST_DATA_PATH = Path(__file__).resolve().parents[1] / "data" / "cost.yaml"
"""The sourced per-proxy figures."""


COST_FORMAT = "meshkb/cost/v1"
"""Format tag of cost.yaml and of the JSON output."""


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
