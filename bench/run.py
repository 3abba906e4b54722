"""The meshkb benchmark: every figure in one run, printed as a table and saved as JSON.

Run from the repository with the project's interpreter:

    .venv/bin/python bench/run.py [--quick] [--json PATH] [--profile]

Each figure is the median of repeated runs after a warm-up. Figures that compare two
things (with/without the plugin, meshkb/`import yaml`, input size N/2 and N) are measured
side by side: runs of A and B alternate in ABBA order, so the drift of a noisy machine
falls on both. See bench/README.md for what every figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import dataclasses as record
import gc
import gzip
import io
import json
import os
import pickle
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import synth
from meshkb.core import load, score
from meshkb.core.model import Answer, AnswerEvidence, Report
from meshkb.report import build as _build
from meshkb.report import markdown as _markdown
from meshkb.report import markdown_read as _markdown_read
from sitecopy import config_replay_site, config_without_plugin, plugin_enabled

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "plugins" / "meshkb"
BIN = Path(sys.executable).parent
DEFAULT_JSON = ROOT / "bench" / "results" / "latest.json"
SUBPROCESS_TIMEOUT = 180
NA = "n/a"

FIGURE_KEYS = (
    "site_build_with_s",
    "site_build_without_s",
    "site_build_ratio",
    "site_build_cold_s",
    "site_build_cold_ratio",
    "site_build_bare_s",
    "site_build_bare_ratio",
    "site_instructions_ratio",
    "site_instructions_cold_ratio",
    "site_size_mb",
    "cold_start_meshkb_s",
    "cold_start_import_yaml_s",
    "cold_start_precommit_s",
    "cold_start_ratio",
    "cold_start_vs_precommit_ratio",
    "scale_load_half_s",
    "scale_load_full_s",
    "scale_load_growth",
    "scale_load_half_peak_mb",
    "scale_load_full_peak_mb",
    "scale_load_peak_growth",
    "scale_render_md_half_s",
    "scale_render_md_full_s",
    "scale_render_md_growth",
    "scale_render_md_full_peak_mb",
    "scale_render_html_half_s",
    "scale_render_html_full_s",
    "scale_render_html_growth",
    "scale_render_html_full_peak_mb",
    "report_parse_half_s",
    "report_parse_full_s",
    "report_parse_growth",
    "report_score_half_s",
    "report_score_full_s",
    "report_score_growth",
    "scan_s",
    "assets_gzip_kb",
    "assets_source_gzip_kb",
    "assets_cost_page_gzip_kb",
)
"""Every figure the JSON holds, in table order; tests/test_bench.py checks them."""


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one run."""

    mode: str
    site_pairs: int
    site_warmup: int
    start_pairs: int
    start_warmup: int
    scale_checklists: int
    scale_items: int
    scale_sections: int
    scale_pairs: int
    html_pairs: int
    md_pairs: int
    report_items: int
    report_sections: int
    report_pairs: int
    scan_resources: int
    scan_runs: int


FULL = Plan(
    mode="full",
    site_pairs=6,
    site_warmup=1,
    start_pairs=20,
    start_warmup=2,
    scale_checklists=200,
    scale_items=100,
    scale_sections=10,
    scale_pairs=2,
    html_pairs=2,
    md_pairs=7,
    report_items=10_000,
    report_sections=100,
    report_pairs=9,
    scan_resources=10_000,
    scan_runs=3,
)
QUICK = Plan(
    mode="quick",
    site_pairs=1,
    site_warmup=0,
    start_pairs=3,
    start_warmup=1,
    scale_checklists=6,
    scale_items=20,
    scale_sections=2,
    scale_pairs=2,
    html_pairs=2,
    md_pairs=2,
    report_items=400,
    report_sections=4,
    report_pairs=3,
    scan_resources=200,
    scan_runs=2,
)


@dataclass
class Figure:
    """One row of the table."""

    key: str
    label: str
    value: float | str
    unit: str
    goal: str = ""
    verdict: str = ""
    note: str = ""
    samples: list[float] = field(default_factory=list)


Check = Callable[[float], str]


def at_most(limit: float, aim: float | None = None) -> Check:
    def check(value: float) -> str:
        if value > limit:
            return "MISSED"
        if aim is not None and value > aim:
            return f"ok (aim {aim:g} missed)"
        return "ok"

    return check


def below(limit: float) -> Check:
    return lambda value: "ok" if value < limit else "MISSED"


def linear(calls: float | None = None) -> Check:
    """Growth verdict; `calls` (the growth of the Python call count) tells noise from work."""

    def check(value: float) -> str:
        if value <= 2.5:
            return "linear"
        if calls is not None and calls <= 2.2:
            return "SUPER-LINEAR (time only)"
        return "SUPER-LINEAR"

    return check


def call_count(fn: Callable[[], object]) -> int:
    """Python and builtin calls a call makes (cProfile): a measure of work free of noise."""
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    return int(pstats.Stats(profiler).total_calls)


