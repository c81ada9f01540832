"""How fast `callvault import jsonl` loads recordings, beside plain batched
SQLite inserts of the same rows into the same schema, in the same run.

    uv run python -m bench.imports [--records 100000 --utterances 30]

Generates the recordings as callvault jsonl (30 utterances each by default),
imports them through callvault's import path into a fresh SQLite file, then
inserts the same rows with sqlite3 executemany into another fresh file with
the same schema, batch for batch, and prints both rates.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from callvault.importers import service
from callvault.kernel import migrate
from callvault.kernel.db import Database
from callvault.kernel.logging import configure_logging
from callvault.organizations import service as org_service

START = datetime(2025, 1, 1, tzinfo=UTC)
SOURCES = ("gong", "fathom", "grain", "granola", "zoom", "fireflies")
WORDS = [
    "renewal",
    "pricing",
    "onboarding",
    "roadmap",
    "security",
    "integration",
    "timeline",
    "budget",
    "contract",
    "support",
    "dashboard",
    "migration",
    "rollout",
    "feedback",
    "training",
]


def recording(index: int, utterances: int) -> dict[str, Any]:
    start = START + timedelta(minutes=37 * index)
    people = [
        f"contact{index % 500}@customer{index % 40}.example",
        "rep@vendor.example",
    ]
    return {
        "source": SOURCES[index % len(SOURCES)],
        "external_id": f"bench-{index}",
        "title": f"Call {index} about {WORDS[index % len(WORDS)]}",
        "start_time": start.isoformat().replace("+00:00", "Z"),
        "end_time": (start + timedelta(minutes=30)).isoformat().replace("+00:00", "Z"),
        "duration_ms": 30 * 60_000,
        "participant_emails": people,
        "url": f"https://recorder.example/calls/{index}",
        "summary": f"Discussed {WORDS[(index + 3) % len(WORDS)]}.",
        "transcript": [
            {
                "speaker_name": "Rep" if line % 2 else "Contact",
                "speaker_email": people[line % 2],
                "offset_ms": line * 4_000,
                "text": " ".join(
                    WORDS[(index + line + k) % len(WORDS)] for k in range(12)
                ),
            }
            for line in range(utterances)
        ],
    }


def write_jsonl(path: Path, records: int, utterances: int) -> None:
    with path.open("wb") as stream:
        for index in range(records):
            stream.write(orjson.dumps(recording(index, utterances)) + b"\n")


def fresh_database(path: Path) -> Database:
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database)
    return database


def callvault_import(folder: Path, data: Path) -> float:
    database = fresh_database(folder / "callvault.db")
    with database.session(write=True) as session:
        org_service.create_organization(session, "bench", ["vendor.example"])
    started = time.perf_counter()
    summary = service.import_paths(database, "bench", "jsonl", [data])
    elapsed = time.perf_counter() - started
    database.dispose()
    assert summary.failed == 0 and summary.updated == 0, summary.failures[:3]
    return elapsed


def rows(
    records: int, utterances: int, organization_id: str
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """The rows the import writes, a batch at a time, as SQLite stores them."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    for first in range(0, records, service.BATCH_RECORDS):
        calls, lines = [], []
        for index in range(first, min(first + service.BATCH_RECORDS, records)):
            data = recording(index, utterances)
            rid = str(uuid.uuid4())
            calls.append(
                (
                    rid,
                    organization_id,
                    data["source"],
                    data["external_id"],
                    data["title"],
                    data["title"].casefold(),
                    data["summary"],
                    data["url"],
                    data["start_time"].replace("T", " ").rstrip("Z"),
                    data["end_time"].replace("T", " ").rstrip("Z"),
                    data["duration_ms"],
                    None,
                    orjson.dumps(data["participant_emails"]).decode(),
                    "",
                    now,
                    now,
                )
            )
            lines.extend(
                (
                    rid,
                    position,
                    u["speaker_name"],
                    u["speaker_email"],
                    u["offset_ms"],
                    u["text"],
                )
                for position, u in enumerate(data["transcript"])
            )
        yield calls, lines


def plain_inserts(folder: Path, records: int, utterances: int) -> float:
    fresh_database(folder / "plain.db").dispose()
    connection = sqlite3.connect(folder / "plain.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    organization_id = str(uuid.uuid4())
    connection.execute(
        "INSERT INTO organizations (id, name, domains, created_at) VALUES (?, ?, ?, ?)",
        (organization_id, "bench", "[]", "2025-01-01 00:00:00"),
    )
    elapsed = 0.0
    for calls, lines in rows(records, utterances, organization_id):
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO call_recordings (id, organization_id, source, external_id, "
            "title, title_folded, summary, url, start_time, end_time, duration_ms, "
            "account_id, participant_emails, calendar_event_id, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            calls,
        )
        connection.executemany(
            "INSERT INTO utterances (recording_id, position, speaker_name, "
            "speaker_email, offset_ms, text) VALUES (?, ?, ?, ?, ?, ?)",
            lines,
        )
        connection.execute("COMMIT")
        elapsed += time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--utterances", type=int, default=30)
    args = parser.parse_args()
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory(prefix="callvault-bench-") as tmp:
        folder = Path(tmp)
        data = folder / "recordings.jsonl"
        write_jsonl(data, args.records, args.utterances)
        size_mb = data.stat().st_size / 1e6
        print(
            f"{args.records} recordings x {args.utterances} utterances "
            f"({size_mb:.0f} MB of jsonl), batches of {service.BATCH_RECORDS}"
        )
        ours = callvault_import(folder, data)
        plain = plain_inserts(folder, args.records, args.utterances)
    lines = args.records * args.utterances
    print(
        f"callvault import jsonl : {args.records / ours:10,.0f} records/s "
        f"({lines / ours:,.0f} utterances/s, {ours:.1f} s; reads, validates, "
        "matches accounts, upserts)"
    )
    print(
        f"sqlite3 executemany    : {args.records / plain:10,.0f} records/s "
        f"({lines / plain:,.0f} utterances/s, {plain:.1f} s; inserts only)"
    )
    print(f"ratio                  : {ours / plain:.1f}x the time of plain inserts")


if __name__ == "__main__":
    main()
