"""The report as data: JSON and YAML, and reading a report in any of its forms."""

from __future__ import annotations

import json
import re
from typing import Any

from meshkb.core import validate
from meshkb.core.errors import MeshkbError, Problem, key_suffix
from meshkb.core.model import (
    Answer,
    AnswerEvidence,
    Checklist,
    Report,
)
from meshkb.core.yaml_policy import load_yaml_text
from meshkb.report.build import (
    YAML_UNSAFE,
    check_answer,
    checklist_for,
    normalize,
    report_to_data,
    text_problems,
)


def render_json(checklist: Checklist, report: Report) -> str:
    """The report as JSON (2-space indent, UTF-8, trailing newline)."""
    return (
        json.dumps(report_to_data(normalize(checklist, report)), indent=2, ensure_ascii=False)
        + "\n"
    )


def render_yaml(checklist: Checklist, report: Report) -> str:
    """The report as YAML, same content as JSON."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        # Single-quoted and plain scalars carry NEL, LS and PS raw, and a reader folds
        # them; double quotes escape them (\N, \L, \P) and the other characters in
        # YAML_UNSAFE, so the text comes back as it was.
        style = '"' if YAML_UNSAFE.search(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    data = report_to_data(normalize(checklist, report))
    return str(yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100))


def report_from_data(
    data: Any,
    file: str,
    checklists: dict[str, Checklist],
    marks: dict[str, tuple[int, int]] | None = None,
) -> Report:
    """Validate plain data (from JSON or YAML) and build a Report."""

    def at(path: str, message: str) -> Problem:
        probe = path
        while marks is not None and probe not in marks and probe != "$":
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else "$"
        line, column = (marks or {}).get(probe, (1, 1) if marks is not None else (None, None))
        return Problem(file, message, line, column, path)

    problems = [at(path, message) for path, message in validate.errors(data, "report")]
    if not problems:
        problems = [at(path, message) for path, message in text_problems(data)]
    if problems:
        raise MeshkbError(problems)
    checklist = checklist_for(data, file, checklists, 1)
    known = checklist.item_by_id()
    answers: list[Answer] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["answers"]):
        path = f"$.answers[{index}]"
        if raw["id"] not in known:
            problems.append(
                at(
                    path + ".id",
                    f"{raw['id']} is not an item of checklist {checklist.id!r} {checklist.version}",
                )
            )
            continue
        if raw["id"] in seen:
            problems.append(at(path + ".id", f"{raw['id']} appears twice"))
            continue
        seen.add(raw["id"])
        answer = Answer(
            raw["id"],
            int(raw["rev"]),  # 1.0 is an integer to the schema
            raw["state"],
            raw["note"],
            raw["reason"],
            raw["owner"],
            tuple(AnswerEvidence(e["text"], e["source"]) for e in raw["evidence"]),
            raw["prefilled"],
            raw.get("automatic", False) and raw["state"] == "na",
        )
        try:
            check_answer(answer, file, path=path)
        except MeshkbError as exc:
            problems.extend(at(p.path or path, p.message) for p in exc.problems)
        answers.append(answer)
    if problems:
        raise MeshkbError(problems)
    return Report(
        data["checklist"],
        data["checklist_version"],
        data["system"],
        data["mesh"],
        data["dataplane"],
        data["date"],
        tuple(data["reviewers"]),
        tuple(answers),
    )


def load_json(text: str, file: str) -> Any:
    """JSON as plain data; a key given twice in one object is refused with its place
    (json.loads would keep the last one without a word)."""
    text = text.lstrip("\ufeff")
    twice: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if not twice and len({key for key, _ in items}) < len(items):
            twice.append(True)
        return dict(items)

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise MeshkbError(
            Problem(file, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno)
        ) from None
    except ValueError:  # a number with more digits than Python converts
        long = re.search("[0-9]{4301,}", text)
        at = long.start() if long else 0
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        raise MeshkbError(
            Problem(file, "a number has more than 4,300 digits", line, column)
        ) from None
    except RecursionError:  # the decoder's own limit, near a thousand levels
        raise MeshkbError(Problem(file, "not valid JSON: nested too deeply")) from None
    if twice:
        marks, duplicate = json_marks(text)
        key = (duplicate or "").rsplit("\x00", 1)[-1]
        problem = Problem(file, f"key {key!r} is given twice in one JSON object")
        if duplicate in marks:
            problem = Problem(problem.file, problem.message, *marks[duplicate])
        raise MeshkbError(problem)
    return data


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def json_marks(text: str) -> tuple[dict[str, tuple[int, int]], str | None]:
    """For valid JSON text: JSON path -> (line, column) of each value (of its key, in
    an object), and the first key given twice in one object (as a mark key
    `"\x00" + key`), or None. Worked out only when a problem needs a place."""
    scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
    marks: dict[str, tuple[int, int]] = {}
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def mark(path: str, i: int) -> None:
        import bisect

        line = bisect.bisect_right(starts, i)
        marks.setdefault(path, (line, i - starts[line - 1] + 1))

    def skip(i: int) -> int:
        return _JSON_SPACE.match(text, i).end()  # type: ignore[union-attr]

    def walk(i: int, path: str) -> tuple[int, str | None]:
        if text[i] not in "{[":
            return int(scan(text, i)[1]), None
        closing, seen, index = ("}" if text[i] == "{" else "]"), set(), 0
        i = skip(i + 1)
        while text[i] != closing:
            if closing == "}":
                key, after = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                if key in seen:
                    mark("\x00" + key, i)
                    return i, "\x00" + key
                seen.add(key)
                child = path + key_suffix(key)
                mark(child, i)
                i = skip(skip(after) + 1)  # past the ':'
            else:
                child = f"{path}[{index}]"
                mark(child, i)
                index += 1
            i, found = walk(i, child)
            if found:
                return i, found
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
        return i + 1, None

    try:
        duplicate = walk(skip(0), "$")[1]
    except RecursionError:  # deeper than any report; the problem goes without a place
        duplicate = None
    return marks, duplicate


def report_format(file: str, text: str) -> str:
    """The form of a report: `json`, `yaml` or `md`, by extension, else by content."""
    lowered = file.lower()
    stripped = text.lstrip("\ufeff \n\r\t")
    if lowered.endswith(".json") or (
        not lowered.endswith((".md", ".markdown", ".yaml", ".yml")) and stripped.startswith("{")
    ):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    return "md"


def parse_report(text: str, file: str, checklists: dict[str, Checklist]) -> Report:
    """Read a report in any of its forms, chosen by extension, else by content."""
    form = report_format(file, text)
    if form == "json":
        data = load_json(text, file)
        try:
            return report_from_data(data, file, checklists)
        except MeshkbError:
            # Again, with the place of every value: only a problem needs them.
            return report_from_data(data, file, checklists, json_marks(text.lstrip("\ufeff"))[0])
    if form == "yaml":
        located = load_yaml_text(text, file)
        return report_from_data(located.data, file, checklists, located.marks)
    from meshkb.report.markdown_read import parse_markdown  # only a reader pays for it

    return parse_markdown(text, file, checklists)


def render_report(checklist: Checklist, report: Report, fmt: str) -> str:
    """The report in format `fmt`: `md`, `json`, `yaml` or `junit`."""
    if fmt == "json":
        return render_json(checklist, report)
    if fmt == "yaml":
        return render_yaml(checklist, report)
    if fmt == "junit":
        from meshkb.report.junit import render_junit  # only its readers pay for it

        return render_junit(checklist, report)
    if fmt != "md":
        raise ValueError(f"unknown report format {fmt!r}")
    from meshkb.report.markdown import render_markdown

    return render_markdown(checklist, report)