class Bench:
    """Collects figures and prints them."""

    def __init__(self, plan: Plan, workdir: Path) -> None:
        self.plan = plan
        self.workdir = workdir
        self.figures: dict[str, Figure] = {}
        self.details: dict[str, Any] = {}
        self.profiles: dict[str, Callable[[], str]] = {}
        self.memory = "rss" if rss_available() else "tracemalloc"
        self.instructions = False
        """Also count the site builds' instructions with valgrind (--instructions)."""
        """How load+validate memory is measured: a fresh process's RSS, or tracemalloc."""

    def growth(
        self,
        key: str,
        label: str,
        half: list[float],
        full: list[float],
        calls: tuple[Callable[[], object], Callable[[], object]] | None,
        calls_what: str = "",
    ) -> None:
        """A growth figure: median(full) / median(half), checked against the call count."""
        ratios = [y / x for x, y in zip(half, full, strict=True)]
        note = f"median of pair ratios {median(ratios):.2f}"
        call_growth = None
        if calls is not None:
            call_growth = call_count(calls[1]) / call_count(calls[0])
            note += f"; Python calls x{call_growth:.2f}{calls_what}"
        self.add(
            key,
            label,
            median(full) / median(half),
            "x",
            goal="~2 (≤ 2.5)",
            check=linear(call_growth),
            note=note,
        )

    def add(
        self,
        key: str,
        label: str,
        value: float | str,
        unit: str,
        *,
        goal: str = "",
        check: Check | None = None,
        note: str = "",
        samples: list[float] | None = None,
    ) -> None:
        if isinstance(value, str):
            verdict = NA
        elif check is not None:
            verdict = check(value)
            if self.plan.mode == "quick":
                verdict += " (quick: not meaningful)"
        else:
            verdict = "-"
        self.figures[key] = Figure(key, label, value, unit, goal, verdict, note, samples or [])

    def missing(self, keys: list[str], label: str, note: str) -> None:
        for key in keys:
            self.add(key, f"{label} ({key})", NA, "", note=note)


# ---- timing helpers ----------------------------------------------------------------


def time_call(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timer(fn: Callable[[], object]) -> Callable[[], float]:
    return lambda: time_call(fn)


def interleaved(
    a: Callable[[], float], b: Callable[[], float], pairs: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Run A and B alternately in ABBA order; warm-up pairs are run and thrown away."""
    times_a, times_b = interleaved_all([a, b], pairs, warmup)
    return times_a, times_b


def interleaved_all(fns: list[Callable[[], float]], rounds: int, warmup: int) -> list[list[float]]:
    """Run every function once per round, in order and then in reverse (ABC CBA ...)."""
    times: list[list[float]] = [[] for _ in fns]
    for i in range(warmup + rounds):
        order = list(enumerate(fns)) if i % 2 == 0 else list(reversed(list(enumerate(fns))))
        for index, fn in order:
            elapsed = fn()
            if i >= warmup:
                times[index].append(elapsed)
    return times


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def _proc_status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_available() -> bool:
    return Path("/proc/self/clear_refs").exists()


CHILD_PRELUDE = """
import gc, sys, time
from pathlib import Path

def kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])

def measure(fn):
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark to the RSS now
    before = kb("VmRSS")
    start = time.perf_counter()
    result = fn()
    print(time.perf_counter() - start, kb("VmHWM") - before)
    return result
"""
LOAD_CHILD = (
    CHILD_PRELUDE
    + """
from meshkb.core import load
paths = sorted(Path(sys.argv[1]).glob("*.yaml"))[: int(sys.argv[2])]
load.load_all(paths[:2])  # warm-up: schema and regex caches
checklists = measure(lambda: load.load_all(paths))
if len(sys.argv) > 3 and not Path(sys.argv[3]).exists():
    import pickle  # hand the models to the parent and the render runs: loading costs ~20 s
    Path(sys.argv[3]).write_bytes(pickle.dumps(checklists))
"""
)
"""Load+validate: argv = folder, count[, pickle path]."""
RENDER_CHILD = (
    CHILD_PRELUDE
    + """
import pickle
from meshkb.site import fragment as render
fn = getattr(render, sys.argv[2])
checklists = pickle.loads(Path(sys.argv[1]).read_bytes())[: int(sys.argv[3])]
[fn(c) for c in checklists[:2]]  # warm-up
measure(lambda: [fn(c) for c in checklists])
"""
)
"""HTML render of pickled checklists: argv = pickle path, render function, count."""


def in_child(script: str, *args: str) -> tuple[float, float]:
    """(seconds, peak MB) of the measured call in `script`, run in a fresh interpreter.

    A fresh interpreter starts with no garbage or free memory left by other runs, so the
    growth of its resident set is the memory the call needs (C allocations included), at
    the cost of one plain run; tracemalloc slows this code 4-6x.
    """
    proc = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    try:
        seconds, kilobytes = proc.stdout.split()
        return float(seconds), int(kilobytes) * 1024 / 1e6
    except ValueError:
        raise RuntimeError(f"child run failed: {proc.stderr.strip()[-300:]}") from None


def peak_tracemalloc_mb(fn: Callable[[], object]) -> float:
    """Peak Python heap (tracemalloc) above the heap before the call, in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - before) / 1e6


def env() -> dict[str, str]:
    """The environment of every child process.

    PYTHONDONTWRITEBYTECODE is dropped so the warm-up runs leave the bytecode caches a
    normal `pip install` has; without them every start compiles its modules from source,
    which hides the cost being measured under the compiler's.
    """
    dropped = (
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONPROFILEIMPORTTIME",
        "PYTHONTRACEMALLOC",
        "MESHKB_CHECKLISTS",
    )
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**base, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(
    argv: list[str], *, ok_codes: tuple[int, ...] = (0,), cpu: list[float] | None = None
) -> float:
    """Wall time of a subprocess with stdout discarded; raise when it fails.

    With `cpu`, the child's CPU time (user + sys) is appended to it: unlike wall time it
    does not count the time the child waited for a core on a loaded machine.
    """
    cpu_start = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        argv,
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if cpu is not None:
        cpu.append(children_cpu() - cpu_start)
    if proc.returncode not in ok_codes:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = message[-1] if message else ""
        raise RuntimeError(f"{' '.join(argv[:3])} exited {proc.returncode}: {tail}")
    return elapsed


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise RuntimeError(f"{path} not found: run with the project's .venv/bin/python")
    return str(path)


