"""`meshkb checklist NAME -i -o FILE`: answer in the terminal, saved after every answer.

The report file is the only state: a second run reads it back and resumes at the
first open item, so Ctrl-C or a closed terminal loses nothing. Plain `input()`
keeps start-up fast; no prompt library is needed for one keystroke per item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from meshkb.core.errors import EXIT_OK
from meshkb.core.files import write_atomic
from meshkb.core.model import MESHES, Answer, Checklist, Report
from meshkb.report.build import new_report, normalize
from meshkb.report.markdown import parse_markdown, render_markdown

KEYS = {"p": "pass", "f": "fail", "n": "na", "w": "waived", "o": "open"}
HELP = "[p]ass [f]ail [n]/a [w]aived [o]pen, [s]kip, [b]ack, [q]uit, [?] details"


def run_interactive(
    checklist: Checklist,
    report: Report,
    path: Path,
    stdin: TextIO,
    err: TextIO,
    given: Mapping[str, str] | None = None,
) -> int:
    """Walk the open items; return when every item is answered or the person quits.

    `given` holds the scope fields named on the command line (`system`, `mesh`,
    `dataplane`); with it, a new report asks for the system and the mesh not given, and a
    resumed one takes the scope given, its automatic n/a answers derived again.
    """

    def ask(prompt: str) -> str | None:
        err.write(prompt)
        err.flush()
        line = stdin.readline()
        return None if line == "" else line.strip()

    if path.exists():
        report = parse_markdown(
            path.read_text(encoding="utf-8"), str(path), {checklist.id: checklist}
        )
        err.write(f"Resuming {path}.\n")
        if given:
            report = _rescope(checklist, report, given)
    elif given is not None:
        scoped = _ask_scope(checklist, report, given, ask, err.write)
        if scoped is None:
            err.write(f"Nothing saved; {path} was not written.\n")
            return EXIT_OK
        report = scoped
    report = normalize(checklist, report)
    items = checklist.active_items()
    numbers = checklist.display_numbers()
    answers = report.answer_by_id()

    def save() -> None:
        ordered = tuple(answers[a.id] for a in report.answers)
        write_atomic(path, render_markdown(checklist, replace(report, answers=ordered)), force=True)

    save()
    position = next(
        (i for i, item in enumerate(items) if answers[item.id].state == "open"), len(items)
    )
    err.write(f"{checklist.title} {checklist.version}: {HELP}\n")

    try:
        while position < len(items):
            item = items[position]
            answer = answers[item.id]
            err.write(
                f"\n{numbers[item.id]} {item.id} [{item.severity}] {item.title}\n  {item.check.strip()}\n"
            )
            choice = ask(f"  now {answer.state}> ")
            if choice is None or choice.lower() == "q":
                break
            key = choice.lower()[:1]
            if key == "?":
                err.write(f"  Why: {item.why.strip()}\n")
                for mesh, steps in item.how:
                    err.write(f"  How ({mesh}): {steps.strip()}\n")
                continue
            if key == "b":
                position = max(position - 1, 0)
                continue
            if key in ("s", ""):
                position += 1
                continue
            if key not in KEYS:
                err.write(f"  {HELP}\n")
                continue
            updated = _answer(item.id, item.rev, KEYS[key], answer, ask)
            if updated is None:
                break
            answers[item.id] = updated
            save()
            position += 1
    except KeyboardInterrupt:
        err.write("\n")
    open_count = sum(1 for item in items if answers[item.id].state == "open")
    err.write(f"Saved {path} ({open_count} open). Run the same command again to resume.\n")
    return EXIT_OK


def _rescope(checklist: Checklist, report: Report, given: Mapping[str, str]) -> Report:
    """The report with the scope given; automatic answers follow it, a person's stay."""
    fields = {
        key: given.get(key) or getattr(report, key) for key in ("system", "mesh", "dataplane")
    }
    if all(fields[key] == getattr(report, key) for key in fields):
        return report
    return new_report(
        checklist, **fields, date=report.date, reviewers=report.reviewers, carry=report
    )


def _ask_scope(
    checklist: Checklist,
    report: Report,
    given: Mapping[str, str],
    ask: Callable[[str], str | None],
    say: Callable[[str], object],
) -> Report | None:
    """A new report asks what is reviewed and on which mesh; None when input ends."""
    system = given.get("system", "")
    while not system:
        got = ask("System (what is reviewed, e.g. a namespace): ")
        if got is None:
            return None
        system = got
    mesh = given.get("mesh", "")
    if not mesh:
        while True:
            got = ask(f"Mesh ({', '.join(MESHES)}; Enter for not decided yet): ")
            if got is None:
                return None
            if got.lower() in ("", *MESHES):
                mesh = got.lower()
                break
            say(f"  {got!r} is not a mesh meshkb knows: {', '.join(MESHES)}, or Enter\n")
    return new_report(
        checklist,
        system=system,
        mesh=mesh,
        dataplane=given.get("dataplane", "") or report.dataplane,
        date=report.date,
        reviewers=report.reviewers,
        carry=report,
    )


def _answer(
    item_id: str, rev: int, state: str, previous: Answer, ask: Callable[[str], str | None]
) -> Answer | None:
    reason, owner = previous.reason, previous.owner
    if state in ("na", "waived"):
        while not reason:
            got = ask("  Reason: ")
            if got is None:
                return None
            reason = got
    if state == "waived":
        while not owner:
            got = ask("  Owner: ")
            if got is None:
                return None
            owner = got
    note = ask("  Note (Enter keeps it): ")
    if note is None:
        return None
    return Answer(item_id, rev, state, note or previous.note, reason, owner, previous.evidence)
