"""An import killed mid-way leaves whole records, and running it again
finishes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from callvault.kernel import migrate
from callvault.kernel.db import Database
from callvault.organizations import service as org_service
from tests.importing import fresh_database

RECORDS = 20_000
LINES = 3

INCOMPLETE = text(
    "select count(*) from call_recordings r where "
    f"(select count(*) from utterances u where u.recording_id = r.id) != {LINES}"
)


def write_calls(path: Path) -> None:
    with path.open("w") as stream:
        for index in range(RECORDS):
            record = {
                "source": "gong",
                "external_id": f"call-{index}",
                "title": f"Call {index}",
                "start_time": "2025-01-01T10:00:00Z",
                "end_time": "2025-01-01T10:30:00Z",
                "participant_emails": ["ana@customer.example"],
                "transcript": [
                    {"speaker_name": "Ana", "offset_ms": line, "text": f"line {line}"}
                    for line in range(LINES)
                ],
            }
            stream.write(json.dumps(record) + "\n")


def import_command(path: Path, url: str) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, "-m", "callvault", "import", "jsonl", str(path)]
    return [*command, "--org", "crash"], {**os.environ, "CALLVAULT_DATABASE_URL": url}


def recordings(database: Database) -> int:
    with database.engine.connect() as connection:
        found = connection.execute(text("select count(*) from call_recordings"))
        return int(found.scalar_one())


def stored(database: Database) -> tuple[int, int]:
    """(recordings, recordings without their full transcript)"""
    with database.engine.connect() as connection:
        total = connection.execute(text("select count(*) from call_recordings"))
        incomplete = connection.execute(INCOMPLETE)
        return int(total.scalar_one()), int(incomplete.scalar_one())


def test_a_killed_import_leaves_whole_records_and_a_rerun_completes_it(
    tmp_path: Path,
) -> None:
    calls = tmp_path / "calls.jsonl"
    write_calls(calls)
    with fresh_database(tmp_path) as url:
        database = Database(url)
        migrate.upgrade(database)
        with database.session(write=True) as session:
            org_service.create_organization(session, "crash")
        command, env = import_command(calls, url)

        running = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while running.poll() is None and recordings(database) == 0:
            time.sleep(0.01)
        running.send_signal(signal.SIGKILL)
        running.wait()
        killed_at, incomplete = stored(database)

        if running.returncode != -signal.SIGKILL or killed_at == RECORDS:
            pytest.fail("the import finished before it could be killed")
        assert 0 < killed_at < RECORDS
        assert incomplete == 0

        rerun = subprocess.run(command, env=env, capture_output=True, text=True)

        assert rerun.returncode == 0, rerun.stderr
        counts = dict(
            line.split() for line in rerun.stdout.splitlines() if len(line.split()) == 2
        )
        assert counts["created"] == str(RECORDS - killed_at)
        assert counts["unchanged"] == str(killed_at)
        assert stored(database) == (RECORDS, 0)
        database.dispose()
