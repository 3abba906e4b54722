"""The `meshkb` program's own exit (`cli.run`): it skips the interpreter's teardown, so
these run the real process and check that nothing of the output or the exit code is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT, run_cli

MANIFESTS = ROOT / "tests" / "fixtures" / "manifests"


def program(*argv: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run(
        [sys.executable, "-m", "meshkb", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_scan_piped_to_a_file_is_whole_and_keeps_its_exit_code() -> None:
    argv = ("scan", str(MANIFESTS), "--format", "json")
    inside = run_cli(*argv)
    done = program(*argv)
    assert done.returncode == inside.code
    assert done.stdout == inside.out and len(done.stdout) > 1000
    assert done.stderr == inside.err


def test_a_failing_gate_and_bad_input_exit_as_main_says(tmp_path: Path) -> None:
    gated = program("scan", str(MANIFESTS), "--gate")
    assert gated.returncode == run_cli("scan", str(MANIFESTS), "--gate").code
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: [unclosed\n", encoding="utf-8")
    refused = program("scan", str(bad))
    assert refused.returncode == 2
    assert refused.stderr.startswith("meshkb: error: ") and str(bad) in refused.stderr
    assert "Traceback" not in refused.stderr


DEPLOYMENT = """---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{n}, namespace: team-{team}}}
spec:
  selector: {{matchLabels: {{app: app-{n}}}}}
  template:
    metadata: {{labels: {{app: app-{n}}}}}
    spec:
      containers: [{{name: app, image: "registry.example/app:{n}"}}]
"""


def test_output_larger_than_a_pipe_buffer_reaches_the_reader_whole(tmp_path: Path) -> None:
    # 64 kB is a pipe's buffer on Linux: all of it must be flushed before the exit.
    manifest = tmp_path / "many.yaml"
    manifest.write_text("".join(DEPLOYMENT.format(n=n, team=n % 7) for n in range(3000)), "utf-8")
    argv = ("scan", str(manifest), "--format", "json")
    done = program(*argv)
    assert len(done.stdout.encode("utf-8")) > 128_000
    assert done.stdout == run_cli(*argv).out
    assert done.stdout.rstrip().endswith("}")


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    head = subprocess.Popen(
        [sys.executable, "-m", "meshkb", "scan", str(MANIFESTS), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert head.stdout is not None and head.stderr is not None
    head.stdout.read(10)
    head.stdout.close()
    err = head.stderr.read().decode("utf-8")
    assert head.wait(timeout=120) in (0, 1)
    assert "Traceback" not in err and "Exception ignored" not in err
