"""Copies of this repository's site that build without the meshkb plugin: the baselines.

- `config_without_plugin` is the *bare* site: the plugin removed, its directive lines
  blanked and the pages only it generates gone. It is smaller than the site users get.
- `config_replay_site` is the *same* site without the plugin: everything the plugin
  adds, recorded from a real build with it (`record`, run in a child process), is pasted
  back by a hook that only looks things up (`replay_hook.py`). Building it does the same
  Markdown, theme and search work as the real site, minus the plugin's own work. That is
  what "the plugin adds at most 5% to a full build" compares against.

Run as a script (`python bench/sitecopy.py record CONFIG SITE_DIR OUT_JSON`), it records.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

DIRECTIVE_LINE = re.compile(r"^[ \t]*\[\[meshkb:[^\]]*\]\][ \t]*$", re.MULTILINE)
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"


def _scalar(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _get(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in mapping.value:
        if _scalar(k) == key:
            return v
    return None


def _set(mapping: yaml.MappingNode, key: str, value: str) -> None:
    _set_node(mapping, key, yaml.ScalarNode(_STR, value))


def _set_node(mapping: yaml.MappingNode, key: str, node: yaml.Node) -> None:
    for index, (k, _) in enumerate(mapping.value):
        if _scalar(k) == key:
            mapping.value[index] = (k, node)
            return
    mapping.value.append((yaml.ScalarNode(_STR, key), node))


def _entry_name(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        return _scalar(node.value[0][0])
    return _scalar(node)


def _is_meshkb(name: str | None) -> bool:
    return (name or "").split(".")[0] == "meshkb"


def _drop_meshkb(node: yaml.Node | None) -> None:
    """Remove `meshkb` entries from a plugins or markdown_extensions node (list or mapping)."""
    if isinstance(node, yaml.SequenceNode):
        node.value = [e for e in node.value if not _is_meshkb(_entry_name(e))]
    elif isinstance(node, yaml.MappingNode):
        node.value = [(k, v) for k, v in node.value if not _is_meshkb(_scalar(k))]


def _prune_nav(node: yaml.Node, docs: Path) -> yaml.Node | None:
    """The nav without entries to pages that do not exist (the plugin's generated pages)."""
    if isinstance(node, yaml.SequenceNode):
        kept = [child for child in (_prune_nav(e, docs) for e in node.value) if child is not None]
        node.value = kept
        return node if kept else None
    if isinstance(node, yaml.MappingNode):
        pairs = []
        for k, v in node.value:
            pruned = _prune_nav(v, docs)
            if pruned is not None:
                pairs.append((k, pruned))
        node.value = pairs
        return node if pairs else None
    target = _scalar(node) or ""
    if "://" in target or target.startswith("/") or (docs / target).exists():
        return node
    return None


def plugin_enabled(config: Path) -> bool:
    root = yaml.compose(config.read_text("utf-8"), Loader=yaml.SafeLoader)
    plugins = _get(root, "plugins") if isinstance(root, yaml.MappingNode) else None
    names: list[str | None] = []
    if isinstance(plugins, yaml.SequenceNode):
        names = [_entry_name(e) for e in plugins.value]
    elif isinstance(plugins, yaml.MappingNode):
        names = [_scalar(k) for k, _ in plugins.value]
    return "meshkb" in names


def config_without_plugin(
    config: Path, target: Path, *, blank: bool = True
) -> tuple[Path, list[str]]:
    """Write a copy of mkdocs.yml and docs/ that builds without the meshkb plugin.

    The plugin and any meshkb Markdown extension are removed and relative paths are made
    absolute. With `blank` (the bare site), `[[meshkb:...]]` directive lines in the copied
    pages are blanked and nav entries to pages that only the plugin generates are dropped;
    without it they are left for `config_static_site` to fill in. Returns what was changed.
    """
    root = yaml.compose(config.read_text("utf-8"), Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    base = config.parent
    docs_node = _get(root, "docs_dir")
    docs_src = base / ((_scalar(docs_node) if docs_node else None) or "docs")
    docs = target / "docs"
    shutil.copytree(docs_src, docs)
    changes = ["plugin meshkb removed"]
    blanked = 0
    for page in docs.rglob("*.md") if blank else ():
        text = page.read_text("utf-8")
        new, count = DIRECTIVE_LINE.subn("", text)
        if count:
            page.write_text(new, "utf-8")
            blanked += count
    if blank:
        changes.append(f"{blanked} [[meshkb:...]] line(s) blanked")
    _drop_meshkb(_get(root, "plugins"))
    _drop_meshkb(_get(root, "markdown_extensions"))
    _set(root, "docs_dir", str(docs))
    theme = _get(root, "theme")
    if isinstance(theme, yaml.MappingNode):
        custom_node = _get(theme, "custom_dir")
        custom = _scalar(custom_node) if custom_node else None
        if custom:
            _set(theme, "custom_dir", str(base / custom))
    hooks = _get(root, "hooks")
    if isinstance(hooks, yaml.SequenceNode):
        for i, hook in enumerate(hooks.value):
            if _scalar(hook):
                hooks.value[i] = yaml.ScalarNode(_STR, str(base / hook.value))
    nav = _get(root, "nav")
    if nav is not None and blank:
        before = yaml.serialize(nav)
        _prune_nav(nav, docs)
        if yaml.serialize(nav) != before:
            changes.append("nav entries to generated pages dropped")
    out = target / "mkdocs-without-meshkb.yml"
    out.write_text(yaml.serialize(root), "utf-8")
    return out, changes


def config_replay_site(
    config: Path, target: Path, timeout: float = 180
) -> tuple[Path, list[str], Path]:
    """Write a copy of mkdocs.yml and docs/ that builds the same site without the plugin.

    Builds the site once with the plugin (in a child process, recording everything the
    plugin adds), then writes a copy of the config without the plugin and with the hook
    `replay_hook.py`, which pastes the recorded output back in where the plugin put it:
    directive output into Markdown's stash (as the plugin does, so no HTML is parsed),
    generated pages and files, appended HTML, tables of contents and anchors. The hook
    does nothing but look things up, so a build of the copy costs what the site costs
    without the plugin's own work. Returns the config, what was changed, and the site
    built with the plugin (to compare against).
    """
    recorded_json = target / "recorded.json"
    reference = target / "reference-site"
    subprocess.run(
        [sys.executable, __file__, "record", str(config), str(reference), str(recorded_json)],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    recorded = json.loads(recorded_json.read_text("utf-8"))
    out, _ = config_without_plugin(config, target, blank=False)
    root = yaml.compose(out.read_text("utf-8"), Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    for key in ("extra_css", "extra_javascript"):
        entries = [yaml.ScalarNode(_STR, value) for value in recorded[key]]
        _set_node(root, key, yaml.SequenceNode(_SEQ, entries))
    hooks = _get(root, "hooks")
    hook = yaml.ScalarNode(_STR, str(Path(__file__).with_name("replay_hook.py")))
    if isinstance(hooks, yaml.SequenceNode):
        hooks.value.append(hook)
    else:
        _set_node(root, "hooks", yaml.SequenceNode(_SEQ, [hook]))
    out.write_text(yaml.serialize(root), "utf-8")
    pages = sum(1 for p in recorded["files"] if p.endswith(".md"))
    changes = [
        "plugin meshkb removed",
        f"its output replayed by a hook: {len(recorded['expansions'])} directive(s), "
        f"{pages} generated page(s), {len(recorded['files']) - pages} other file(s)",
    ]
    return out, changes, reference


def record(config: Path, site_dir: Path) -> dict[str, Any]:
    """Build with the plugin in this process and return what the plugin added."""
    from meshkb import markdown_ext, mkdocs_plugin
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    expansions: list[dict[str, Any]] = []
    appended: dict[str, str] = {}
    files: dict[str, str] = {}
    tocs: dict[str, list[list[Any]]] = {}
    anchors: dict[str, list[str]] = {}
    assets: dict[str, str] = {}
    expand = markdown_ext.MeshkbExtension.expand
    asset_tags = markdown_ext.MeshkbExtension.asset_tags
    on_files = mkdocs_plugin.MeshkbPlugin.on_files
    on_page_content = mkdocs_plugin.MeshkbPlugin.on_page_content

    def recording_expand(self: Any, name: str, args: str, line: int) -> str:
        text = expand(self, name, args, line)
        expansions.append(
            {
                "page": self.context.source,
                "line": line,
                "markdown": name in self.markdown_directives,
                "text": text,
            }
        )
        return text

    def recording_assets(self: Any) -> str:
        text = asset_tags(self)
        assets[self.context.source] = text
        return text

    def recording_files(self: Any, found: Any, *, config: Any) -> Any:
        result = on_files(self, found, config=config)
        for file in result:
            if file.generated_by is not None:
                files[file.src_uri] = file.content_string
        return result

    def recording_content(self: Any, html: str, *, page: Any, config: Any, files: Any) -> str:
        toc = page.toc
        if self.extension.state.anchors:
            anchors[page.file.src_uri] = sorted(self.extension.state.anchors)
        own_toc = bool(self.extension.state.toc)  # a checklist page's entries, from the extension
        result = on_page_content(self, html, page=page, config=config, files=files)
        if page.toc is not toc or own_toc:
            tocs[page.file.src_uri] = [[e.title, e.id, e.level] for e in page.toc]
        if result != html:
            if not result.startswith(html):
                raise RuntimeError(f"{page.file.src_uri}: the plugin rewrote the page's HTML")
            appended[page.file.src_uri] = result[len(html) :]
        return result

    markdown_ext.MeshkbExtension.expand = recording_expand  # type: ignore[method-assign]
    markdown_ext.MeshkbExtension.asset_tags = recording_assets  # type: ignore[method-assign]
    mkdocs_plugin.MeshkbPlugin.on_files = recording_files  # type: ignore[method-assign]
    mkdocs_plugin.MeshkbPlugin.on_page_content = recording_content  # type: ignore[method-assign]
    cfg = load_config(str(config), site_dir=str(site_dir), strict=False)
    build(cfg)
    return {
        "expansions": expansions,
        "appended": appended,
        "files": files,
        "toc": tocs,
        "anchors": anchors,
        "assets": assets,
        "extra_css": [str(value) for value in cfg.extra_css],
        "extra_javascript": [str(value) for value in cfg.extra_javascript],
    }


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "record":
        sys.exit("usage: sitecopy.py record CONFIG SITE_DIR OUT_JSON")
    found = record(Path(sys.argv[2]), Path(sys.argv[3]))
    Path(sys.argv[4]).write_text(json.dumps(found), "utf-8")
