"""Reads on the event loop's own SQLite connection (`Database.loop_reader`):
a budgeted read that overruns is stopped, and the connection is left as it
was, however many times that happens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from callvault.kernel import migrate
from callvault.kernel.db import Database, ReadOverBudget
from callvault.organizations.service import create_organization
from tests.recording_rows import Row, add_recordings

WALK = (
    "SELECT id FROM call_recordings WHERE instr(title_folded, 'zq') > 0 "
    "ORDER BY start_time DESC, id DESC LIMIT 101"
)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'loop.db'}")
    migrate.upgrade(database)
    yield database
    database.dispose()


def count_recordings(database: Database) -> int:
    with database.loop_reader(snapshot=True) as reader:
        driver = reader.connection.driver_connection
        (count,) = driver.execute("SELECT count(*) FROM call_recordings").fetchone()
    return int(count)


def test_a_read_over_budget_leaves_no_transaction_open_however_often(
    database: Database,
) -> None:
    with database.session(write=True) as session:
        organization_id = create_organization(session, "Loop").id
    add_recordings(database, organization_id, [Row() for _ in range(2000)])

    # SQLite's step count of a cached statement (the snapshot's ROLLBACK)
    # grows across its runs: a refusing progress handler met it about every
    # 330th run and left the read transaction open for good.
    for _ in range(1000):
        with (
            pytest.raises(ReadOverBudget),
            database.loop_reader(budget=2000, snapshot=True) as reader,
        ):
            reader.connection.driver_connection.execute(WALK).fetchall()

    with database.loop_reader() as reader:
        assert not reader.connection.driver_connection.in_transaction
    add_recordings(database, organization_id, [Row()])
    assert count_recordings(database) == 2001


def test_a_read_within_budget_answers_on_a_snapshot(database: Database) -> None:
    with database.session(write=True) as session:
        organization_id = create_organization(session, "Loop").id
    add_recordings(database, organization_id, [Row(title="Zq call")])

    with database.loop_reader(budget=50_000, snapshot=True) as reader:
        driver = reader.connection.driver_connection
        assert len(driver.execute(WALK).fetchall()) == 1
        assert driver.in_transaction
        with database.session(write=True) as session:
            session.execute(text("DELETE FROM call_recordings"))
        # The snapshot still holds the recording deleted meanwhile.
        assert len(driver.execute(WALK).fetchall()) == 1

    assert count_recordings(database) == 0


def test_a_thread_keeps_its_connection_between_reads(database: Database) -> None:
    with database.loop_reader() as first:
        pass
    with database.loop_reader(snapshot=True) as second:
        pass

    assert second is first and not first.closed


def test_a_read_through_sqlalchemy_ends_its_transaction_with_the_read(
    database: Database,
) -> None:
    with database.session(write=True) as session:
        organization_id = create_organization(session, "Loop").id
    with database.loop_reader() as reader:
        assert (
            reader.execute(text("SELECT count(*) FROM call_recordings")).scalar() == 0
        )
        assert reader.connection.driver_connection.in_transaction

    # Kept open in that transaction, the next read would not see this row.
    add_recordings(database, organization_id, [Row()])
    assert count_recordings(database) == 1


def test_reads_go_on_after_the_database_is_disposed(database: Database) -> None:
    with database.loop_reader() as before:
        pass
    database.dispose()

    assert count_recordings(database) == 0
    with database.loop_reader() as after:
        assert after is not before
