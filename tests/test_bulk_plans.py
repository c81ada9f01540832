"""The bulk import's lookup of stored recordings reads the unique index on
(organization_id, source, external_id), so a batch costs the same whether the
organization holds a thousand recordings or a million."""

from __future__ import annotations

from pathlib import Path

from callvault.kernel import migrate
from callvault.kernel.db import Database
from callvault.recordings import bulk_repository


def test_the_stored_recordings_of_a_batch_are_found_through_the_unique_index(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'plans.db'}")
    migrate.upgrade(database)
    keys = [("gong", f"call-{i}") for i in range(50)] + [("zoom", "meeting-1")]
    statement = bulk_repository.existing_statement("org-1", keys)
    sql = str(
        statement.compile(
            dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}
        )
    )

    with database.engine.connect() as connection:
        plan = [
            row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
        ]
    database.dispose()

    assert len(plan) == 1, plan
    assert "(organization_id=? AND source=? AND external_id=?)" in plan[0], plan
