"""Synthetic inputs for the benchmark: checklists, filled reports and Kubernetes manifests.

Everything is generated from templates with plain string formatting (no YAML dumper), so
generating a 10,000-item checklist costs far less than loading it. The checklists are
valid against `meshkb/checklist/v1`; `run.py` loads them through the real loader, which
would fail loudly if they were not.
"""

from __future__ import annotations

import string
from pathlib import Path

SEVERITIES = ("blocker", "required", "recommended", "optional")
MESHES = ("istio", "linkerd", "cilium")
RETIRED_EVERY = 50
"""One item in this many is a tombstone, so the retired paths are exercised too."""


def prefix(index: int) -> str:
    """The `index`-th three-capital prefix: AAA, AAB, ..., ZZZ."""
    letters = string.ascii_uppercase
    if not 0 <= index < 26**3:
        raise ValueError(f"no prefix number {index}")
    return letters[index // 676] + letters[index // 26 % 26] + letters[index % 26]


def _item(item_id: str, n: int, section: int) -> str:
    if n % RETIRED_EVERY == RETIRED_EVERY - 1:
        return f"""\
      - id: {item_id}
        status: retired
        rev: 2
        title: Retired synthetic check {n} of section {section}
        reason: Folded into a broader check; kept as a tombstone so the ID is never reused.
"""
    severity = SEVERITIES[n % len(SEVERITIES)]
    applies = ""
    if n % 7 == 3:
        applies = f"""\
        applies_when:
          mesh: [{MESHES[n % 3]}]
"""
    return f"""\
      - id: {item_id}
        rev: {1 + n % 3}
        title: Confirm synthetic property {n} of section {section}
        check: |
          Property {n} holds for every workload in the namespace under review, and the
          evidence (a command output or a manifest excerpt) is kept with the report.
        why: |
          Without it a rollout can fail quietly: this paragraph stands in for the real
          reasoning, which cites its source and the version it holds for (Example 1.0).
        how:
          default: |
            Run `kubectl get deploy -n <namespace> -o yaml` and read the field for
            property {n}; keep the output as evidence.
          istio: |
            `istioctl analyze -n <namespace>` reports no finding for property {n}.
        severity: {severity}
{applies}\
        refs:
          - page: migrate.md#one-namespace
          - url: https://example.org/docs/property-{n}
            title: Example docs — property {n}
            as_of: "2026-11"
"""


def item_ids(pfx: str, items: int) -> list[str]:
    """Item IDs of a synthetic checklist; 0000 is used only when 9,999 IDs are not enough."""
    first = 0 if items > 9999 else 1
    if first + items - 1 > 9999:
        raise ValueError(f"at most 10,000 items fit the PREFIX-NNNN form, not {items}")
    return [f"{pfx}-{first + n:04d}" for n in range(items)]


def checklist_yaml(index: int, items: int, sections: int) -> tuple[str, str]:
    """(checklist id, YAML text) of synthetic checklist number `index`."""
    if items % sections:
        raise ValueError("items must divide evenly into sections")
    pfx = prefix(index)
    checklist_id = f"bench-{pfx.lower()}"
    ids = item_ids(pfx, items)
    per_section = items // sections
    # The outcome counts four live items: none of them is a tombstone.
    counted = ", ".join(ids[n] for n in range(4))
    parts = [
        f"""\
format: meshkb/checklist/v1
id: {checklist_id}
prefix: {pfx}
version: 1.2.0
title: Benchmark checklist {pfx}
summary: |
  A synthetic checklist for the benchmark: {items} items in {sections} sections.
last_reviewed: "2026-11-25"
applies_to:
  mesh: [istio, linkerd, cilium]
outcomes:
  - id: verdict
    title: Verdict
    rules:
      - when:
          count: [{counted}]
          state: fail
          at_least: 2
        result: stop
        label: Stop the rollout
        reason: Two or more of the first four checks failed.
    otherwise:
      result: go
      label: Go ahead
      reason: Fewer than two of the first four checks failed.
sections:
"""
    ]
    for s in range(sections):
        parts.append(
            f"""\
  - id: section-{s + 1:03d}
    title: Synthetic section {s + 1}
    intro: |
      Checks of group {s + 1}.
    items:
"""
        )
        for k in range(per_section):
            n = s * per_section + k
            parts.append(_item(ids[n], n, s + 1))
    return checklist_id, "".join(parts)


def write_checklists(directory: Path, count: int, items: int, sections: int) -> list[Path]:
    """Write `count` checklists with unique prefixes into `directory`; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        checklist_id, text = checklist_yaml(index, items, sections)
        path = directory / f"{checklist_id}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def manifests_yaml(resources: int, namespaces: int = 50) -> str:
    """One multi-document YAML file: half Deployments, half Services, across namespaces."""
    docs = []
    for n in range(resources // 2):
        ns = f"team-{n % namespaces:02d}"
        name = f"app-{n:05d}"
        inject = ("", "sidecar.istio.io/inject", "linkerd.io/inject")[n % 3]
        annotations = f"\n        {inject}: enabled" if inject else " {}"
        docs.append(
            f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
spec:
  replicas: {1 + n % 3}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
      annotations:{annotations}
    spec:
      containers:
        - name: app
          image: registry.example/{name}:1.{n % 10}.0
          ports:
            - containerPort: 8080
              name: http
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
          readinessProbe:
            httpGet: {{path: /ready, port: 8080}}
"""
        )
        docs.append(
            f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:
    app: {name}
  ports:
    - name: http
      port: 80
      targetPort: 8080
      appProtocol: http
"""
        )
    return "---\n" + "---\n".join(docs)
