"""YAML text -> validated Checklist; every problem in a file reported at once."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from meshkb.core import facts, validate, validated
from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.files import file_kind, read_text
from meshkb.core.model import AppliesWhen, Checklist, Item, Outcome, Ref, Rule, Section
from meshkb.core.yaml_policy import Located, load_yaml_text

ENV_DIR = "MESHKB_CHECKLISTS"
"""Environment variable naming the team's checklist folders (joined like PATH)."""


def load_checklist_text(
    text: str, file: str, *, builtin: bool = False
) -> tuple[Checklist, Located]:
    """Parse and validate one checklist; raise MeshkbError listing every problem.

    `builtin`: the file is one of the package's own, whose schema check may come from
    the record of `meshkb.core.validated` while its bytes are those recorded.
    """
    located = load_yaml_text(text, file)
    problems: list[Problem] = []
    if not (builtin and validated.recorded_valid(Path(file).name, text)):
        problems = [
            located.at(path, message)
            for path, message in validate.errors(located.data, "checklist")
        ]
    problems += facts.resolve_located(located)  # [[fact:KEY]] -> value and unit
    if problems:
        raise MeshkbError(problems)
    checklist = _build(located.data, file)
    problems = _rules_within(checklist, located)
    if problems:
        raise MeshkbError(problems)
    return checklist, located


def load_checklist(path: str | Path) -> Checklist:
    """Load one checklist file."""
    checklist, located = load_checklist_text(read_text(path), str(path), builtin=is_builtin(path))
    expected = Path(path).stem
    if checklist.id != expected:
        raise MeshkbError(
            located.at("$.id", f"id {checklist.id!r} must match the file name {expected!r}")
        )
    return checklist


def checklist_files(directory: Path) -> list[Path]:
    """The checklist files in a folder, sorted.

    A `.yaml` name that is not a regular file (a FIFO would block the read forever, a
    folder or a broken link cannot be read) is refused, not skipped without a word.
    """
    found = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    refused = [Problem(str(p), _not_a_checklist_file(p)) for p in found if not p.is_file()]
    if refused:
        raise MeshkbError(refused)
    return found


def _not_a_checklist_file(path: Path) -> str:
    try:
        kind = file_kind(path.stat().st_mode)
    except OSError:
        kind = "a broken symbolic link" if path.is_symlink() else "unreadable"
    return f"is {kind}, not a regular file; a checklist must be a regular YAML file"


def load_all(paths: Iterable[Path], *, use_record: bool = True) -> list[Checklist]:
    """Load several checklists and check the rules that span files.

    Problems from every file are gathered and raised together. `use_record=False` puts
    the built-in checklists through the schema too (`meshkb validate`).
    """
    return [checklist for checklist, _ in load_all_located(paths, use_record=use_record)]


