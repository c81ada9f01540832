"""How long one page of POST /call-recordings/search takes, per filter.

    uv run python bench/search.py --rows 100000
    uv run python bench/search.py --rows 100000 --database-url postgresql://...

Builds an organization with `--rows` recordings (plus as many in a second
organization, so the tenant condition matters), then times the first page and
a later page of each filter through the search service, the code a request
runs. Prints the median milliseconds of `--repeat` runs. An existing
PostgreSQL database is filled and left as it is; use an empty one.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from callvault.accounts.models import Account
from callvault.kernel import migrate
from callvault.kernel.db import Database
from callvault.kernel.logging import configure_logging
from callvault.organizations import service as org_service
from callvault.organizations.service import Principal
from callvault.recordings.models import CallRecording
from callvault.search import service
from callvault.search.schemas import SearchCallRecordingsRequest

WORDS = ["renewal", "kickoff", "review", "pricing", "onboarding"] + [
    "QBR",
    "Straße",
    "sync",
    "demo",
    "churn",
]
T = "2025-06-01T00:00:00Z"


def filters(account: str) -> dict[str, dict[str, Any] | None]:
    return {
    "no filter": None,
    "account equals": {"field": "account_id", "operator": "equals", "value": account},
    "account in": {"field": "account_id", "operator": "in", "values": [account]},
    "account not_in": {"field": "account_id", "operator": "not_in", "values": [account]},
    "account is_unset": {"field": "account_id", "operator": "is_unset"},
    "source equals": {"field": "source", "operator": "equals", "value": "zoom"},
    "title equals": {"field": "title", "operator": "equals", "value": "demo sync 7"},
    "contains common": {"field": "title", "operator": "string_contains", "value": "review"},
    "contains rare": {"field": "title", "operator": "string_contains", "value": "zzq"},
    "contains short": {"field": "title", "operator": "string_contains", "value": "qb"},
    "time range": {"field": "start_time", "operator": "time_range", "values": [T, "2025-06-08T00:00:00Z"]},
    }  # fmt: skip


def fill(
    database: Database, organization_id: str, rows: int, accounts: list[str]
) -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for n in range(rows):
        title = f"{WORDS[n % 10]} {WORDS[(n // 10) % 10]} {n % 1000}"
        batch.append(
            {
                "id": str(uuid.uuid4()),
                "organization_id": organization_id,
                "source": ("gong", "zoom", "custom_call_recorder")[n % 3],
                "external_id": str(n),
                "title": title,
                "title_folded": title.casefold(),
                "summary": "",
                "url": "",
                "start_time": base + timedelta(minutes=7 * n),
                "end_time": base + timedelta(minutes=7 * n + 30),
                "duration_ms": 1_800_000,
                "account_id": accounts[n % len(accounts)] if n % 5 else None,
                "participant_emails": [],
                "calendar_event_id": "",
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(batch) == 5000 or n == rows - 1:
            with database.session(write=True) as session:
                session.execute(insert(CallRecording), batch)
            batch = []


def organization(database: Database, rows: int) -> tuple[Principal, str]:
    with database.session(write=True) as session:
        org = org_service.create_organization(
            session, f"bench-{uuid.uuid4().hex[:8]}", []
        )
        organization_id = org.id
    accounts = [str(uuid.uuid4()) for _ in range(50)]
    with database.session(write=True) as session:
        session.execute(
            insert(Account),
            [
                {"id": a, "organization_id": organization_id, "name": a}
                for a in accounts
            ],
        )
    fill(database, organization_id, rows, accounts)
    return Principal(organization_id, "bench", (), "bench"), accounts[1]


def timed(
    database: Database, principal: Principal, body: dict[str, Any]
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    with database.session(write=False) as session:
        page = service.search(
            session, principal, SearchCallRecordingsRequest.model_validate(body)
        )
    return (time.perf_counter() - started) * 1000, page.pagination


def bench(database: Database, principal: Principal, account: str, repeat: int) -> None:
    print(f"{'filter':<18} {'page 1 ms':>10} {'page 2 ms':>10}")
    for name, tree in filters(account).items():
        body: dict[str, Any] = {"limit": 100}
        if tree is not None:
            body["filter"] = tree
        first = [timed(database, principal, body) for _ in range(repeat)]
        cursor = first[0][1]["cursor"]
        second = (
            [
                timed(database, principal, {**body, "cursor": cursor})
                for _ in range(repeat)
            ]
            if cursor
            else []
        )
        page2 = (
            f"{statistics.median(t for t, _ in second):10.2f}"
            if second
            else f"{'-':>10}"
        )
        print(f"{name:<18} {statistics.median(t for t, _ in first):10.2f} {page2}")


def settle(database: Database) -> None:
    """On PostgreSQL, what autovacuum gives a live database: statistics and a
    flushed GIN pending list. SQLite gets nothing: callvault never analyzes."""
    if database.dialect != "postgresql":
        return
    with database.engine.connect().execution_options(
        isolation_level="AUTOCOMMIT"
    ) as connection:
        connection.exec_driver_sql("VACUUM ANALYZE call_recordings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    configure_logging("WARNING", json=False)
    with tempfile.TemporaryDirectory() as folder:
        database = Database(args.database_url or f"sqlite:///{folder}/bench.db")
        migrate.upgrade(database)
        started = time.perf_counter()
        principal, account = organization(database, args.rows)
        organization(database, args.rows)
        settle(database)
        print(
            f"{database.dialect}: 2 x {args.rows} recordings in {time.perf_counter() - started:.1f} s"
        )
        bench(database, principal, account, args.repeat)
        database.dispose()


if __name__ == "__main__":
    main()
