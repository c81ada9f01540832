"""On SQLite each recording's response is kept in its row by triggers
(migration 0005). Whatever writes the recording, its custom field values or
the fields themselves, the document kept must be the one Python builds from
the columns as they now are (`recordings.service.present_many`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from alembic import command
from sqlalchemy import select, text

from callvault.kernel import migrate
from callvault.kernel.db import Database
from callvault.recordings import repository
from callvault.recordings.models import CallRecording
from callvault.recordings.service import present_many
from callvault.settings import Settings
from tests.factories import create_recording, field_body
from tests.live import LiveServer, Org, serve_in_thread
from tests.recording_rows import Row, add_accounts, add_recordings


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # SQLite whatever engine the rest of the suite runs on: the triggers are
    # SQLite's own.
    url = f"sqlite:///{tmp_path_factory.mktemp('stored') / 'callvault.db'}"
    with serve_in_thread(Settings(database_url=url, rate_limits="off")) as live:
        yield live


@pytest.fixture
def tenant(sqlite_server: LiveServer) -> Iterator[tuple[Org, httpx.Client]]:
    org = sqlite_server.new_org(domains=["vendor.example"])
    with sqlite_server.client(org.token) as api:
        yield org, api


def kept_and_built(database: Database, organization_id: str) -> tuple[Any, Any]:
    """Every recording of the organization as its kept document and as
    Python builds it now, both read as a client reads JSON, by id."""
    table = CallRecording.__table__.c
    with database.session(write=False) as session:
        rows = session.execute(
            select(*repository.RESPONSE_COLUMNS).where(
                table.organization_id == organization_id
            )
        ).all()
        built = present_many(session, organization_id, rows)
        kept = session.execute(
            text("SELECT id, document FROM call_recordings WHERE organization_id = :o"),
            {"o": organization_id},
        ).all()
    return (
        {recording_id: orjson.loads(document) for recording_id, document in kept},
        {answer["id"]: orjson.loads(orjson.dumps(answer)) for answer in built},
    )


def assert_current(database: Database, organization_id: str) -> None:
    kept, built = kept_and_built(database, organization_id)
    assert kept == built
    assert kept, "the organization has recordings"


def define_fields(api: httpx.Client) -> tuple[str, str]:
    text_field = api.post("/custom-fields", json=field_body("text")).json()["data"]
    tags = api.post("/custom-fields", json=field_body("multiselect")).json()["data"]
    return text_field["slug"], tags["slug"]


def test_field_values_set_changed_and_cleared_rewrite_the_document(
    sqlite_server: LiveServer, tenant: tuple[Org, httpx.Client]
) -> None:
    org, api = tenant
    text_slug, tags_slug = define_fields(api)
    recording = create_recording(api)
    path = f"/call-recordings/{recording['id']}"

    steps = [
        [{"slug": text_slug, "value": "Wants SSO"}],
        [{"slug": tags_slug, "values": ["pricing", "security"]}],
        [{"slug": text_slug, "value": "Wants SCIM"}],
        [{"slug": text_slug}, {"slug": tags_slug, "values": ["security"]}],
    ]
    for fields in steps:
        response = api.patch(path, json={"custom_fields": fields})
        assert response.status_code == 200, response.text
        assert_current(sqlite_server.database, org.id)

    answered = api.get(path).json()["data"]
    assert answered["custom_fields"] == {
        tags_slug: {"slug": tags_slug, "values": ["security"]}
    }


def test_account_link_changes_rewrite_the_document(
    sqlite_server: LiveServer, tenant: tuple[Org, httpx.Client]
) -> None:
    org, api = tenant
    (account_id,) = add_accounts(sqlite_server.database, org.id, 1)
    recording = create_recording(api)
    path = f"/call-recordings/{recording['id']}"

    linked = api.patch(path, json={"account_id": account_id})
    assert linked.json()["data"]["account_id"] == account_id
    assert_current(sqlite_server.database, org.id)

    unlinked = api.patch(path, json={"account_id": ""})
    assert unlinked.json()["data"]["account_id"] == ""
    assert_current(sqlite_server.database, org.id)


def test_foreign_key_actions_rewrite_the_document(
    sqlite_server: LiveServer, tenant: tuple[Org, httpx.Client]
) -> None:
    """A deleted account unlinks its recordings (ON DELETE SET NULL) and a
    deleted field drops its values (ON DELETE CASCADE): no service code runs,
    the triggers still do."""
    org, api = tenant
    database = sqlite_server.database
    text_slug, _ = define_fields(api)
    (account_id,) = add_accounts(database, org.id, 1)
    recording = create_recording(api)
    path = f"/call-recordings/{recording['id']}"
    body = {
        "account_id": account_id,
        "custom_fields": [{"slug": text_slug, "value": "x"}],
    }
    assert api.patch(path, json=body).status_code == 200

    with database.session(write=True) as session:
        session.execute(text("DELETE FROM accounts WHERE id = :a"), {"a": account_id})
        session.execute(
            text("DELETE FROM custom_fields WHERE organization_id = :o AND slug = :s"),
            {"o": org.id, "s": text_slug},
        )

    answered = api.get(path).json()["data"]
    assert answered["account_id"] == ""
    assert answered["custom_fields"] == {}
    assert_current(database, org.id)


def test_a_renamed_field_slug_rewrites_the_documents_that_carry_it(
    sqlite_server: LiveServer, tenant: tuple[Org, httpx.Client]
) -> None:
    org, api = tenant
    database = sqlite_server.database
    text_slug, _ = define_fields(api)
    recording = create_recording(api)
    path = f"/call-recordings/{recording['id']}"
    body = {"custom_fields": [{"slug": text_slug, "value": "x"}]}
    assert api.patch(path, json=body).status_code == 200

    with database.session(write=True) as session:
        session.execute(
            text(
                "UPDATE custom_fields SET slug = 'renamed' "
                "WHERE organization_id = :o AND slug = :s"
            ),
            {"o": org.id, "s": text_slug},
        )

    assert api.get(path).json()["data"]["custom_fields"] == {
        "renamed": {"slug": "renamed", "value": "x"}
    }
    assert_current(database, org.id)


def test_rows_inserted_in_bulk_carry_their_document(
    sqlite_server: LiveServer, tenant: tuple[Org, httpx.Client]
) -> None:
    org, api = tenant
    add_recordings(
        sqlite_server.database, org.id, [Row(title=f"Call {n}") for n in range(5)]
    )

    assert_current(sqlite_server.database, org.id)
    page = api.post("/call-recordings/search", json={}).json()["data"]
    assert sorted(r["title"] for r in page) == [f"Call {n}" for n in range(5)]


def move_to(database: Database, revision: str, *, down: bool = False) -> None:
    config = migrate.alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_the_migration_fills_the_documents_of_existing_recordings(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'existing.db'}")
    try:
        move_to(database, "0004")
        with database.session(write=True) as session:
            session.execute(
                text(
                    "INSERT INTO organizations (id, name, domains, created_at) "
                    "VALUES ('o1', 'Acme', '[]', '2025-01-01 00:00:00.000000')"
                )
            )
        add_recordings(database, "o1", [Row(title="Kickoff"), Row(title="Renewal")])

        move_to(database, "head")
        assert_current(database, "o1")

        move_to(database, "0004", down=True)
        with database.engine.connect() as connection:
            columns = connection.execute(text("PRAGMA table_info(call_recordings)"))
            assert "document" not in {column.name for column in columns}
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE name LIKE '%document%'")
            )
            assert triggers.all() == []
    finally:
        database.dispose()