def profile_call(fn: Callable[[], object], restrict: str = "", top: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    return format_stats(pstats.Stats(profiler), restrict, top)


def profile_subprocess(argv: list[str], restrict: str = "", top: int = 15) -> str:
    """cProfile a Python console script (argv[0]) in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.prof"
        subprocess.run(
            [sys.executable, "-m", "cProfile", "-o", str(out), *argv],
            cwd=ROOT,
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )
        return format_stats(pstats.Stats(str(out)), restrict, top)


def format_stats(stats: pstats.Stats, restrict: str, top: int) -> str:
    buffer = io.StringIO()
    stats.stream = buffer
    if not restrict:
        stats.strip_dirs()
    for order in ("cumulative", "tottime"):
        buffer.write(f"-- by {order}{f' (matching {restrict!r})' if restrict else ''}\n")
        stats.sort_stats(order)
        if restrict:
            stats.print_stats(restrict, top)
        else:
            stats.print_stats(top)
    text = buffer.getvalue().replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
    lines = [
        line
        for line in text.splitlines()
        if line.strip()
        and not line.lstrip().startswith(("Ordered by", "List reduced"))
        and not line.endswith(".prof")
    ]
    return "\n".join(lines)


def cpu_ratio(bench: Bench, key: str, a: list[float], b: list[float], warmup: int) -> str:
    """Record the CPU-time medians of an A/B comparison; a note for the table."""
    a, b = a[warmup:], b[warmup:]
    if not a or not b or median(b) <= 0:
        return "CPU time not measured"
    ratio = median(a) / median(b)
    bench.details[f"{key}_cpu"] = {
        "a_s": round(median(a), 4),
        "b_s": round(median(b), 4),
        "ratio": round(ratio, 3),
    }
    return f"CPU-time (user+sys) ratio {ratio:.2f} ({median(a):.3f} s / {median(b):.3f} s)"


# ---- 1. site build -----------------------------------------------------------------


def tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


SITE_BUILDS = {
    "with": ("site_build_with_s", "site build with meshkb"),
    "cold": ("site_build_cold_s", "site build with meshkb, cache cold"),
    "without": ("site_build_without_s", "site build without meshkb (same site)"),
    "bare": ("site_build_bare_s", "site build without meshkb or its pages"),
}
"""Name -> figure key and label. *with* runs as users do (its cache from the run before),
*cold* deletes the plugin's cache first, *without* is the same site with the plugin's
output replayed by a hook that only looks it up, *bare* lacks the pages the plugin
generates."""
SITE_RATIOS = (
    ("site_build_ratio", "with", "without", True),
    ("site_build_cold_ratio", "cold", "without", True),
    ("site_build_bare_ratio", "with", "bare", False),
)
"""Figure key, numerator, denominator, and whether the 5% goal applies."""
PLUGIN_CACHE = ROOT / ".cache" / "meshkb"
"""The plugin's cache for this repository's mkdocs.yml (its default cache_dir)."""


INSTRUCTION_RATIOS = {
    "with": (
        "site_instructions_ratio",
        "instructions, site build with meshkb / without (same site)",
    ),
    "cold": (
        "site_instructions_cold_ratio",
        "instructions, site build with meshkb, cache cold / without (same site)",
    ),
}
_COLLECTED = re.compile(r"Collected : (\d+)")


def site_instructions(bench: Bench, configs: dict[str, Path]) -> None:
    """Instructions of one build of each kind, counted by valgrind (callgrind).

    Wall and CPU time on a shared 2-core machine vary by more than the 5% being judged;
    an instruction count is the same from run to run, whatever else the machine does.
    Each build runs once under valgrind (about 50 times slower), after the timed builds
    have compiled every module's bytecode and left the plugin's cache behind, with
    PYTHONHASHSEED=0 (with random seeds the same build varies by about 0.5%).
    """
    valgrind = shutil.which("valgrind")
    if not bench.instructions or valgrind is None:
        why = "valgrind not found" if bench.instructions else "run with --instructions"
        for key, label in INSTRUCTION_RATIOS.values():
            bench.add(key, label, NA, "x", note=why)
        return
    counts: dict[str, int] = {}
    for name, config in configs.items():
        if name == "cold":
            shutil.rmtree(PLUGIN_CACHE, ignore_errors=True)
        argv = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
        argv += [tool("mkdocs"), "build", "-q", "--no-strict", "-f", str(config)]
        argv += ["-d", str(bench.workdir / "site" / f"valgrind-{name}")]
        # A fixed hash seed: set and dict layouts, and so the count, repeat exactly.
        proc = subprocess.run(
            argv,
            cwd=ROOT,
            env={**env(), "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        found = _COLLECTED.search(proc.stderr)
        if proc.returncode != 0 or found is None:
            raise RuntimeError(f"valgrind build ({name}) failed: {proc.stderr.strip()[-300:]}")
        counts[name] = int(found.group(1))
    bench.details["site_instructions"] = counts
    for name, (key, label) in INSTRUCTION_RATIOS.items():
        bench.add(
            key,
            label,
            counts[name] / counts["without"],
            "x",
            goal="≤ 1.10",
            check=at_most(1.10),
            note=f"{counts[name]:,} / {counts['without']:,} instructions (callgrind, one build each)",
        )


def site_differences(a: Path, b: Path) -> dict[str, int]:
    """How far two built sites differ: files only in one, and files whose bytes differ."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    both = files_a & files_b
    return {
        "files": len(both),
        "only_with": len(files_a - files_b),
        "only_without": len(files_b - files_a),
        "different_bytes": sum(1 for p in both if (a / p).read_bytes() != (b / p).read_bytes()),
    }


def bench_site(bench: Bench) -> None:
    plan = bench.plan
    config = ROOT / "mkdocs.yml"
    mkdocs = tool("mkdocs")
    work = bench.workdir / "site"
    work.mkdir()
    counter = iter(range(10_000))
    last: dict[str, Path] = {}
    cpu: dict[str, list[float]] = {name: [] for name in SITE_BUILDS}

    def build(name: str, cfg: Path) -> Callable[[], float]:
        def run() -> float:
            if name == "cold":
                shutil.rmtree(PLUGIN_CACHE, ignore_errors=True)
            out = work / f"{name}-{next(counter)}"
            elapsed = run_timed(
                [mkdocs, "build", "-q", "--no-strict", "-f", str(cfg), "-d", str(out)],
                cpu=cpu[name],
            )
            if not (out / "index.html").exists() and not any(out.rglob("*.html")):
                raise RuntimeError(f"mkdocs build wrote no HTML to {out}")
            if name in last:
                shutil.rmtree(last[name], ignore_errors=True)
            last[name] = out
            return elapsed

        return run

    with_plugin = build("with", config)
    has_plugin = (PKG / "mkdocs_plugin.py").exists() and plugin_enabled(config)
    if not has_plugin:
        why = (
            "plugin not present"
            if not (PKG / "mkdocs_plugin.py").exists()
            else "plugin not enabled in mkdocs.yml"
        )
        samples = [with_plugin() for _ in range(plan.site_warmup + plan.site_pairs)]
        samples = samples[plan.site_warmup :]
        bench.add("site_build_with_s", "site build, mkdocs.yml as is", median(samples), "s")
        for name, (key, label) in SITE_BUILDS.items():
            if name != "with":
                bench.add(key, label, NA, "s", note=why)
        for key, _, _, _ in SITE_RATIOS:
            bench.add(key, key, NA, "x", note=why)
        for key, _ in INSTRUCTION_RATIOS.values():
            bench.add(key, key, NA, "x", note=why)
    else:
        static_cfg, static_changes, reference = config_replay_site(
            config, bench.workdir / "replay", timeout=SUBPROCESS_TIMEOUT
        )
        bare_cfg, bare_changes = config_without_plugin(config, bench.workdir / "bare")
        configs = {"with": config, "cold": config, "without": static_cfg, "bare": bare_cfg}
        runs = interleaved_all(
            [build(name, configs[name]) for name in SITE_BUILDS], plan.site_pairs, plan.site_warmup
        )
        times = dict(zip(SITE_BUILDS, runs, strict=True))
        for name, (key, label) in SITE_BUILDS.items():
            bench.add(key, label, median(times[name]), "s", samples=times[name])
        changes = {
            "without": "without: " + ", ".join(static_changes),
            "bare": "bare: " + ", ".join(bare_changes),
        }
        # Counted instructions, when there are any, judge the goal: wall time here varies
        # by more than the 5% at stake.
        counted = bench.instructions and shutil.which("valgrind") is not None
        for key, a, b, goal in SITE_RATIOS:
            cpu_note = cpu_ratio(bench, key, cpu[a], cpu[b], plan.site_warmup)
            ratios = [x / y for x, y in zip(times[a], times[b], strict=True)]
            judged = goal and not counted
            bench.add(
                key,
                f"{SITE_BUILDS[a][1]} / {SITE_BUILDS[b][1].removeprefix('site build ')}",
                median(times[a]) / median(times[b]),
                "x",
                goal="≤ 1.10" if judged else "",
                check=at_most(1.10) if judged else None,
                note=f"all --no-strict; {changes[b]}; {cpu_note}; "
                f"median of round ratios {median(ratios):.3f}"
                + ("; the goal is judged on instruction counts" if goal and counted else ""),
                samples=ratios,
            )
        bench.details["site_without_bytes"] = tree_bytes(last["without"])
        bench.details["site_bare_bytes"] = tree_bytes(last["bare"])
        bench.details["site_static_differs"] = site_differences(reference, last["without"])
        bench.profiles["site_build_ratio"] = lambda: profile_subprocess(
            [mkdocs, "build", "-q", "--no-strict", "-f", str(config), "-d", str(work / "prof")],
            restrict="plugins/meshkb/",
            top=25,
        )
        site_instructions(bench, {name: configs[name] for name in ("with", "cold", "without")})
    size = tree_bytes(last["with"])
    bench.details["site_bytes"] = size
    bench.add("site_size_mb", "built site, total size", size / 1e6, "MB")


# ---- 2. cold start -----------------------------------------------------------------


def bench_cold_start(bench: Bench) -> None:
    plan = bench.plan
    meshkb = [tool("meshkb"), "checklist", "migration"]
    baseline = [tool("python"), "-c", "import yaml"]
    check = subprocess.run(meshkb, cwd=ROOT, env=env(), capture_output=True, check=False)
    if check.returncode != 0 or b"MIG-" not in check.stdout:
        note = f"meshkb checklist migration failed: {check.stderr.decode()[-200:]}"
        keys = ["cold_start_meshkb_s", "cold_start_import_yaml_s", "cold_start_precommit_s"]
        bench.missing(keys, "cold start", note)
        bench.add("cold_start_ratio", "cold start ratio", NA, "x", note=note)
        bench.add("cold_start_vs_precommit_ratio", "cold start / pre-commit", NA, "x", note=note)
        return
    # `pre-commit --version`: the second yardstick, a CLI a team already runs.
    precommit = [tool("pre-commit"), "--version"]
    cpu_a: list[float] = []
    cpu_b: list[float] = []
    cpu_c: list[float] = []
    a, b, c = interleaved_all(
        [
            lambda: run_timed(meshkb, cpu=cpu_a),
            lambda: run_timed(baseline, cpu=cpu_b),
            lambda: run_timed(precommit, cpu=cpu_c),
        ],
        plan.start_pairs,
        plan.start_warmup,
    )
    cpu_note = cpu_ratio(bench, "cold_start", cpu_a, cpu_b, plan.start_warmup)
    bench.add(
        "cold_start_meshkb_s",
        "`meshkb checklist migration` wall time",
        median(a),
        "s",
        samples=a,
    )
    bench.add("cold_start_import_yaml_s", '`python -c "import yaml"`', median(b), "s", samples=b)
    bench.add("cold_start_precommit_s", "`pre-commit --version`", median(c), "s", samples=c)
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    bench.add(
        "cold_start_ratio",
        "cold start meshkb / import yaml",
        median(a) / median(b),
        "x",
        goal="≤ 3.0",
        check=at_most(3.0),
        note=f"{len(a)} interleaved runs each; median of pair ratios {median(ratios):.2f}; "
        + cpu_note,
        samples=ratios,
    )
    versus = [x / z for x, z in zip(a, c, strict=True)]
    bench.add(
        "cold_start_vs_precommit_ratio",
        "cold start meshkb / pre-commit --version",
        median(a) / median(c),
        "x",
        goal="< 1",
        check=lambda value: "ok" if value < 1 else "MISSED",
        note=f"median of pair ratios {median(versus):.2f}",
        samples=versus,
    )
    bench.profiles["cold_start_ratio"] = lambda: import_profile(meshkb)


def import_profile(argv: list[str], top: int = 15) -> str:
    """The slowest imports (`-X importtime`, cumulative) plus a cProfile of the run."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    rows.sort(reverse=True)
    lines = ["-- imports by cumulative time (us)"]
    lines += [f"{us:>9}  {name}" for us, name in rows[:top]]
    return "\n".join(lines) + "\n" + profile_subprocess(argv, top=top)


# ---- 3. scale ----------------------------------------------------------------------


def _html_renderer() -> tuple[Callable[[Any], str] | None, str]:
    """The checklist page fragment's renderer."""
    from meshkb.site.fragment import render_checklist

    return render_checklist, "site.fragment.render_checklist"


def bench_scale(bench: Bench) -> None:
    plan = bench.plan
    full_n = plan.scale_checklists
    half_n = full_n // 2
    directory = bench.workdir / "checklists"
    paths = synth.write_checklists(directory, full_n, plan.scale_items, plan.scale_sections)
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    what = f"{full_n} checklists x {plan.scale_items} items"
    half_what = f"{half_n} checklists x {plan.scale_items} items"
    bench.details["scale_input"] = {
        "checklists": full_n,
        "items_per_checklist": plan.scale_items,
        "yaml_mb": round(size_mb, 2),
    }

    peaks: dict[int, list[float]] = {half_n: [], full_n: []}
    keep = bench.workdir / "checklists.pickle"

    def loader(count: int) -> Callable[[], float]:
        def run() -> float:
            if bench.memory != "rss":
                return time_call(lambda: load.load_all(paths[:count]))
            # Each timed run is a fresh process that also reports its peak memory.
            keep_arg = [str(keep)] if count == full_n else []
            seconds, peak = in_child(LOAD_CHILD, str(directory), str(count), *keep_arg)
            peaks[count].append(peak)
            return seconds

        return run

    if bench.memory != "rss":
        peaks[half_n].append(peak_tracemalloc_mb(lambda: load.load_all(paths[:half_n])))
        peaks[full_n].append(peak_tracemalloc_mb(lambda: load.load_all(paths)))
        load.load_all(paths[:4])  # warm-up
    a, b = interleaved(loader(half_n), loader(full_n), plan.scale_pairs, 0)
    half_peak, full_peak = median(peaks[half_n]), median(peaks[full_n])
    mem = "peak RSS, fresh process" if bench.memory == "rss" else "peak heap, tracemalloc"
    bench.add("scale_load_half_s", f"load+validate {half_what}", median(a), "s", samples=a)
    bench.add(
        "scale_load_full_s",
        f"load+validate {what} ({size_mb:.1f} MB YAML)",
        median(b),
        "s",
        samples=b,
    )
    sub = max(1, half_n // 10)
    bench.growth(
        "scale_load_growth",
        "load+validate growth when input doubles",
        a,
        b,
        (lambda: load.load_all(paths[:sub]), lambda: load.load_all(paths[: 2 * sub])),
        f" ({sub} -> {2 * sub} checklists)",
    )
    bench.add("scale_load_half_peak_mb", f"load+validate {mem}, {half_what}", half_peak, "MB")
    bench.add("scale_load_full_peak_mb", f"load+validate {mem}, {what}", full_peak, "MB")
    bench.add(
        "scale_load_peak_growth",
        f"load+validate {mem} growth when input doubles",
        full_peak / half_peak if half_peak > 0 else NA,
        "x",
        goal="~2 (≤ 2.5)",
        check=linear(),
    )
    bench.profiles["scale_load_growth"] = lambda: profile_call(
        lambda: load.load_all(paths), restrict="", top=20
    )

    bench.details["scale_render_inputs"] = "pickled by a load run" if keep.exists() else "loaded"
    if keep.exists():
        checklists = pickle.loads(keep.read_bytes())
        if [c.id for c in checklists] != [p.stem for p in paths]:
            raise RuntimeError("the pickled checklists do not match the inputs")
    else:
        checklists = load.load_all(paths)

    def render_all(fn: Callable[[Any], str], count: int) -> list[str]:
        return [fn(c) for c in checklists[:count]]

    def render_md(checklist: Any) -> str:
        return _markdown.render_markdown(checklist, _build.new_report(checklist))

    def renderers(
        fn: Callable[[Any], str], key: str, label: str, pairs: int, calls_at: int, child: bool
    ) -> None:
        """Time (and memory) of `fn` over every checklist, at half and full size.

        With `child`, each run is a fresh process over the pickled checklists, reporting
        its peak RSS too; otherwise runs are in-process plus one tracemalloc run.
        """
        peaks: list[float] = []
        if child:

            def run(count: int) -> Callable[[], float]:
                def go() -> float:
                    seconds, peak = in_child(RENDER_CHILD, str(keep), fn.__name__, str(count))
                    if count == full_n:
                        peaks.append(peak)
                    return seconds

                return go

            a, b = interleaved(run(half_n), run(full_n), pairs, 0)
            mem = "peak RSS, fresh process"
        else:
            render_all(fn, 4)  # warm-up
            peaks.append(peak_tracemalloc_mb(lambda: render_all(fn, full_n)))
            with frozen_heap():
                a, b = interleaved(
                    timer(lambda: render_all(fn, half_n)),
                    timer(lambda: render_all(fn, full_n)),
                    pairs,
                    0,
                )
            mem = "peak heap, tracemalloc"
        bench.add(f"{key}_half_s", f"{label}, {half_what}", median(a), "s", samples=a)
        bench.add(f"{key}_full_s", f"{label}, {what}", median(b), "s", samples=b)
        bench.growth(
            f"{key}_growth",
            f"{label} growth when input doubles",
            a,
            b,
            (lambda: render_all(fn, calls_at), lambda: render_all(fn, 2 * calls_at)),
            f" ({calls_at} -> {2 * calls_at} checklists)" if calls_at != half_n else "",
        )
        bench.add(f"{key}_full_peak_mb", f"{label} {mem}, {what}", median(peaks), "MB")
        bench.profiles[f"{key}_growth"] = lambda: profile_call(
            lambda: render_all(fn, full_n), top=20
        )

    label = "render Markdown report"
    renderers(render_md, "scale_render_md", label, plan.md_pairs, half_n, child=False)
    html, html_note = _html_renderer()
    if html is None:
        bench.missing(
            [
                "scale_render_html_half_s",
                "scale_render_html_full_s",
                "scale_render_html_growth",
                "scale_render_html_full_peak_mb",
            ],
            "render HTML",
            html_note,
        )
    else:
        label = f"render HTML ({html_note})"
        sub = max(1, half_n // 10)
        renderers(html, "scale_render_html", label, plan.html_pairs, sub, child=keep.exists())


def filled_report(checklist: Any) -> Report:
    """Answers in every state, with notes, reasons, owners and evidence."""
    answers = []
    for n, item in enumerate(checklist.active_items()):
        kind = n % 6
        if kind == 0:
            answers.append(Answer(item.id, item.rev))
        elif kind == 1:
            answers.append(
                Answer(item.id, item.rev, "pass", evidence=(AnswerEvidence(f"deploy/app-{n} ok"),))
            )
        elif kind == 2:
            note = f"Failed on app-{n}.\n\nSee the **runbook**, step {n % 9}:\n\n- one\n- two"
            answers.append(Answer(item.id, item.rev, "fail", note=note))
        elif kind == 3:
            answers.append(Answer(item.id, item.rev, "na", reason="No TCP services here."))
        elif kind == 4:
            answers.append(
                Answer(item.id, item.rev, "waived", reason="Accepted until Q3.", owner="team-a")
            )
        else:
            answers.append(
                Answer(
                    item.id,
                    item.rev,
                    "pass",
                    prefilled=True,
                    evidence=(AnswerEvidence(f"probe saw ns team-{n % 50}", "probe"),),
                )
            )
    return Report(
        checklist.id,
        checklist.version,
        system="payments",
        mesh="istio",
        dataplane="sidecar",
        date="2026-11-25",
        reviewers=("a", "b"),
        answers=tuple(answers),
    )


def bench_report(bench: Bench) -> None:
    plan = bench.plan
    full_n, half_n = plan.report_items, plan.report_items // 2
    checklist_id, text = synth.checklist_yaml(900, full_n, plan.report_sections)
    start = time.perf_counter()
    full, _ = load.load_checklist_text(text, f"{checklist_id}.yaml")
    load_s = time.perf_counter() - start
    bench.details["report_checklist_load_s"] = round(load_s, 3)
    # The half-size checklist is the first half of the sections: same shape, half the items.
    half = record.replace(full, sections=full.sections[: plan.report_sections // 2])
    cases = {}
    for name, checklist in (("half", half), ("full", full)):
        filled = filled_report(checklist)
        markdown = _markdown.render_markdown(checklist, filled)
        parsed = _markdown_read.parse_markdown(markdown, "review.md", {checklist.id: checklist})
        if _markdown.render_markdown(checklist, parsed) != markdown:
            raise RuntimeError("report round trip changed the bytes")
        cases[name] = (checklist, markdown, parsed)
    bench.details["report_md_bytes"] = len(cases["full"][1])

    def parse(name: str) -> Callable[[], object]:
        checklist, markdown, _ = cases[name]
        return lambda: _markdown_read.parse_markdown(
            markdown, "review.md", {checklist.id: checklist}
        )

    def scoring(name: str) -> Callable[[], object]:
        checklist, _, parsed = cases[name]
        return lambda: score.score(checklist, parsed)

    for key, label, make in (
        ("report_parse", "parse Markdown report", parse),
        ("report_score", "score report", scoring),
    ):
        half_call, full_call = make("half"), make("full")
        with frozen_heap():
            a, b = interleaved(timer(half_call), timer(full_call), plan.report_pairs, 1)
        bench.add(f"{key}_half_s", f"{label}, {half_n:,} items", median(a), "s", samples=a)
        bench.add(f"{key}_full_s", f"{label}, {full_n:,} items", median(b), "s", samples=b)
        bench.growth(
            f"{key}_growth",
            f"{label} growth {half_n:,} -> {full_n:,} items",
            a,
            b,
            (half_call, full_call),
        )
    checklist, markdown, parsed = cases["full"]
    bench.profiles["report_parse_growth"] = lambda: profile_call(
        lambda: _markdown_read.parse_markdown(markdown, "review.md", {checklist.id: checklist})
    )
    bench.profiles["report_score_growth"] = lambda: profile_call(
        lambda: score.score(checklist, parsed)
    )


# ---- 4. scan -----------------------------------------------------------------------


def bench_scan(bench: Bench) -> None:
    plan = bench.plan
    label = f"`meshkb scan` of {plan.scan_resources:,} resources"
    meshkb = tool("meshkb")
    probe = subprocess.run(
        [meshkb, "scan", "--help"], cwd=ROOT, env=env(), capture_output=True, check=False
    )
    if probe.returncode != 0:
        bench.add("scan_s", label, NA, "s", goal="< 2", note="`meshkb scan` not registered")
        return
    manifest = bench.workdir / "manifests.yaml"
    manifest.write_text(synth.manifests_yaml(plan.scan_resources), "utf-8")
    argv = [meshkb, "scan", str(manifest), "--format", "json"]
    try:
        first = run_timed(argv, ok_codes=(0, 1))  # warm-up
        # Far over the goal, more runs only cost time: the verdict cannot change.
        runs = plan.scan_runs if first < 4.0 else 1
        cpu: list[float] = []
        samples = [run_timed(argv, ok_codes=(0, 1), cpu=cpu) for _ in range(runs)]
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        bench.add("scan_s", label, NA, "s", goal="< 2", note=str(exc)[:200])
        return
    mb = manifest.stat().st_size / 1e6
    bench.add(
        "scan_s",
        label,
        median(samples),
        "s",
        goal="< 2",
        check=below(2.0),
        note=f"one multi-document file, {mb:.1f} MB; exit 0 or 1 accepted; "
        f"CPU time (user+sys) {median(cpu):.2f} s",
        samples=samples,
    )
    bench.profiles["scan_s"] = lambda: profile_subprocess(argv, top=20)


# ---- 5. assets ---------------------------------------------------------------------


def bench_assets(bench: Bench) -> None:
    assets = sorted([*PKG.glob("assets/*.js"), *PKG.glob("assets/*.css")])
    if not assets:
        for key in ("assets_gzip_kb", "assets_source_gzip_kb", "assets_cost_page_gzip_kb"):
            bench.add(key, "page assets, gzip -9", NA, "kB", note="no assets yet")
        return
    from meshkb.site.generate import ASSET_DIR, LOADED_BY_SCRIPT, ON_DEMAND, generated_files

    gz = lambda data: len(gzip.compress(data, compresslevel=9, mtime=0))  # noqa: E731
    served = generated_files([])  # what `meshkb site generate` writes: minified
    per_file = {}
    for path in assets:
        raw = path.read_bytes()
        out = served[f"{ASSET_DIR}/{path.name}"].encode("utf-8")
        per_file[path.name] = {
            "bytes": len(raw),
            "gzip_bytes": gz(raw),
            "served_bytes": len(out),
            "served_gzip_bytes": gz(out),
        }
    bench.details["assets"] = per_file
    # What a page loads: every page gets the assets the plugin lists in extra_css and
    # extra_javascript; the on-demand ones come only with the cost calculator, and the
    # report module only when a reader exports or imports.
    every_page = {n: f for n, f in per_file.items() if n not in (*ON_DEMAND, *LOADED_BY_SCRIPT)}
    bench.add(
        "assets_gzip_kb",
        f"assets on every page as served (minified), gzip -9 ({len(every_page)} files)",
        sum(f["served_gzip_bytes"] for f in every_page.values()) / 1000,
        "kB",
        goal="≤ 16",  # issue 12's budget; tests/site/test_plugin.py holds it too
        check=at_most(16.0),
        note=", ".join(
            f"{n} {f['served_gzip_bytes'] / 1000:.2f} kB" for n, f in every_page.items()
        ),
    )
    bench.add(
        "assets_source_gzip_kb",
        f"the same files' readable sources, gzip -9 ({len(every_page)} files)",
        sum(f["gzip_bytes"] for f in every_page.values()) / 1000,
        "kB",
        note="for scale: what minifying saves",
    )
    bench.add(
        "assets_cost_page_gzip_kb",
        f"assets on the cost page as served (with the calculator), gzip -9 ({len(every_page) + len(ON_DEMAND)} files)",
        sum(f["served_gzip_bytes"] for n, f in per_file.items() if n not in LOADED_BY_SCRIPT)
        / 1000,
        "kB",
        note="the calculator's script and stylesheet load only where it is",
    )


# ---- output ------------------------------------------------------------------------


def fmt(figure: Figure) -> str:
    value = figure.value
    if isinstance(value, str):
        return value
    if figure.unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if figure.unit == "x":
        return f"{value:.2f}x"
    return f"{value:.2f} {figure.unit}"


def table(bench: Bench) -> str:
    rows = [("figure", "value", "goal", "verdict")]
    for key in [k for k in FIGURE_KEYS if k in bench.figures]:
        f = bench.figures[key]
        rows.append((f.label, fmt(f), f.goal or "-", f.verdict))
    for name, sizes in bench.details.get("assets", {}).items():
        both = (
            f"{sizes['served_gzip_bytes'] / 1000:.2f} kB (source {sizes['gzip_bytes'] / 1000:.2f})"
        )
        rows.append((f"  asset {name}, served, gzip -9", both, "-", "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [
        f"- {bench.figures[k].label}: {bench.figures[k].note}"
        for k in FIGURE_KEYS
        if k in bench.figures
    ]
    return "\n".join(lines) + "\n\nNotes:\n" + "\n".join(n for n in notes if not n.endswith(": "))


def missed(bench: Bench) -> list[str]:
    return [
        f.key
        for f in bench.figures.values()
        if f.verdict.startswith(("MISSED", "SUPER-LINEAR", "ok (aim"))
    ]


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the collector off the objects alive now (the loaded inputs) while timing.

    They stay in memory for the whole measurement; frozen, a full collection that happens
    to fall in one run cannot pose as growth of the code being timed.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


STEP_NAMES = ("assets", "cold_start", "report", "scan", "scale", "site")


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="meshkb-bench-") as tmp:
        yield Path(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 2-3 repetitions")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"output (default: {DEFAULT_JSON})"
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="missed",
        choices=("missed", "all"),
        help="cProfile the figures that miss their goal (or all) and print the hot spots",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="measure peak memory with tracemalloc (5-6x slower) instead of a fresh process's RSS",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the site builds' instructions with valgrind (adds about 5 minutes)",
    )
    parser.add_argument(
        "--only",
        metavar="STEP[,STEP]",
        help="run only these steps: "
        + ", ".join(STEP_NAMES)
        + " (the JSON then holds only theirs)",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(STEP_NAMES)
    if not only <= set(STEP_NAMES):
        parser.error(f"--only: unknown step(s) {', '.join(sorted(only - set(STEP_NAMES)))}")
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    with workdir() as tmp:
        bench = Bench(plan, tmp)
        if args.tracemalloc:
            bench.memory = "tracemalloc"
        bench.instructions = args.instructions
        steps: list[tuple[Callable[[Bench], None], list[str]]] = [
            (bench_assets, ["assets_gzip_kb", "assets_source_gzip_kb", "assets_cost_page_gzip_kb"]),
            (bench_cold_start, [k for k in FIGURE_KEYS if k.startswith("cold_start")]),
            (bench_report, [k for k in FIGURE_KEYS if k.startswith("report_")]),
            (bench_scan, ["scan_s"]),
            (bench_scale, [k for k in FIGURE_KEYS if k.startswith("scale_")]),
            (bench_site, [k for k in FIGURE_KEYS if k.startswith("site_")]),
        ]
        failed_steps: list[str] = []
        step_seconds: dict[str, float] = {}
        for step, keys in steps:
            name = step.__name__.removeprefix("bench_")
            if name not in only:
                continue
            print(f"bench: {name} ...", file=sys.stderr)
            step_started = time.perf_counter()
            try:
                step(bench)
            except Exception as exc:  # one broken figure must not hide the others
                note = f"error: {type(exc).__name__}: {exc}"[:300]
                print(f"bench: {name} failed: {note}", file=sys.stderr)
                failed_steps.append(name)
                for key in keys:
                    if key not in bench.figures:
                        bench.add(key, key, NA, "", note=note)
            step_seconds[name] = round(time.perf_counter() - step_started, 1)
        duration = time.perf_counter() - started
        print(table(bench))
        print(f"\n{plan.mode} run: {duration:.0f} s")
        profiles = {}
        if args.profile:
            chosen = bench.profiles if args.profile == "all" else missed(bench)
            for key in chosen:
                if key in bench.profiles:
                    print(f"\n==== profile: {bench.figures[key].label}")
                    try:
                        profiles[key] = bench.profiles[key]()
                    except Exception as exc:  # a failed profile must not lose the figures
                        profiles[key] = f"profile failed: {type(exc).__name__}: {exc}"
                    print(profiles[key])
    result = {
        "meta": {
            "mode": plan.mode,
            "plan": dataclasses.asdict(plan),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "duration_s": round(duration, 1),
            "memory": bench.memory,
            "step_seconds": step_seconds,
        },
        "figures": {
            key: dataclasses.asdict(bench.figures[key])
            for key in FIGURE_KEYS
            if key in bench.figures
        },
        "details": bench.details,
        "profiles": profiles,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {args.json}", file=sys.stderr)
    if failed_steps:
        print(f"bench: failed: {', '.join(failed_steps)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
