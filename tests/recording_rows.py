"""Recordings and accounts written straight into the test database, in bulk.

The searches under test still go through HTTP; only the setup of hundreds or
thousands of rows skips the create endpoint, so the suite stays quick.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from callvault.accounts.models import Account
from callvault.kernel.db import Database
from callvault.recordings.models import CallRecording

BASE_TIME = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Row:
    title: str = "Weekly sync"
    source: str = "custom_call_recorder"
    account_id: str | None = None
    start_time: datetime = BASE_TIME
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


def add_accounts(database: Database, organization_id: str, count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with database.session(write=True) as session:
        session.execute(
            insert(Account),
            [
                {"id": i, "organization_id": organization_id, "name": f"Account {n}"}
                for n, i in enumerate(ids)
            ],
        )
    return ids


def add_recordings(database: Database, organization_id: str, rows: list[Row]) -> None:
    if not rows:
        return
    now = datetime.now(UTC)
    with database.session(write=True) as session:
        session.execute(
            insert(CallRecording),
            [
                {
                    "id": row.id,
                    "organization_id": organization_id,
                    "source": row.source,
                    "external_id": row.id,
                    "title": row.title,
                    "title_folded": row.title.casefold(),
                    "summary": "",
                    "url": "",
                    "start_time": row.start_time,
                    "end_time": row.start_time + timedelta(minutes=30),
                    "duration_ms": 30 * 60 * 1000,
                    "account_id": row.account_id,
                    "participant_emails": [],
                    "calendar_event_id": "",
                    "created_at": now,
                    "updated_at": now,
                }
                for row in rows
            ],
        )


def search_order(rows: list[Row]) -> list[str]:
    """Ids in the contract's order: start_time newest first, then id descending."""
    ordered = sorted(rows, key=lambda r: (r.start_time, r.id), reverse=True)
    return [row.id for row in ordered]
