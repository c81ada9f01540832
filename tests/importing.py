"""Running `callvault import` against the test server's database, and
reading back what it stored."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from typer.testing import CliRunner, Result

from callvault.cli import app
from callvault.settings import get_settings
from tests.live import LiveServer, Org

FIXTURES = Path(__file__).parent / "fixtures"


def run_import(server: LiveServer, org: Org, source: str, *paths: Path) -> Result:
    """The command as a user types it, on the server's database."""
    previous = os.environ.get("CALLVAULT_DATABASE_URL")
    os.environ["CALLVAULT_DATABASE_URL"] = server.settings.database_url
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            app, ["import", source, *map(str, paths), "--org", org.name]
        )
    finally:
        if previous is None:
            os.environ.pop("CALLVAULT_DATABASE_URL", None)
        else:
            os.environ["CALLVAULT_DATABASE_URL"] = previous
        get_settings.cache_clear()


def summary_counts(result: Result) -> dict[str, int]:
    counts = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts


def recording_id(server: LiveServer, org: Org, source: str, external_id: str) -> str:
    with server.database.engine.connect() as connection:
        found = connection.execute(
            text(
                "select id from call_recordings where organization_id = :org "
                "and source = :source and external_id = :external_id"
            ),
            {"org": org.id, "source": source, "external_id": external_id},
        ).scalar_one()
    return str(found)


def fetch(
    api: httpx.Client, server: LiveServer, org: Org, source: str, external_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The recording and its transcript as the API answers them."""
    rid = recording_id(server, org, source, external_id)
    recording = api.get(f"/call-recordings/{rid}")
    transcript = api.get(f"/call-recordings/{rid}/transcript")
    assert recording.status_code == 200, recording.text
    assert transcript.status_code == 200, transcript.text
    lines = transcript.json()["data"]
    return recording.json()["data"], [
        {
            key: line[key]
            for key in ("speaker_name", "speaker_email", "offset_ms", "text")
        }
        for line in lines
    ]


def dump(server: LiveServer, org: Org) -> list[tuple[Any, ...]]:
    """Every stored row of the organization's recordings, for comparisons."""
    with server.database.engine.connect() as connection:
        recordings = connection.execute(
            text(
                "select * from call_recordings where organization_id = :org "
                "order by source, external_id"
            ),
            {"org": org.id},
        ).all()
        lines = connection.execute(
            text(
                "select u.* from utterances u join call_recordings r "
                "on r.id = u.recording_id where r.organization_id = :org "
                "order by u.recording_id, u.position"
            ),
            {"org": org.id},
        ).all()
    return [tuple(row) for row in recordings] + [tuple(row) for row in lines]


def count(server: LiveServer, org: Org) -> int:
    with server.database.engine.connect() as connection:
        return int(
            connection.execute(
                text("select count(*) from call_recordings where organization_id = :o"),
                {"o": org.id},
            ).scalar_one()
        )
