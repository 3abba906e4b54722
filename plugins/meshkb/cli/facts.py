"""`meshkb facts [--stale DAYS] [--format text|json]`: a thin adapter over facts.py."""

from __future__ import annotations

import argparse
import datetime
import json
from typing import Any, TextIO

from meshkb.core.errors import EXIT_FAILED, EXIT_OK
from meshkb.core.terminal import visible


def register(commands: Any) -> None:
    facts_parser = commands.add_parser(
        "facts",
        help="the facts the site publishes; --stale DAYS lists those due for a re-check",
        description=(
            "List the facts (value, unit, source, what it holds for, when it was checked) from "
            "the shipped facts files. With --stale DAYS, only the facts checked more than DAYS "
            "days ago, oldest first; the exit code is 1 when there are any."
        ),
    )
    facts_parser.add_argument(
        "--stale", metavar="DAYS", type=_days, help="only facts checked more than DAYS days ago"
    )
    facts_parser.add_argument(
        "--today", metavar="YYYY-MM-DD", type=_date, help="the date to count from (default: today)"
    )
    facts_parser.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format"
    )
    facts_parser.add_argument(
        "--update-index",
        action="store_true",
        help="rewrite the package's facts index from the facts files (after editing them)",
    )
    facts_parser.set_defaults(func=run_facts)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"DAYS must be a whole number, got {text!r}") from None
    if days < 0:
        raise argparse.ArgumentTypeError(f"DAYS must not be negative, got {days}")
    if days > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"DAYS must be at most {MAX_DAYS:,}, got {text!r}")
    return days


MAX_DAYS = 1_000_000
"""Longest --stale: more days than the calendar holds from year 1 (a larger number is a typo)."""


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def run_facts(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from meshkb.core import facts

    if args.update_index:
        from meshkb.core.files import write_atomic

        base = facts.load_facts(facts.FACTS_DIR)
        write_atomic(facts.INDEX, facts.render_index(base, facts.fingerprint()), force=True)
        err.write(f"meshkb: wrote {facts.INDEX} ({len(base.facts)} facts)\n")
        return EXIT_OK
    base = facts.shipped()  # a bad facts file: MeshkbError, reported by cli.main (exit 2)
    today = args.today or datetime.date.today()
    chosen = (
        base.stale(args.stale, today)
        if args.stale is not None
        else sorted(base.facts.values(), key=lambda f: f.key)
    )
    if args.format == "json":
        data = {
            "today": today.isoformat(),
            "stale_days": args.stale,
            "facts": [
                {
                    "key": f.key,
                    "value": f.value,
                    "unit": f.unit,
                    "text": f.text,
                    "source": f.source,
                    "source_title": base.sources[f.source].title,
                    "url": base.sources[f.source].url,
                    "holds_for": f.holds_for,
                    "checked": f.checked,
                    "age_days": (today - datetime.date.fromisoformat(f.checked)).days,
                    "status": f.status,
                    "topic": f.topic,
                }
                for f in chosen
            ],
        }
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        for f in chosen:
            age = (today - datetime.date.fromisoformat(f.checked)).days
            mark = "" if f.status == "verified" else "  [unverified]"
            out.write(
                visible(
                    f"{f.checked}  {age:>4}d  {f.key} = {f.text}  ({f.holds_for}; {f.source}){mark}"
                )
                + "\n"
            )
        if args.stale is not None:
            err.write(
                f"{len(chosen)} of {len(base.facts)} facts checked more than {args.stale} days before {today}\n"
            )
    return EXIT_FAILED if args.stale is not None and chosen else EXIT_OK
