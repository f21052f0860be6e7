#!/usr/bin/env python3
"""Check a Tutela auditor's bundle:  python3 verify.py [BUNDLE_FOLDER_OR_ZIP]

Standard library only, so an auditor can run it anywhere (written for Python 3.8 and
newer). Without an argument it checks the folder it sits in. Exit code 0 and "OK" when
every check passes; 1 and "FAILED: <file> line <n> ..." naming the first problem.

What it checks (README.txt in the bundle says the same, and what it cannot prove):
1. every line of audit/events.jsonl is an event with the hashed fields, and its hash is
   sha256(prev_hash + "\\n" + canonical JSON of those fields): the event was not edited
   since it was hashed, unless its hash was recomputed too;
2. where two included events have consecutive sequence numbers, the later one's prev_hash
   is the earlier one's hash (a recomputed hash breaks this link); event 1 follows the
   genesis hash. The model's events are a subsequence of Tutela's single chain, so gaps
   (other models' and system events) are expected and cannot be checked here;
3. the lines carry exactly the sequence numbers manifest.json lists: none removed, added
   or reordered;
4. the chain head in manifest.json: when the last included event is the head, their
   hashes are equal; when the head is later, it says so (that link needs the full chain);
5. every other file has the SHA-256 manifest.json gives.

The canonical JSON is the one Tutela's governance.audit.event_hash hashes: the fields of
HASHED_FIELDS, keys sorted, no spaces, non-ASCII text as UTF-8 (json.dumps with
sort_keys=True, separators=(",", ":"), ensure_ascii=False). Tutela's tests check that
both give the same hash.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

FORMAT_PREFIX = "tutela-audit-bundle/"
MANIFEST = "manifest.json"
EVENTS = "audit/events.jsonl"
GENESIS_HASH = "0" * 64
HEX = frozenset("0123456789abcdef")
# The fields an event's hash covers, with their JSON types (None: null allowed).
HASHED_FIELDS = {
    "actor": (str, False),
    "created_at": (str, False),
    "details": (str, False),
    "event_type": (str, False),
    "model": (int, True),
    "request": (int, True),
    "sequence": (int, False),
    "version": (int, True),
}


class Failed(Exception):
    """The first problem found, worded for the auditor."""


def canonical_json(event: dict) -> str:
    fields = {name: event[name] for name in HASHED_FIELDS}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_digest(event: dict) -> str:
    """sha256(prev_hash + "\\n" + canonical JSON of the hashed fields), as hex."""
    text = event["prev_hash"] + "\n" + canonical_json(event)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _is_hash(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX


def _field_problem(event: object) -> str | None:
    if not isinstance(event, dict):
        return "is not a JSON object"
    for name, (kind, nullable) in HASHED_FIELDS.items():
        value = event.get(name)
        # type() rather than isinstance(): JSON true/false must not pass as an integer.
        if not (type(value) is kind or (nullable and value is None)):
            return f"has no valid '{name}'"
    if not (_is_hash(event.get("prev_hash")) and _is_hash(event.get("hash"))):
        return "has no valid 'prev_hash' and 'hash' (64 lowercase hex digits)"
    return None


def parse_event(raw: bytes, number: int) -> dict:
    """The event on line number, its fields checked and its hash recomputed."""
    where = f"{EVENTS} line {number}"
    try:
        event = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise Failed(f"{where}: not a JSON line") from None
    problem = _field_problem(event)
    if problem:
        raise Failed(f"{where}: {problem}")
    where += f" (sequence {event['sequence']})"
    try:
        digest = event_digest(event)
    except UnicodeEncodeError:  # an escaped lone surrogate: never in a hashed event
        raise Failed(f"{where}: holds text that is not valid Unicode") from None
    if digest != event["hash"]:
        raise Failed(
            f"{where}: the event's content does not match its hash (it was changed after "
            "it was recorded)"
        )
    return event


def expected_sequences(runs: list) -> Iterator[int]:
    for first, last in runs:
        yield from range(first, last + 1)


class Bundle:
    """A bundle as an unzipped folder or as the zip file itself."""

    def __init__(self, location: Path) -> None:
        self.zip = zipfile.ZipFile(location) if location.is_file() else None
        self.folder = location

    def open(self, name: str) -> IO[bytes]:
        if name.startswith("/") or ".." in name.split("/"):
            raise Failed(f"{MANIFEST}: refuses the path {name!r}")
        try:
            if self.zip is not None:
                return self.zip.open(name)
            return (self.folder / name).open("rb")
        except (KeyError, OSError):
            raise Failed(f"{name}: missing from the bundle") from None

    def sha256(self, name: str) -> str:
        digest = hashlib.sha256()
        with self.open(name) as stream:
            for block in iter(lambda: stream.read(1 << 16), b""):
                digest.update(block)
        return digest.hexdigest()


class EventWalk:
    """Walks audit/events.jsonl once, line by line, against the manifest."""

    def __init__(self, audit: dict) -> None:
        self.expected = expected_sequences(audit["sequences"])
        self.previous: dict | None = None
        self.count = self.links = self.gaps = 0

    def step(self, number: int, raw: bytes) -> None:
        event = parse_event(raw, number)
        sequence, wanted = event["sequence"], next(self.expected, None)
        where = f"{EVENTS} line {number} (sequence {sequence})"
        if wanted is None or sequence < wanted:
            raise Failed(f"{where}: not among the sequences {MANIFEST} lists (added or moved)")
        if sequence > wanted:
            raise Failed(f"{where}: the event with sequence {wanted} is missing before it")
        self._link(event, where, number)
        self.previous, self.count = event, self.count + 1

    def _link(self, event: dict, where: str, number: int) -> None:
        if event["sequence"] == 1 and event["prev_hash"] != GENESIS_HASH:
            raise Failed(f"{where}: the first event of the chain must follow the genesis hash")
        previous = self.previous
        if previous is None:
            return
        if previous["sequence"] != event["sequence"] - 1:
            self.gaps += 1
            return
        if event["prev_hash"] != previous["hash"]:
            raise Failed(
                f"{where}: its prev_hash is not the hash of line {number - 1} (sequence "
                f"{previous['sequence']}): one of the two was rewritten"
            )
        self.links += 1

    def finish(self) -> None:
        missing = next(self.expected, None)
        if missing is not None:
            raise Failed(f"{EVENTS}: ends before the event with sequence {missing}")


def check_events(bundle: Bundle, audit: dict) -> EventWalk:
    walk = EventWalk(audit)
    with bundle.open(EVENTS) as stream:
        for number, raw in enumerate(stream, start=1):
            walk.step(number, raw)
    walk.finish()
    if walk.count != audit["event_count"]:
        raise Failed(f"{MANIFEST}: says {audit['event_count']} events, the file has {walk.count}")
    return walk


def head_finding(walk: EventWalk, head: dict) -> str:
    last = walk.previous
    if last is None:
        return f"chain head #{head['sequence']}: no events of this model to compare with it"
    if last["sequence"] > head["sequence"]:
        raise Failed(f"{MANIFEST}: an event (#{last['sequence']}) is newer than the chain head")
    if last["sequence"] == head["sequence"]:
        if last["hash"] != head["hash"]:
            raise Failed(
                f"{EVENTS} line {walk.count} (sequence {last['sequence']}): it is the chain "
                f"head, but its hash is not the head's hash in {MANIFEST}"
            )
        return f"chain head #{head['sequence']}: is the last included event, hashes equal"
    later = head["sequence"] - last["sequence"]
    return (
        f"chain head #{head['sequence']} ({head['hash'][:16]}...): {_count(later, 'event')} "
        "after the last included one, not in this bundle; compare it with Tutela's verify_audit"
    )


def check_files(bundle: Bundle, files: list) -> int:
    for entry in files:
        if bundle.sha256(entry["path"]) != entry["sha256"]:
            raise Failed(f"{entry['path']}: its SHA-256 differs from {MANIFEST}")
    return len(files)


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0


def _manifest_problem(manifest: object) -> bool:
    """True when the manifest lacks what the checks read (a hand-made or damaged file)."""
    try:
        audit, head = manifest["audit"], manifest["audit"]["chain_head"]
        runs, files = audit["sequences"], manifest["files"]
        fine = (
            str(manifest["format"]).startswith(FORMAT_PREFIX)
            and isinstance(manifest["model"]["name"], str)
            and _is_count(audit["event_count"])
            and _is_count(head["sequence"])
            and _is_hash(head["hash"])
            and all(_is_count(a) and _is_count(b) and a <= b for a, b in runs)
            # Ascending and apart (zip(strict=) would need Python 3.10).
            and all(runs[i][1] + 1 < runs[i + 1][0] for i in range(len(runs) - 1))
            and all(isinstance(f["path"], str) and _is_hash(f["sha256"]) for f in files)
        )
    except (KeyError, TypeError, ValueError):
        return True
    return not fine


def load_manifest(bundle: Bundle) -> dict:
    try:
        with bundle.open(MANIFEST) as stream:
            manifest = json.load(stream)
    except ValueError:
        manifest = None
    if _manifest_problem(manifest):
        raise Failed(f"{MANIFEST}: not the manifest of a Tutela auditor's bundle")
    return manifest


def verify(location: Path) -> list[str]:
    """The findings of every check, or Failed at the first problem."""
    bundle = Bundle(location)
    manifest = load_manifest(bundle)
    audit = manifest["audit"]
    walk = check_events(bundle, audit)
    return [
        f"bundle of {manifest['model']['name']}, generated {manifest.get('generated_at')}",
        f"{_count(walk.count, 'event')}: every hash matches its event's content",
        f"prev_hash links between consecutive events: {walk.links}, all hold; gaps: "
        f"{walk.gaps} (events of other models or of the system: expected, not checked here)",
        f"sequence numbers exactly as {MANIFEST} lists them "
        f"({_count(len(audit['sequences']), 'run')} of consecutive numbers)",
        head_finding(walk, audit["chain_head"]),
        f"{_count(check_files(bundle, manifest['files']), 'file')}: SHA-256 as listed",
    ]


def main(argv: list[str]) -> int:
    location = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    try:
        findings = verify(location)
    except (Failed, zipfile.BadZipFile, OSError) as problem:
        print(f"FAILED: {problem}")
        return 1
    for finding in findings:
        print(f"  {finding}")
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
