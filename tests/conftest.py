from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from callvault.settings import Settings
from tests.live import (
    LiveServer,
    Org,
    fresh_postgres_database,
    postgres_unreachable_reason,
    serve_in_thread,
    test_engine,
)


def pytest_report_header() -> str:
    return f"callvault test engine: {test_engine()}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if test_engine() == "postgresql":
        reason = postgres_unreachable_reason()
        if reason:
            pytest.fail(f"CALLVAULT_TEST_ENGINE=postgresql but {reason}")
        with fresh_postgres_database() as url:
            yield url
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'callvault.db'}"


@pytest.fixture(scope="session")
def server(database_url: str) -> Iterator[LiveServer]:
    settings = Settings(database_url=database_url, rate_limits="off")
    with serve_in_thread(settings) as live:
        yield live


@pytest.fixture
def org(server: LiveServer) -> Org:
    """A fresh organization with one token: tests never see each other's data."""
    return server.new_org(domains=["vendor.example"])


@pytest.fixture
def api(server: LiveServer, org: Org) -> Iterator[httpx.Client]:
    with server.client(org.token) as client:
        yield client


@pytest.fixture
def anonymous(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client(None) as client:
        yield client
