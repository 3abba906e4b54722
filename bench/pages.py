"""The site in a real Chromium: page heights, screenshots, axe, Lighthouse, a big checklist.

Run from the repository with the project's interpreter (see bench/README.md, "Pages"):

    .venv/bin/python bench/pages.py heights [--site DIR]
    .venv/bin/python bench/pages.py screenshots [--site DIR] [--out DIR]
    .venv/bin/python bench/pages.py axe [--site DIR]
    .venv/bin/python bench/pages.py scale [--items 1000]
    .venv/bin/python bench/pages.py lighthouse [--site DIR] [--runs 3]

Without `--site` the repository's site is built first (`mkdocs build`, into a temporary
folder). Pages are served on 127.0.0.1 with gzip, as a static host serves them. Every
command prints its figures and, with `--json PATH`, writes them as JSON.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
BUILD_ENV = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
PAGES = {"home": "", "compare": "compare/", "cost": "cost/", "migration": "checklists/migration/"}
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
LIGHTHOUSE = "lighthouse@12.2.3"
DRAW_EVERY_ROW = (
    ".md-typeset .meshkb-items > .meshkb-item { content-visibility: visible !important; }"
)
GZIP_TYPES = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt")


class _GzipHandler(SimpleHTTPRequestHandler):
    """Static files, gzipped when the client accepts it (as GitHub Pages and nginx do)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (
            "gzip" not in self.headers.get("Accept-Encoding", "")
            or not path.is_file()
            or not path.name.endswith(GZIP_TYPES)
        ):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        import io

        return io.BytesIO(body)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_GzipHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def build_site(source: Path, target: Path, site_url: str = "http://127.0.0.1:8000/") -> Path:
    env = {**os.environ, **BUILD_ENV, "MESHKB_SITE_URL": site_url}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "--config-file",
            str(source / "mkdocs.yml"),
            "--site-dir",
            str(target),
        ],
        cwd=source,
        env=env,
        check=True,
    )
    return target


@contextmanager
def site_folder(given: str | None) -> Iterator[Path]:
    if given:
        yield Path(given)
        return
    with tempfile.TemporaryDirectory(prefix="meshkb-pages-") as tmp:
        yield build_site(ROOT, Path(tmp) / "site")


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(b: Any, url: str, viewport: str, scheme: str = "light", *, every_row: bool = True) -> Any:
    width, height = VIEWPORTS[viewport]
    context = b.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,
        device_scale_factor=1,
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
    )
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    # Checklist rows are drawn as they near the screen (content-visibility: auto); heights,
    # screenshots and axe want every row as a reader scrolling would see it (not `scale`).
    if every_row:
        page.add_style_tag(content=DRAW_EVERY_ROW)
    return page


def heights(site: Path) -> dict[str, Any]:
    """Full-page height of every page of PAGES and of the item rows on the migration page."""
    figures: dict[str, Any] = {}
    with serve(site) as url, browser() as b:
        for viewport in VIEWPORTS:
            for name, path in PAGES.items():
                page = _open(b, url + path, viewport)
                figures[f"height_{name}_{viewport}_px"] = page.evaluate(
                    "document.documentElement.scrollHeight"
                )
                if name == "migration":
                    rows = page.evaluate(
                        "[...document.querySelectorAll('li[data-meshkb-item]:not([data-meshkb-retired])')]"
                        ".map(e => e.getBoundingClientRect().height)"
                    )
                    figures[f"item_height_max_{viewport}_px"] = round(max(rows), 1)
                    figures[f"item_height_median_{viewport}_px"] = round(statistics.median(rows), 1)
                page.context.close()
    return figures


