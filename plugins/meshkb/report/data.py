"""The report as data: JSON and YAML, and reading a report in any of its forms."""

from __future__ import annotations

import json
from typing import Any

from meshkb.core import validate
from meshkb.core.errors import MeshkbError, Problem
from meshkb.core.model import (
    REPORT_FORMAT,
    Answer,
    AnswerEvidence,
    Checklist,
    Report,
)
from meshkb.core.yaml_policy import load_yaml_text
from meshkb.report.build import YAML_UNSAFE, check_answer, checklist_for, normalize
from meshkb.report.markdown import parse_markdown


def report_to_data(report: Report) -> dict[str, Any]:
    """Plain data in the key order of the report schema."""
    return {
        "format": REPORT_FORMAT,
        "checklist": report.checklist,
        "checklist_version": report.checklist_version,
        "system": report.system,
        "mesh": report.mesh,
        "dataplane": report.dataplane,
        "date": report.date,
        "reviewers": list(report.reviewers),
        "answers": [
            {
                "id": a.id,
                "rev": a.rev,
                "state": a.state,
                "note": a.note,
                "reason": a.reason,
                "owner": a.owner,
                "evidence": [{"source": e.source, "text": e.text} for e in a.evidence],
                "prefilled": a.prefilled,
                "automatic": a.automatic,
            }
            for a in report.answers
        ],
    }


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
        line, column = (marks or {}).get(path, (None, None))
        return Problem(file, message, line, column, path)

    problems = [at(path, message) for path, message in validate.errors(data, "report")]
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
            problems.extend(exc.problems)
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
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MeshkbError(
                Problem(file, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno)
            ) from None
        except RecursionError:  # the decoder's own limit, near a thousand levels
            raise MeshkbError(Problem(file, "not valid JSON: nested too deeply")) from None
        return report_from_data(data, file, checklists)
    if form == "yaml":
        located = load_yaml_text(text, file)
        return report_from_data(located.data, file, checklists, located.marks)
    return parse_markdown(text, file, checklists)


def render_report(checklist: Checklist, report: Report, fmt: str) -> str:
    """The report in format `fmt`: `md`, `json`, `yaml` or `junit`."""
    from meshkb.report.junit import render_junit
    from meshkb.report.markdown import render_markdown

    renderers = {
        "md": render_markdown,
        "json": render_json,
        "yaml": render_yaml,
        "junit": render_junit,
    }
    return renderers[fmt](checklist, report)
