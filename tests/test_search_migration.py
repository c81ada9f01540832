"""Migration 0002 indexes the titles a database holds already, and undoes
itself cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from alembic import command
from sqlalchemy import text

from callvault.kernel import migrate
from callvault.kernel.db import Database
from callvault.organizations import service as org_service
from callvault.organizations.service import Principal
from callvault.search import service as search_service
from callvault.search.schemas import SearchCallRecordingsRequest
from tests import live
from tests.recording_rows import Row, add_recordings


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield database
        database.dispose()
        return
    reason = live.postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    with live.fresh_postgres_database() as url:
        database = Database(url)
        yield database
        database.dispose()


def move_to(database: Database, revision: str, *, down: bool = False) -> None:
    config = migrate.alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def contains(database: Database, organization_id: str, needle: str) -> list[str]:
    principal = Principal(organization_id, "m", (), "token")
    tree = {"field": "title", "operator": "string_contains", "value": needle}
    request = SearchCallRecordingsRequest.model_validate({"filter": tree})
    with database.session(write=False) as session:
        page = search_service.search(session, principal, request)
    return [recording["title"] for recording in orjson.loads(orjson.dumps(page.data))]


def test_upgrade_indexes_existing_titles_and_downgrade_restores_0001(
    database: Database,
) -> None:
    move_to(database, "0001")
    with database.session(write=True) as session:
        organization_id = org_service.create_organization(session, "m", []).id
    add_recordings(database, organization_id, [Row(title="Renewal QBR"), Row()])

    move_to(database, "head")
    assert contains(database, organization_id, "qbr") == ["Renewal QBR"]

    move_to(database, "0001", down=True)
    with database.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version"))
        assert version.scalar_one() == "0001"

    move_to(database, "head")
    assert contains(database, organization_id, "renewal") == ["Renewal QBR"]
