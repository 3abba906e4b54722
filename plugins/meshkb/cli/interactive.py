"""`meshkb checklist NAME -i -o FILE`: answer in the terminal, saved after every answer.

The report file is the only state: a second run reads it back (the command does, with
the same checks as `--from`) and resumes at the first open item, so Ctrl-C or a closed
terminal loses nothing. A choice is saved the moment it is complete, before its note is
asked for; what could not be saved is named. Plain `input()` keeps start-up fast; no
prompt library is needed for one keystroke per item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from meshkb.core.errors import EXIT_OK, MeshkbError
from meshkb.core.files import read_text, write_atomic
from meshkb.core.model import MESHES, Answer, Checklist, Report
from meshkb.core.terminal import visible
from meshkb.report.build import new_report, normalize
from meshkb.report.data import parse_report, render_report

KEYS = {"p": "pass", "f": "fail", "n": "na", "w": "waived", "o": "open"}
HELP = "[p]ass [f]ail [n]/a [w]aived [o]pen, [s]kip, [b]ack, [q]uit, [?] details"


class _Unfinished(Exception):
    """The terminal closed while a choice still needed its reason or owner."""


def run_interactive(
    checklist: Checklist,
    report: Report,
    path: Path,
    fmt: str,
    stdin: TextIO,
    err: TextIO,
    given: Mapping[str, str] | None = None,
) -> int:
    """Walk the open items; return when every item is answered or the person quits.

    `given` holds the scope fields named on the command line (`system`, `mesh`,
    `dataplane`); with it, a new report (no file at `path` yet) first asks for the system
    and the mesh not given. A resumed report comes in already read back and re-scoped.
    """

    def ask(prompt: str) -> str:
        err.write(prompt)
        err.flush()
        line = stdin.readline()
        if line == "":
            raise EOFError
        return line.strip()

    if given is not None and not path.exists():
        try:
            report = _ask_scope(checklist, report, given, ask, err.write)
        except (KeyboardInterrupt, EOFError):
            err.write(f"\nNothing saved; {visible(str(path))} was not written.\n")
            return EXIT_OK
    report = normalize(checklist, report)
    items = checklist.active_items()
    numbers = checklist.display_numbers()
    answers = report.answer_by_id()
    saved: dict[str, Answer] = {}  # what the file holds, once a write has completed

    def save() -> None:
        ordered = tuple(answers[a.id] for a in report.answers)
        text = render_report(checklist, replace(report, answers=ordered), fmt)
        write_atomic(path, text, force=True)
        saved.update(answers)

    save()
    position = next(
        (i for i, item in enumerate(items) if answers[item.id].state == "open"), len(items)
    )
    err.write(f"{visible(checklist.title)} {visible(checklist.version)}: {HELP}\n")

    lost = ""  # a choice that could not be saved, and why
    try:
        while position < len(items):
            item = items[position]
            answer = answers[item.id]
            err.write(
                f"\n{numbers[item.id]} {item.id} [{item.severity}] {visible(item.title)}\n"
                f"  {visible(item.check.strip())}\n"
            )
            choice = ask(f"  now {visible(answer.state)}> ")
            key = choice.lower()[:1]
            if key == "q":
                break
            if key == "?":
                err.write(f"  Why: {visible(item.why.strip())}\n")
                for mesh, steps in item.how:
                    err.write(f"  How ({mesh}): {visible(steps.strip())}\n")
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
            state = KEYS[key]
            lost = f"{item.id}: {state} was not saved: it needs a Reason" + (
                " and an Owner" if state == "waived" else ""
            )
            answers[item.id] = _choose(item.id, item.rev, state, answer, ask)
            lost = ""
            save()  # the choice is kept even if the note is never given
            note = ask("  Note (Enter keeps it): ")
            if note:
                answers[item.id] = replace(answers[item.id], note=note)
                save()
            position += 1
    except (KeyboardInterrupt, EOFError, _Unfinished):
        err.write("\n")
    unsaved = [item.id for item in items if saved.get(item.id) != answers[item.id]]
    _report_saved(checklist, path, unsaved, lost, err)
    return EXIT_OK


def _ask_scope(
    checklist: Checklist,
    report: Report,
    given: Mapping[str, str],
    ask: Callable[[str], str],
    say: Callable[[str], object],
) -> Report:
    """A new report asks what is reviewed and on which mesh (EOFError when input ends)."""
    system = given.get("system", "")
    while not system:
        system = ask("System (what is reviewed, e.g. a namespace): ")
    mesh = given.get("mesh", "")
    if not mesh:
        while True:
            got = ask(f"Mesh ({', '.join(MESHES)}; Enter for not decided yet): ")
            if got.lower() in ("", *MESHES):
                mesh = got.lower()
                break
            say(
                f"  {visible(repr(got))} is not a mesh meshkb knows: {', '.join(MESHES)}, or Enter\n"
            )
    return new_report(
        checklist,
        system=system,
        mesh=mesh,
        dataplane=given.get("dataplane", "") or report.dataplane,
        date=report.date,
        reviewers=report.reviewers,
        carry=report,
    )


def _choose(
    item_id: str, rev: int, state: str, previous: Answer, ask: Callable[[str], str]
) -> Answer:
    """The new answer once it is complete: n/a needs a reason, waived an owner too."""
    reason, owner = previous.reason, previous.owner
    if state in ("na", "waived"):
        while not reason:
            reason = ask("  Reason: ")
    if state == "waived":
        while not owner:
            owner = ask("  Owner: ")
    return Answer(item_id, rev, state, previous.note, reason, owner, previous.evidence)


def _report_saved(
    checklist: Checklist, path: Path, unsaved: list[str], lost: str, err: TextIO
) -> None:
    """Say what the file holds now, read back from it: a save cut short by Ctrl-C
    leaves the file as it was before, and the count must say so."""
    try:
        on_disk = parse_report(read_text(path), str(path), {checklist.id: checklist})
    except MeshkbError:  # pragma: no cover - the file is our own, just written
        err.write(f"Could not read {visible(str(path))} back.\n")
        return
    kept = on_disk.answer_by_id()
    items = checklist.active_items()
    open_count = sum(1 for item in items if kept.get(item.id, Answer(item.id, 1)).state == "open")
    if lost:
        err.write(f"{lost}.\n")
    if unsaved:
        err.write(f"Not saved (interrupted while saving): {', '.join(unsaved)}.\n")
    err.write(
        f"Saved {visible(str(path))} ({open_count} open). Run the same command again to resume.\n"
    )
