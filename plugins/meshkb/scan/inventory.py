"""The inventory a probe runs over: resources by kind, namespaces, owners."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from meshkb.scan.access import namespace_name, same_value
from meshkb.scan.probe_model import Inventory, Selector, Subject
from meshkb.scan.resources import Resource


def build_inventory(resources: Sequence[Resource]) -> Inventory:
    """Index resources once for all the probes of a scan."""
    namespaces: dict[str, Resource] = {}
    for resource in resources:
        if resource.kind == "Namespace":
            namespaces.setdefault(resource.name, resource)
    implied: dict[str, Subject] = {}
    for resource in resources:
        name = resource.effective_namespace
        if name is not None and name not in namespaces and name not in implied:
            stand_in = Resource(
                api_version="v1",
                kind="Namespace",
                name=name,
                namespace=None,
                body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                origin=resource.origin,
            )
            implied[name] = Subject(stand_in, implied_by=resource)
    controlled = controlled_positions(resources)
    by_kind: dict[str, list[int]] = {}
    by_namespace: dict[str, list[Resource]] = {}
    for position, resource in enumerate(resources):
        by_kind.setdefault(resource.kind, []).append(position)
        name = resource.effective_namespace
        if name is not None:
            by_namespace.setdefault(name, []).append(resource)
    return Inventory(
        tuple(resources),
        namespaces,
        tuple(implied.values()),
        controlled,
        by_kind={kind: tuple(positions) for kind, positions in by_kind.items()},
        by_namespace={name: tuple(found) for name, found in by_namespace.items()},
        subjects=tuple(Subject(resource) for resource in resources),
    )


def controlled_positions(resources: Sequence[Resource]) -> frozenset[int]:
    """Positions of the resources whose controller (ownerReferences) is also in the input."""
    present = {(r.kind, r.effective_namespace, r.name) for r in resources}
    return frozenset(
        position
        for position, resource in enumerate(resources)
        if _controller_present(resource, present)
    )


def _controller_present(resource: Resource, present: set[tuple[str, str | None, str]]) -> bool:
    """True when the resource's controller is in the input too.

    `kubectl get all -o yaml` prints a Deployment, its ReplicaSets and their Pods; counting
    each would report one workload three times.
    """
    metadata = resource.body.get("metadata")
    owners = metadata.get("ownerReferences") if isinstance(metadata, dict) else None
    if not isinstance(owners, list):
        return False
    for owner in owners:
        if isinstance(owner, dict) and owner.get("controller") is True:
            kind, name = owner.get("kind"), owner.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                namespaced = (kind, resource.effective_namespace, name) in present
                if namespaced or (kind, None, name) in present:
                    return True
    return False


def select_subjects(selector: Selector, inventory: Inventory) -> list[Subject]:
    """Resources (and implied namespaces) the selector picks, in input order.

    A resource whose controller is also in the input is left out: the controller stands
    for it.
    """
    if inventory.by_kind is None:
        positions: Iterable[int] = range(len(inventory.resources))
    else:
        # Only the selected kinds, still in input order.
        chosen = [inventory.by_kind.get(kind, ()) for kind in dict.fromkeys(selector.kinds)]
        positions = chosen[0] if len(chosen) == 1 else sorted(p for part in chosen for p in part)
    made = inventory.subjects
    if made is None:
        made = tuple(Subject(resource) for resource in inventory.resources)
    controlled = inventory.controlled
    subjects = [made[position] for position in positions if position not in controlled]
    if "Namespace" in selector.kinds:
        subjects += inventory.implied_namespaces
    return [s for s in subjects if selector_matches(selector, s)]


def selector_matches(selector: Selector, subject: Subject) -> bool:
    """Whether the subject has a selected kind, namespace, name, labels and annotations."""
    resource = subject.resource
    if resource.kind not in selector.kinds:
        return False
    if selector.namespaces and namespace_name(resource) not in selector.namespaces:
        return False
    if selector.names and resource.name not in selector.names:
        return False
    if (selector.labels or selector.annotations) and subject.implied_by is not None:
        return False  # a namespace that is not in the input shows no labels
    for key, wanted in selector.labels.items():
        if not same_value(_metadata_map(resource, "labels").get(key), wanted):
            return False
    for key, wanted in selector.annotations.items():
        if not same_value(_metadata_map(resource, "annotations").get(key), wanted):
            return False
    return True


def _metadata_map(resource: Resource, key: str) -> dict[str, Any]:
    metadata = resource.body.get("metadata")
    value = metadata.get(key) if isinstance(metadata, dict) else None
    return value if isinstance(value, dict) else {}


def kinds_text(kinds: Sequence[str]) -> str:
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
