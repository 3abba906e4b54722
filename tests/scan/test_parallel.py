"""Two processes give the same scan as one, and a failing child loses nothing."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from meshkb.scan import forked, manifest_fast, manifests
from meshkb.scan.manifests import parse_manifests

from ..conftest import CHECKLISTS, MANIFESTS, run_cli

FIXTURES = MANIFESTS

ODD_DOCUMENTS = [
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-3\n  labels: {istio-injection: enabled}\n",
    "apiVersion: v1\nkind: Service\nmetadata: [unclosed\n",
    "a: &x [1, 2]\nb: *x\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: alias}\n",
    "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: team-1}}\n-\n- 3\n",
    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
    "just a string\n",
    "",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata:\n  k: 1\n  k: 2\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tag}\ndata: !!python/object:os.system {}\n",
    "kind: Deployment\nmetadata: {name: no-api-version}\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    bad: [1,\n",
]


def workload(n: int) -> str:
    annotations = ("{}", "{sidecar.istio.io/inject: 'false'}", "{linkerd.io/inject: enabled}")
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{n}, namespace: team-{n % 7}}}
spec:
  template:
    metadata: {{annotations: {annotations[n % 3]}}}
    spec:
      initContainers: [{{name: init, restartPolicy: {"Always" if n % 4 else "Never"}}}]
      containers:
      - name: app
        resources: {{requests: {{cpu: {n % 3}00m, memory: 64Mi}}}}
        readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{n}, namespace: team-{n % 7}}}
spec: {{selector: {{app: app-{n}}}, ports: [{{port: 80}}]}}
"""


def mixed_text(workloads: int = 120) -> str:
    """Workloads with odd and broken documents among them (more than the fast path's restarts)."""
    documents = []
    for n in range(workloads):
        documents.append(workload(n))
        if n % 3 == 0:
            documents.append(ODD_DOCUMENTS[n // 3 % len(ODD_DOCUMENTS)])
    return "# a comment before the first document\n---\n" + "---\n".join(documents)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.yaml"
    path.write_text(mixed_text(), encoding="utf-8")
    return path


def scan(monkeypatch: pytest.MonkeyPatch, jobs: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv(forked.JOBS_VARIABLE, jobs)
    result = run_cli("--checklists", str(CHECKLISTS), "scan", *argv)
    return result.code, result.out, result.err


def assert_no_children() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.fixture
def child_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder where each child leaves a file: proof that a child really ran."""
    folder = tmp_path / "children"
    folder.mkdir()
    monkeypatch.setattr(forked, "child_hook", lambda: (folder / str(os.getpid())).touch())
    yield folder


@pytest.mark.parametrize("form", ["text", "json", "sarif"])
def test_two_processes_write_the_same_bytes_as_one(
    monkeypatch: pytest.MonkeyPatch, mixed: Path, child_marks: Path, form: str
) -> None:
    inputs = (str(mixed), str(FIXTURES))
    one = scan(monkeypatch, "1", *inputs, "--format", form)
    assert not list(child_marks.iterdir())
    two = scan(monkeypatch, "2", *inputs, "--format", form)
    assert two == one
    assert "is not valid YAML" in one[2] and "appears twice" in one[2]
    # Children read some of each file's documents, and one evaluated some of the probes.
    children = [int(mark.name) for mark in child_marks.iterdir()]
    assert len(children) >= 2 and os.getpid() not in children
    assert_no_children()


@pytest.mark.parametrize("pieces", [2, 3, 16, 200])
def test_any_pieces_read_the_same_documents(monkeypatch: pytest.MonkeyPatch, pieces: int) -> None:
    text = mixed_text(400)
    monkeypatch.setenv(forked.JOBS_VARIABLE, "1")
    one = parse_manifests(text, "m.yaml")
    monkeypatch.setenv(forked.JOBS_VARIABLE, "2")
    monkeypatch.setattr(manifests, "PARSE_PIECES", pieces)
    assert parse_manifests(text, "m.yaml") == one
    # More parse errors than the fast path restarts after, so both of its ways are taken.
    broken = [p for p in one.problems if "is not valid YAML" in p.message]
    assert len(broken) > manifest_fast._FAST_RESTARTS


def _raise() -> None:
    raise RuntimeError("the child fails")


def _exit_nonzero() -> None:
    os._exit(3)


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _silent() -> None:
    os._exit(0)  # exits "fine" without sending anything


@pytest.mark.parametrize("failure", [_raise, _exit_nonzero, _killed, _silent])
def test_a_failing_child_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, mixed: Path, failure: Callable[[], None]
) -> None:
    one = scan(monkeypatch, "1", str(mixed), "--format", "json")
    monkeypatch.setattr(forked, "child_hook", failure)
    assert scan(monkeypatch, "2", str(mixed), "--format", "json") == one
    assert_no_children()


def test_a_child_that_cannot_send_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    text = mixed_text(60)
    monkeypatch.setenv(forked.JOBS_VARIABLE, "1")
    one = parse_manifests(text, "m.yaml")

    def close_the_pipe() -> None:
        # Close every descriptor the child could write to: sending its answer fails.
        os.closerange(3, 256)

    monkeypatch.setenv(forked.JOBS_VARIABLE, "2")
    monkeypatch.setattr(forked, "child_hook", close_the_pipe)
    assert parse_manifests(text, "m.yaml") == one
    assert_no_children()


def test_each_piece_is_done_once_by_one_of_two_processes(tmp_path: Path) -> None:
    def work(piece: int) -> tuple[int, int]:
        (tmp_path / f"{piece}-{os.getpid()}").touch()
        time.sleep(0.01)  # long enough for the child to claim some
        return piece, os.getpid()

    done = forked.share(300, work)  # more pieces than claims: claimed in groups
    assert [piece for piece, _ in done] == list(range(300))
    assert len({pid for _, pid in done}) == 2
    assert sorted(int(mark.name.split("-")[0]) for mark in tmp_path.iterdir()) == list(range(300))
    assert forked.share(0, work) == []
    assert_no_children()


def test_pieces_a_child_claimed_but_never_sent_are_done_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def work(piece: int) -> int:
        if os.getpid() != parent:
            os._exit(5)  # the child dies holding its claim
        time.sleep(0.01)
        return piece * piece

    parent = os.getpid()
    assert forked.share(20, work) == [piece * piece for piece in range(20)]
    assert_no_children()


def test_an_interrupted_parent_ends_its_child() -> None:
    parent = os.getpid()

    def work(piece: int) -> None:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        time.sleep(60)

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        forked.share(2, work)
    assert time.monotonic() - started < 30
    assert_no_children()


def test_when_to_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(forked.JOBS_VARIABLE, raising=False)
    assert not forked.wanted(10, 1000)
    monkeypatch.setenv(forked.JOBS_VARIABLE, "1")
    assert not forked.wanted(10**9, 1000)
    monkeypatch.setenv(forked.JOBS_VARIABLE, "2")
    assert forked.wanted(10, 1000)
    monkeypatch.delattr(os, "fork")
    assert not forked.wanted(10**9, 1000)
