#!/usr/bin/env python3
"""Check a decision dossier (决策档案) or a year's archive offline, with Python's standard library only.

    python3 tools/verify_dossier.py BD-2024-017-决策档案.zip
    python3 tools/verify_dossier.py BD-2024-决策档案.zip      # a year's archive: every dossier in it

Copy this one file anywhere (an auditor's laptop, the archive's own machine):
it needs nothing but Python 3.9+. It checks what DA/T 70's 真实性 and 完整性
ask of a package:

- every file in the ZIP is listed in its ``manifest.json`` and every listed
  file is there, with the listed size and sha256 (nothing added, removed or
  changed);
- every audit event of the decision still hashes to its recorded hash
  (``sha256`` over the fields joined by U+001F, as ``flask audit verify``
  computes it), and the chain segment from the decision's first event to its
  last is unbroken: consecutive positions, each ``prev_hash`` the hash before.

The segment's hashes can then be compared with the live trail (``flask
archive verify`` does it against the database) or with a signed checkpoint.
Exit status 0 when everything matches, 1 with one line per mismatch naming the
file or the event, 2 when the file is not a dossier at all.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Iterable

MANIFEST = "manifest.json"
SEPARATOR = "\x1f"
FIELDS = ("prev_hash", "chain", "seq", "at", "actor", "action", "entity", "entity_id", "decision_id", "before",
          "after")
CHUNK = 1 << 16


class NotADossier(Exception):
    """The file is not a ZIP with a manifest this script understands."""


def _sha256(archive: zipfile.ZipFile, name: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _manifest(archive: zipfile.ZipFile, prefix: str) -> dict:
    try:
        data = json.loads(archive.read(prefix + MANIFEST).decode("utf-8"))
    except KeyError:
        raise NotADossier(f"{prefix + MANIFEST} is missing") from None
    except ValueError as error:
        raise NotADossier(f"{prefix + MANIFEST} is not JSON: {error}") from None
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith("decision-dossier/"):
        raise NotADossier(f"{prefix + MANIFEST} is not a decision dossier's manifest")
    return data


def event_hash(event: dict) -> str:
    """The event's hash from its fields, as the application computes it."""
    parts = ["" if event.get(name) is None else str(event[name]) for name in FIELDS]
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def check_files(archive: zipfile.ZipFile, listed: Iterable[dict], present: set[str], prefix: str = "",
                label: str = "") -> list[str]:
    """Each listed file exists with its size and sha256; returns the problems, one line each."""
    problems = []
    for entry in listed:
        name = prefix + entry["name"]
        if name not in present:
            problems.append(f"{label}file {name}: listed in the manifest but not in the package")
            continue
        present.discard(name)
        size, digest = _sha256(archive, name)
        if digest != entry["sha256"] or size != entry["size"]:
            problems.append(f"{label}file {name}: sha256 {digest} (size {size}) but the manifest says "
                            f"{entry['sha256']} (size {entry['size']})")
        if entry.get("recorded_sha256") and entry["recorded_sha256"] != entry["sha256"]:
            problems.append(f"{label}file {name}: differs from the file uploaded (recorded sha256 "
                            f"{entry['recorded_sha256']})")
    return problems


def check_events(audit: dict, label: str = "") -> tuple[list[str], int]:
    """Every event hashes to its hash; the segment links up. Returns the problems and the events checked."""
    problems, count = [], 0
    for segment in audit.get("segments", []):
        chain = segment["chain"]
        rows: dict[int, dict] = {}
        for event in segment["events"]:
            count += 1
            rows[event["seq"]] = event
            if event_hash(event) != event["hash"]:
                problems.append(f"{label}event chain {chain} seq {event['seq']} ({event['action']} at "
                                f"{event['at']}): its content no longer hashes to {event['hash']}")
        for link in segment.get("links", []):
            rows.setdefault(link["seq"], link)
        previous = None
        for seq in range(segment["first_seq"], segment["last_seq"] + 1):
            row = rows.get(seq)
            if row is None:
                problems.append(f"{label}event chain {chain} seq {seq}: missing from the segment")
                previous = None
                continue
            if previous is not None and row["prev_hash"] != previous:
                what = f" ({row['action']})" if "action" in row else ""
                problems.append(f"{label}event chain {chain} seq {seq}{what}: prev_hash does not match the hash "
                                f"of seq {seq - 1}")
            previous = row["hash"]
    return problems, count


def _check_dossier(archive: zipfile.ZipFile, prefix: str, present: set[str], label: str) -> tuple[list[str], int]:
    manifest = _manifest(archive, prefix)
    present.discard(prefix + MANIFEST)
    problems = check_files(archive, manifest["files"], present, prefix, label)
    for missing in manifest.get("missing_files", []):
        problems.append(f"{label}file {prefix + missing['name']}: the stored evidence file was missing when the "
                        "dossier was produced")
    event_problems, events = check_events(manifest.get("audit", {}), label)
    return problems + event_problems, events


def verify(path: str) -> tuple[list[str], str]:
    """All mismatches of the package at ``path`` (empty: it is intact) and a one-line summary."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise NotADossier(f"{path} is not a ZIP file: {error}") from None
    with archive:
        present = {name for name in archive.namelist() if not name.endswith("/")}
        top = _manifest(archive, "")
        if top.get("kind") == "year":
            present.discard(MANIFEST)
            listed = {entry["name"] for entry in top["files"]}
            problems = check_files(archive, top["files"], set(present))
            problems += [f"file {name}: in the package but not in the manifest" for name in sorted(present - listed)]
            events = 0
            for dossier in top["dossiers"]:
                folder = dossier["folder"]
                inner = {name for name in present if name.startswith(folder)}
                found, counted = _check_dossier(archive, folder, inner, f"{dossier['ref_no']}: ")
                problems += found
                events += counted
            summary = f"{len(top['dossiers'])} dossiers, {len(listed)} files, {events} audit events"
        else:
            problems, events = _check_dossier(archive, "", present, "")
            problems += [f"file {name}: in the package but not in the manifest" for name in sorted(present)]
            summary = f"dossier {top['decision']['ref_no']}: {len(top['files']) + 1} files, {events} audit events"
    return problems, summary


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: verify_dossier.py FILE.zip", file=sys.stderr)
        return 2
    try:
        problems, summary = verify(argv[0])
    except NotADossier as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"MISMATCH {problem}")
    print(("BROKEN " if problems else "OK ") + summary)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