def screenshots(site: Path, out: Path) -> dict[str, Any]:
    """Full-page PNGs of PAGES, light and dark, desktop and phone."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serve(site) as url, browser() as b:
        for name, path in PAGES.items():
            for scheme in ("light", "dark"):
                for viewport in VIEWPORTS:
                    page = _open(b, url + path, viewport, scheme)
                    file = out / f"{name}-{scheme}-{viewport}.png"
                    page.screenshot(path=str(file), full_page=True)
                    written.append(str(file))
                    page.context.close()
    return {"screenshots": len(written), "folder": str(out)}


ANSWERS_PER_RUN = 25
SCRIPT_READY_MS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const mark = performance.getEntriesByName('meshkb-ready')[0];
  return mark ? mark.startTime - nav.startTime : null;
}"""
# Each answer as a reader gives it: the item is scrolled into view and drawn first (a
# click on an item off screen would also have Chromium draw it, which no reader causes),
# then the time from the click to the end of a forced style and layout is taken, and the
# item must show the state chosen.
ANSWER_MS = """async (count) => {
  const drawn = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  const radios = [...document.querySelectorAll(
    '.meshkb-items > li:not([data-meshkb-retired]) .meshkb-st-fail input')];
  const times = [];
  let changed = 0;
  for (let n = 0; n < count; n++) {
    const radio = radios[Math.floor(n * radios.length / count)];
    const item = radio.closest('[data-meshkb-item]');
    item.scrollIntoView({ block: 'center' });
    await drawn();
    const start = performance.now();
    radio.click();
    void document.body.getBoundingClientRect().height;
    times.push(performance.now() - start);
    if (radio.checked && item.classList.contains('meshkb-s-fail')) changed++;
  }
  return { times, changed };
}"""


def scale(items: int) -> dict[str, Any]:
    """A generated checklist of `items` items on its page: time to interactive and per answer."""
    sys.path.insert(0, str(Path(__file__).parent))
    import synth

    with tempfile.TemporaryDirectory(prefix="meshkb-scale-") as tmp:
        source = Path(tmp) / "src"
        for folder in ("docs", "checklists", "overrides"):  # the site's sources, theme override too
            shutil.copytree(ROOT / folder, source / folder)
        shutil.copy2(ROOT / "mkdocs.yml", source / "mkdocs.yml")
        cid, text = synth.checklist_yaml(0, items, 10)
        (source / "checklists" / f"{cid}.yaml").write_text(text, encoding="utf-8")
        site = build_site(source, source / "site")
        html = site / "checklists" / cid / "index.html"
        figures: dict[str, Any] = {
            "scale_items": items,
            "scale_page_kb": round(html.stat().st_size / 1000),
        }
        with serve(site) as url, browser() as b:
            ready, answer = [], []
            for _ in range(3):
                page = _open(b, url + f"checklists/{cid}/", "desktop", every_row=False)
                page.wait_for_selector(".meshkb[data-meshkb-ready]")
                # From the start of navigation to the end of the script's start-up.
                started = page.evaluate(SCRIPT_READY_MS)
                if started is None:
                    raise SystemExit("scale: the page script set no 'meshkb-ready' mark")
                ready.append(started)
                clicks = page.evaluate(ANSWER_MS, ANSWERS_PER_RUN)
                if clicks["changed"] != ANSWERS_PER_RUN:
                    raise SystemExit(
                        f"scale: {clicks['changed']} of {ANSWERS_PER_RUN} clicks changed an answer"
                    )
                answer.extend(clicks["times"])
                page.context.close()
        figures["scale_interactive_ms"] = round(statistics.median(ready))
        figures["scale_answer_ms_median"] = round(statistics.median(answer), 1)
        figures["scale_answer_ms_max"] = round(max(answer), 1)
        return figures


LIGHTHOUSE_DIR = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "meshkb-bench" / "lighthouse"
)


def _lighthouse_bin() -> Path:
    """Lighthouse 12.2.3 from npm, installed once into a cache folder outside the repo.

    Lighthouse 13 needs Node 22; Debian 12 has Node 18 to 20, so the version is pinned.
    """
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--save-exact", "--no-audit", "--no-fund", LIGHTHOUSE],
            cwd=LIGHTHOUSE_DIR,
            check=True,
        )
    return binary