def load_all_located(
    paths: Iterable[Path], *, use_record: bool = True
) -> list[tuple[Checklist, Located]]:
    """`load_all`, keeping each checklist's parsed data and where each value came from."""
    loaded: list[tuple[Checklist, Located]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            text = read_text(path)
            builtin = use_record and is_builtin(path)
            checklist, located = load_checklist_text(text, str(path), builtin=builtin)
        except MeshkbError as exc:
            problems.extend(exc.problems)
            continue
        if checklist.id != path.stem:
            problems.append(
                located.at("$.id", f"id {checklist.id!r} must match the file name {path.stem!r}")
            )
        loaded.append((checklist, located))
    problems.extend(_rules_across(loaded))
    if problems:
        raise MeshkbError(problems)
    return loaded


def checklist_from_data(data: Mapping[str, Any], file: str) -> Checklist:
    """The checklist of data that `load_all_located` accepted before (the site cache).

    Nothing is checked again: only data that passed every check may come here.
    """
    return _build(data, file)


def sources_root() -> Path | None:
    """Where meshkb's own `mkdocs.yml`, `checklists/` and `docs/` are.

    A wheel carries them in `meshkb/bundled/` (see setup.py); a checkout (an editable
    install) has them at the top of the repository.
    """
    package = Path(__file__).resolve().parents[1]
    for root in (package / "bundled", package.parents[1]):
        if (root / "checklists").is_dir() and (root / "mkdocs.yml").is_file():
            return root
    return None


def builtin_directory() -> Path | None:
    """The folder of the package's own checklists, or None when it has none."""
    root = sources_root()
    return None if root is None else root / "checklists"


def is_builtin(path: str | Path) -> bool:
    """Whether `path` is one of the package's own checklist files."""
    directory = builtin_directory()
    return directory is not None and Path(path).resolve().parent == directory


def checklist_directories(team: Sequence[str] = (), *, builtin: bool = True) -> list[Path]:
    """The built-in checklists, then the team's: `--checklists DIR` or `$MESHKB_CHECKLISTS`.

    The variable may name several folders, separated like PATH. A folder given twice (or
    the built-in one given again) counts once; `builtin=False` leaves the shipped ones out.
    """
    directories: list[Path] = []
    own = builtin_directory() if builtin else None
    if own is not None:
        directories.append(own)
    named = list(team) or [p for p in os.environ.get(ENV_DIR, "").split(os.pathsep) if p]
    for raw in named:
        path = Path(raw)
        if not path.is_dir():
            where = raw if team else f"{raw} (from ${ENV_DIR})"
            raise MeshkbError(Problem(where, "checklists folder not found"))
        if path.resolve() not in {d.resolve() for d in directories}:
            directories.append(path)
    if not directories:
        raise MeshkbError("no checklists: give a folder with --checklists DIR or $" + ENV_DIR)
    return directories


def all_checklist_files(directories: Iterable[Path]) -> list[Path]:
    """The checklist files of several folders, folder by folder."""
    return [path for directory in directories for path in checklist_files(directory)]


def find_checklist(name: str, directories: Sequence[Path]) -> Path:
    """The file of checklist `name`, or an error listing the ones that exist."""
    for directory in directories:
        for suffix in (".yaml", ".yml"):
            path = directory / f"{name}{suffix}"
            if path.is_file():
                return path
    from meshkb.core.suggest import did_you_mean

    names = [p.stem for p in all_checklist_files(directories)]
    where = ", ".join(str(d) for d in directories)
    raise MeshkbError(
        Problem(
            where,
            f"no checklist {name!r} (known: {', '.join(names) or 'none'}){did_you_mean(name, names)}",
        )
    )


def _build(data: Mapping[str, Any], file: str) -> Checklist:
    sections = tuple(
        Section(
            id=s["id"],
            title=s["title"],
            intro=s.get("intro", ""),
            items=tuple(_item(raw) for raw in s["items"]),
        )
        for s in data["sections"]
    )
    return Checklist(
        id=data["id"],
        prefix=data["prefix"],
        version=data["version"],
        title=data["title"],
        summary=data["summary"],
        last_reviewed=data["last_reviewed"],
        sections=sections,
        applies_to=_applies(data.get("applies_to")),
        outcomes=tuple(_outcome(raw) for raw in data.get("outcomes", [])),
        source=file,
    )


def _applies(raw: Mapping[str, Any] | None) -> AppliesWhen:
    if not raw:
        return AppliesWhen()
    return AppliesWhen(mesh=tuple(raw.get("mesh", ())), dataplane=tuple(raw.get("dataplane", ())))


def _item(raw: Mapping[str, Any]) -> Item:
    if raw.get("status") == "retired":
        return Item(
            id=raw["id"],
            rev=int(raw["rev"]),
            title=raw["title"],
            status="retired",
            replaced_by=raw.get("replaced_by"),
            reason=raw.get("reason"),
        )
    how = raw["how"]
    how_pairs = (("default", how),) if isinstance(how, str) else tuple(how.items())
    return Item(
        id=raw["id"],
        rev=int(raw["rev"]),
        title=raw["title"],
        check=raw["check"],
        why=raw["why"],
        how=how_pairs,
        severity=raw["severity"],
        applies_when=_applies(raw.get("applies_when")),
        refs=tuple(Ref(**ref) for ref in raw["refs"]),
        probe=raw.get("probe"),
    )


def _outcome(raw: Mapping[str, Any]) -> Outcome:
    otherwise = raw["otherwise"]
    return Outcome(
        id=raw["id"],
        title=raw["title"],
        rules=tuple(Rule(r["when"], r["result"], r["label"], r["reason"]) for r in raw["rules"]),
        otherwise=Rule({}, otherwise["result"], otherwise["label"], otherwise["reason"]),
    )


def _item_paths(checklist: Checklist) -> dict[str, str]:
    return {
        item.id: f"$.sections[{s}].items[{i}]"
        for s, section in enumerate(checklist.sections)
        for i, item in enumerate(section.items)
    }


def _rules_within(checklist: Checklist, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    seen_items: dict[str, str] = {}
    for s, section in enumerate(checklist.sections):
        for i, item in enumerate(section.items):
            path = f"$.sections[{s}].items[{i}].id"
            if not item.id.startswith(checklist.prefix + "-"):
                problems.append(
                    located.at(path, f"{item.id!r} must start with the prefix {checklist.prefix}-")
                )
            if item.id in seen_items:
                line = located.marks.get(seen_items[item.id], (0, 0))[0]
                problems.append(
                    located.at(path, f"{item.id!r} is used twice (first at line {line})")
                )
            else:
                seen_items[item.id] = path
    seen_sections: set[str] = set()
    for s, section in enumerate(checklist.sections):
        if section.id in seen_sections:
            problems.append(
                located.at(f"$.sections[{s}].id", f"section id {section.id!r} is used twice")
            )
        seen_sections.add(section.id)
    known = checklist.item_by_id()
    for o, outcome in enumerate(checklist.outcomes):
        for r, rule in enumerate(outcome.rules):
            base = f"$.outcomes[{o}].rules[{r}].when"
            for item_id in sorted(_condition_items(rule.when)):
                if item_id not in known:
                    problems.append(
                        located.at(
                            base, f"condition names {item_id!r}, which is not in this checklist"
                        )
                    )
                elif known[item_id].retired:
                    problems.append(
                        located.at(base, f"condition names {item_id!r}, which is retired")
                    )
    return problems


def _condition_items(condition: Mapping[str, Any]) -> set[str]:
    if "item" in condition:
        return {condition["item"]}
    if "count" in condition:
        return set(condition["count"])
    if "not" in condition:
        return _condition_items(condition["not"])
    found: set[str] = set()
    for sub in condition.get("all", condition.get("any", [])):
        found |= _condition_items(sub)
    return found


def _rules_across(loaded: list[tuple[Checklist, Located]]) -> list[Problem]:
    problems: list[Problem] = []
    prefixes: dict[str, str] = {}
    owners: dict[str, str] = {}
    for checklist, located in loaded:
        if checklist.prefix in prefixes:
            problems.append(
                located.at(
                    "$.prefix",
                    f"prefix {checklist.prefix!r} is already used by {prefixes[checklist.prefix]}",
                )
            )
        prefixes.setdefault(checklist.prefix, checklist.source)
        paths = _item_paths(checklist)
        for item in checklist.all_items():
            if item.id in owners and owners[item.id] != checklist.source:
                problems.append(
                    located.at(
                        paths[item.id] + ".id", f"{item.id!r} is also used in {owners[item.id]}"
                    )
                )
            owners.setdefault(item.id, checklist.source)
    every = {item.id: item for checklist, _ in loaded for item in checklist.all_items()}
    for checklist, located in loaded:
        paths = _item_paths(checklist)
        for item in checklist.all_items():
            if item.replaced_by is None:
                continue
            target = every.get(item.replaced_by)
            where = paths[item.id] + ".replaced_by"
            if target is None:
                problems.append(
                    located.at(where, f"replaced_by {item.replaced_by!r} does not exist")
                )
            elif target.retired:
                problems.append(
                    located.at(where, f"replaced_by {item.replaced_by!r} is itself retired")
                )
    return problems
