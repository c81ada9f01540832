"""Every way of writing a PostgreSQL URL reaches the same psycopg 3 engine and
serves every operation."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from callvault.kernel.db import normalize_url
from callvault.settings import Settings
from tests.factories import recording_body
from tests.live import (
    fresh_postgres_database,
    postgres_unreachable_reason,
    serve_in_thread,
    unavailable,
)


@pytest.mark.parametrize(
    ("given", "served"),
    [
        ("postgresql://u:p@db:5432/cv", "postgresql+psycopg://u:p@db:5432/cv"),
        ("postgres://u@db/cv", "postgresql+psycopg://u@db/cv"),
        ("postgresql+psycopg://u@db/cv", "postgresql+psycopg://u@db/cv"),
        ("postgresql+asyncpg://u@db/cv", "postgresql+psycopg://u@db/cv"),
        (
            "postgresql+asyncpg://u@db/cv?ssl=require",
            "postgresql+psycopg://u@db/cv?sslmode=require",
        ),
        ("sqlite:///calls.db", "sqlite:///calls.db"),
    ],
)
def test_urls_are_served_by_psycopg(given: str, served: str) -> None:
    assert normalize_url(given) == served


@pytest.mark.parametrize("driver", ["postgresql", "postgresql+asyncpg"])
def test_every_operation_works_whatever_the_driver_named(driver: str) -> None:
    reason = postgres_unreachable_reason()
    if reason:
        unavailable(reason)
    with fresh_postgres_database() as url:
        given = make_url(url).set(drivername=driver).render_as_string(False)
        with serve_in_thread(Settings(database_url=given, rate_limits="off")) as live:
            org = live.new_org()
            with live.client(org.token) as api:
                created = api.post("/call-recordings", json=recording_body())
                path = f"/call-recordings/{created.json()['data']['id']}"
                statuses = [
                    created.status_code,
                    api.get(path).status_code,
                    api.patch(path, json={"account_id": ""}).status_code,
                    api.get(f"{path}/transcript").status_code,
                    api.delete(path).status_code,
                    api.get(path).status_code,
                ]
            assert live.database.dialect == "postgresql"
            assert live.database.engine.driver == "psycopg"

    assert statuses == [200, 200, 200, 200, 200, 404]