def _lighthouse_run(binary: Path, url: str, form: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run of one page: its JSON report."""
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        # As root Chromium runs only without its sandbox (CHROMIUM_ARGS has --no-sandbox).
        "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS),
        "--only-categories=performance,accessibility,best-practices,seo",
    ]
    if form == "desktop":
        command.append("--preset=desktop")
    subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, timeout=300)
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"lighthouse: {url} ({form}): {report['runtimeError']}")
    return report


def lighthouse(site: Path | None, runs: int) -> dict[str, Any]:
    """Lighthouse scores (mobile and desktop) of PAGES, served gzipped, in Debian's Chromium.

    Scores and CLS are the medians of `runs` runs; the audits listed are those below 0.9
    in any run. Without a given site, the site is built for the address it is served at,
    so its canonical links point at the pages Lighthouse reads.
    """
    binary = _lighthouse_bin()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="meshkb-lh-") as tmp:
        folder = site or Path(tmp) / "site"
        folder.mkdir(exist_ok=True)
        with serve(folder) as url:
            if site is None:
                build_site(ROOT, folder, site_url=url)
            for name, path in PAGES.items():
                for form in ("mobile", "desktop"):
                    scores: dict[str, list[float]] = {}
                    failed: set[str] = set()
                    for run in range(runs):
                        report = _lighthouse_run(
                            binary, url + path, form, Path(tmp) / f"{name}-{form}-{run}.json"
                        )
                        for key, category in report["categories"].items():
                            scores.setdefault(key, []).append(100 * (category["score"] or 0))
                        audits = report["audits"]
                        scores.setdefault("cls", []).append(
                            audits["cumulative-layout-shift"]["numericValue"]
                        )
                        failed.update(
                            audit_id
                            for audit_id, audit in audits.items()
                            if audit.get("score") is not None
                            and audit["score"] < 0.9
                            and audit.get("scoreDisplayMode")
                            in ("binary", "numeric", "metricSavings")
                        )
                    for key, values in scores.items():
                        value = statistics.median(values)
                        figures[f"lh_{name}_{form}_{key}"] = (
                            round(value, 3) if key == "cls" else round(value)
                        )
                    figures[f"lh_{name}_{form}_below_90"] = ",".join(sorted(failed)) or "-"
    return figures


def axe(site: Path) -> dict[str, Any]:
    """axe-core findings on every page but the /go/ redirects, light and dark."""
    from axe_playwright_python.sync_playwright import Axe

    paths = sorted(
        "" if p.parent == site else p.parent.relative_to(site).as_posix() + "/"
        for p in site.rglob("index.html")
        if p.parent.relative_to(site).parts[:1] not in (("go",), ("search",))
    )
    found: dict[str, Any] = {}
    total = 0
    with serve(site) as url, browser() as b:
        for scheme in ("light", "dark"):
            for path in paths:
                page = _open(b, url + path, "desktop", scheme)
                results = Axe().run(page)
                total += results.violations_count
                if results.violations_count:
                    rules = [v["id"] for v in results.response["violations"]]
                    found[f"axe_{scheme}_{path or 'home'}"] = ",".join(rules)
                page.context.close()
    return {"axe_pages": len(paths) * 2, "axe_findings": total, **found}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["heights", "screenshots", "axe", "scale", "lighthouse"])
    parser.add_argument("--site", help="a built site folder (default: build the repository's)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "screenshots"))
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and form")
    parser.add_argument("--json", help="write the figures here as JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.command == "scale":
        figures = scale(args.items)
    elif args.command == "lighthouse":
        figures = lighthouse(Path(args.site) if args.site else None, args.runs)
    else:
        figures = run_on_site(args)
    figures["elapsed_s"] = round(time.perf_counter() - started, 1)
    for key, value in figures.items():
        print(f"{key:40} {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


def run_on_site(args: argparse.Namespace) -> dict[str, Any]:
    with site_folder(args.site) as site:
        if args.command == "heights":
            figures = heights(site)
        elif args.command == "screenshots":
            figures = screenshots(site, Path(args.out))
        else:
            figures = axe(site)
    return figures


if __name__ == "__main__":
    sys.exit(main())
