"""The record of the shipped checklists that passed the schema, so a start can skip it.

`meshkb checklist NAME` is the command a reviewer runs most, and importing the schema
validator (jsonschema-rs, which brings in `email` and `decimal`) was about a third of its
start-up. The built-in checklists are validated when this record is written
(`meshkb validate --update-index`) and by the test suite, which fails while the record
is stale; a run then takes a built-in checklist as schema-valid only while the fingerprint
of its name, its bytes and the schema's bytes is in the record. Any edit, a new schema or
a new meshkb version with other checklists misses, and goes through the validator as
every team checklist always does. The rules meshkb checks itself (facts, IDs, conditions)
run every time. `meshkb validate` never uses the record.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from meshkb.core.validate import SCHEMA_DIR

RECORD = Path(__file__).resolve().parents[1] / "data" / "validated.json"
RECORD_FORMAT = "meshkb/validated/v1"


def fingerprint(chunks: Iterable[bytes]) -> str:
    """CRC-32 and total length of `chunks`, each followed by a NUL.

    Enough to tell one version of some files from another (it guards against stale data,
    not against tampering, which is why only the package's own files are looked up);
    zlib is loaded at start-up already, where hashlib would cost a few milliseconds.
    """
    checksum, length = 0, 0
    for chunk in chunks:
        data = chunk + b"\0"
        checksum, length = zlib.crc32(data, checksum), length + len(data)
    return f"crc32:{checksum:08x}:{length}"


@cache
def _schema_bytes() -> bytes:
    return (SCHEMA_DIR / "checklist.schema.json").read_bytes()


def checklist_fingerprint(name: str, text: str) -> str:
    """The fingerprint of one checklist file (`name` is its file name) under today's schema."""
    return fingerprint((_schema_bytes(), name.encode(), text.encode("utf-8", "surrogatepass")))


@cache
def _recorded() -> frozenset[str]:
    try:
        data = json.loads(RECORD.read_text(encoding="utf-8"))
        if data["format"] != RECORD_FORMAT:
            return frozenset()
        return frozenset(str(entry) for entry in data["checklists"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return frozenset()  # a missing or damaged record only means validating again


def recorded_valid(name: str, text: str) -> bool:
    """Whether this exact built-in checklist text passed the schema when the record was written."""
    return checklist_fingerprint(name, text) in _recorded()


def render_record(files: Iterable[tuple[str, str]]) -> str:
    """The record of `(file name, text)` pairs, each of which has just passed the schema."""
    entries = {name: checklist_fingerprint(name, text) for name, text in sorted(files)}
    return json.dumps({"format": RECORD_FORMAT, "checklists": entries}, indent=1) + "\n"
