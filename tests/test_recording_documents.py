"""On SQLite a recording's response is the JSON text SQLite keeps in its row
(`recordings.documents`); on PostgreSQL it is built in Python
(`recordings.service.present_many`). Both must answer the same document for
any recording a user can store: every text, every custom field type, every
instant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from callvault.kernel.db import Database
from callvault.recordings import repository
from callvault.recordings.models import CallRecording
from callvault.recordings.service import present_many
from callvault.settings import Settings
from tests.factories import FIELD_SPECS, field_body, recording_body
from tests.live import LiveServer, serve_in_thread


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # SQLite whatever engine the rest of the suite runs on: the documents
    # are SQLite's own.
    url = f"sqlite:///{tmp_path_factory.mktemp('documents') / 'callvault.db'}"
    with serve_in_thread(Settings(database_url=url, rate_limits="off")) as live:
        yield live


@pytest.fixture(scope="module")
def tenant(
    sqlite_server: LiveServer,
) -> Iterator[tuple[httpx.Client, list[dict[str, Any]]]]:
    org = sqlite_server.new_org(domains=["vendor.example"])
    with sqlite_server.client(org.token) as api:
        fields = []
        for kind, _, value, _ in FIELD_SPECS:
            created = api.post("/custom-fields", json=field_body(kind))
            assert created.status_code == 200, created.text
            fields.append({"slug": created.json()["data"]["slug"], **value})
        yield api, fields


# Text as users write it: any character SQLite can store, the ones JSON must
# escape among them (quotes, backslashes, control characters) and beyond the
# Basic Multilingual Plane.
storable_characters = st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\x00"
)
instants = st.sampled_from(
    [
        "2025-01-15T09:30:00Z",
        "2025-01-15T09:30:00.5Z",
        "2025-01-15T09:30:00.000001+02:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
    ]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    # A title a search can name: `equals` takes a non-empty string.
    title=st.text(storable_characters, min_size=1, max_size=40),
    summary=st.text(storable_characters, max_size=40),
    start=instants,
    emails=st.sampled_from(
        ["ana@customer.example", "ana@customer.example,sam@vendor.example"]
    ),
    with_fields=st.booleans(),
)
def test_sqlite_documents_equal_the_python_answer(
    sqlite_server: LiveServer,
    tenant: tuple[httpx.Client, list[dict[str, Any]]],
    title: str,
    summary: str,
    start: str,
    emails: str,
    with_fields: bool,
) -> None:
    api, fields = tenant
    body = recording_body(
        title=title,
        summary=summary,
        start_time=start,
        end_time="9999-12-31T23:59:59.999999Z",
        participant_emails=emails,
    )
    created = api.post("/call-recordings", json=body)
    assert created.status_code == 200, created.text
    recording_id = created.json()["data"]["id"]
    if with_fields:
        patched = api.patch(
            f"/call-recordings/{recording_id}", json={"custom_fields": fields}
        )
        assert patched.status_code == 200, patched.text

    answered = api.get(f"/call-recordings/{recording_id}").json()["data"]
    search = api.post(
        "/call-recordings/search",
        json={"filter": {"field": "title", "operator": "equals", "value": title}},
    )
    assert search.status_code == 200, search.text
    searched = search.json()["data"]

    document, expected = _both_answers(sqlite_server.database, recording_id)
    assert document == expected
    assert answered == expected
    assert expected in searched
    if with_fields:
        assert len(answered["custom_fields"]) == len(FIELD_SPECS)


def _both_answers(
    database: Database, recording_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The recording as SQLite keeps it, and as Python builds it from its
    columns, both read as a client reads JSON."""
    table = CallRecording.__table__.c
    with database.session(write=False) as session:
        organization_id = session.scalar(
            select(table.organization_id).where(table.id == recording_id)
        )
        assert organization_id is not None
        stored = repository.response_row(session, organization_id, recording_id)
        assert stored is not None
        row = session.execute(
            select(*repository.RESPONSE_COLUMNS).where(table.id == recording_id)
        ).one()
        (built,) = present_many(session, organization_id, [row])
    _, _, document = stored
    return orjson.loads(document), orjson.loads(orjson.dumps(built))
