"""Every allowed filter, and the keyset continuation, is answered from an
index: the query plans of SQLite and PostgreSQL, read with EXPLAIN."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import pytest

from callvault.kernel import migrate
from callvault.kernel.db import Database
from callvault.organizations.service import Principal, create_organization
from callvault.search import service as search_service
from callvault.search.branches import MAX_BRANCHES
from callvault.search.compile import (
    PHRASE_CHARACTERS,
    IndexedNeedles,
    trigram_needles,
)
from callvault.search.filters import parse_filter
from callvault.search.pagination import Position
from callvault.search.plans import plans
from callvault.search.schemas import Filter, SearchCallRecordingsRequest
from callvault.search.service import CommonNeedles
from callvault.search.shapes import shape_of
from tests.live import fresh_postgres_database, postgres_unreachable_reason
from tests.recording_rows import BASE_TIME, Row, add_accounts, add_recordings

T = "2025-03-01T12:00:00Z"
AFTER = Position(datetime(2025, 3, 1, tzinfo=UTC), "f" * 36)

# (name, filter, the index SQLite answers it from)
CASES: list[tuple[str, dict[str, Any] | None, str]] = [
    ("no filter", None, "ix_recordings_org_start"),
    ("account equals", {"field": "account_id", "operator": "equals", "value": "a"}, "ix_recordings_org_account_start"),
    ("account in", {"field": "account_id", "operator": "in", "values": ["a", "b"]}, "ix_recordings_org_account_start"),
    ("account not_in", {"field": "account_id", "operator": "not_in", "values": ["a"]}, "ix_recordings_org_start"),
    ("account is_set", {"field": "account_id", "operator": "is_set"}, "ix_recordings_org_start"),
    ("account is_unset", {"field": "account_id", "operator": "is_unset"}, "ix_recordings_org_account_start"),
    ("source equals", {"field": "source", "operator": "equals", "value": "gong"}, "ix_recordings_org_source_start"),
    ("source in", {"field": "source", "operator": "in", "values": ["gong", "zoom"]}, "ix_recordings_org_source_start"),
    ("source not_in", {"field": "source", "operator": "not_in", "values": ["gong"]}, "ix_recordings_org_start"),
    ("title equals", {"field": "title", "operator": "equals", "value": "Sync"}, "ix_recordings_org_title_start"),
    ("title contains", {"field": "title", "operator": "string_contains", "value": "renewal"}, "INTEGER PRIMARY KEY"),
    ("title contains short", {"field": "title", "operator": "string_contains", "value": "qb"}, "ix_recordings_org_start"),
    ("start_time after", {"field": "start_time", "operator": "time_is_after", "value": T}, "ix_recordings_org_start"),
    ("start_time before", {"field": "start_time", "operator": "time_is_before", "value": T}, "ix_recordings_org_start"),
    ("start_time range", {"field": "start_time", "operator": "time_range", "values": [T, T]}, "ix_recordings_org_start"),
]  # fmt: skip

ACCOUNTS_A_OR_B = {
    "operator": "or",
    "subfilters": [
        {"field": "account_id", "operator": "equals", "value": "a"},
        {"field": "account_id", "operator": "equals", "value": "b"},
    ],
}
GONG_OR_DEMO = {
    "operator": "or",
    "subfilters": [
        {"field": "source", "operator": "equals", "value": "gong"},
        {"field": "title", "operator": "string_contains", "value": "demo"},
    ],
}


class Branched(NamedTuple):
    """A filter read as one branch per value, each from one range of `index_name`."""

    tree: dict[str, Any]
    index_name: str
    column: str
    branches: int
    # The needles answered by the trigram index; None: every one of 3+ characters.
    indexed: IndexedNeedles | None = None


ACCOUNT_INDEX, SOURCE_INDEX = (
    "ix_recordings_org_account_start",
    "ix_recordings_org_source_start",
)
BRANCHED = {
    "source in": Branched({"field": "source", "operator": "in", "values": ["gong", "zoom"]}, SOURCE_INDEX, "source", 2),
    "account in": Branched({"field": "account_id", "operator": "in", "values": ["a", "b", "c"]}, ACCOUNT_INDEX, "account_id", 3),
    "account or": Branched({"operator": "or", "subfilters": [ACCOUNTS_A_OR_B, {"field": "account_id", "operator": "in", "values": ["b", "c"]}]}, ACCOUNT_INDEX, "account_id", 3),
    "nested and/or": Branched({"operator": "and", "subfilters": [ACCOUNTS_A_OR_B, GONG_OR_DEMO]}, ACCOUNT_INDEX, "account_id", 2),
    # As the service sends a needle with thousands of titles: walked, not indexed.
    "nested and/or, common needle": Branched({"operator": "and", "subfilters": [GONG_OR_DEMO, ACCOUNTS_A_OR_B]}, ACCOUNT_INDEX, "account_id", 2, {}),
}  # fmt: skip


def statement_sql(
    database: Database,
    tree: dict[str, Any] | None,
    after: Position | None,
    indexed: IndexedNeedles | None = None,
) -> str:
    """The page statement the service runs for `tree`, its values written in.

    `indexed`: the needles the trigram index answers; by default every one
    long enough to have a trigram, its candidates left to FTS5."""
    node = parse_filter(Filter.model_validate(tree) if tree else None)
    if indexed is None:
        indexed = dict.fromkeys(trigram_needles(node))
    shape = shape_of(node)
    dialect = database.engine.dialect
    plan = plans.page(shape, node, dialect, indexed, keyset=after is not None)
    bound = plan.parameters(shape, "org-1", after, 101, indexed)
    return str(
        plan.prepared.statement.params(bound).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
    )


@pytest.fixture(scope="module")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("plans") / "plans.db"
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database)
    yield database
    database.dispose()


def sqlite_plan(database: Database, sql: str) -> list[str]:
    return [detail for _, _, detail in sqlite_plan_rows(database, sql)]


def sqlite_plan_rows(database: Database, sql: str) -> list[tuple[int, int, str]]:
    """(id, parent id, step): the plan as the tree SQLite prints."""
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).fetchall()
    return [(int(row[0]), int(row[1]), str(row[3])) for row in rows]


def steps_under(rows: list[tuple[int, int, str]], top: int) -> list[str]:
    below = [(i, step) for i, parent, step in rows if parent == top]
    return [s for i, step in below for s in [step, *steps_under(rows, i)]]


def recordings_access(steps: list[str]) -> list[str]:
    return [step for step in steps if "call_recordings " in step + " "]


@pytest.mark.parametrize("after", [None, AFTER], ids=["first page", "next page"])
@pytest.mark.parametrize(("name", "tree", "index"), CASES, ids=[c[0] for c in CASES])
def test_sqlite_answers_each_filter_from_an_index(
    sqlite_database: Database,
    name: str,
    tree: dict[str, Any] | None,
    index: str,
    after: Position | None,
) -> None:
    plan = sqlite_plan(sqlite_database, statement_sql(sqlite_database, tree, after))

    access = [step for step in plan if "call_recordings " in step + " "]
    assert access, plan
    assert all(step.startswith("SEARCH call_recordings USING") for step in access), plan
    assert any(index in step for step in access), plan
    if index == "INTEGER PRIMARY KEY":
        # The trigram index leads: FTS5 yields the candidates, looked up by rowid.
        assert any("call_recording_titles VIRTUAL TABLE INDEX" in s for s in plan), plan


def test_sqlite_walks_the_tenant_in_order_for_a_common_needle(
    sqlite_database: Database,
) -> None:
    # The service leaves a needle with thousands of candidates out of the
    # indexed ones (service.COMMON_NEEDLE_MATCHES).
    tree = {"field": "title", "operator": "string_contains", "value": "review"}
    sql = statement_sql(sqlite_database, tree, None, indexed={})

    assert sqlite_plan(sqlite_database, sql) == [
        "SEARCH call_recordings USING INDEX ix_recordings_org_start_title "
        "(organization_id=?)"
    ]


def traced_search(
    database: Database, tree: dict[str, Any], organization_id: str = "org-1"
) -> tuple[list[str], search_service.SearchPage]:
    """The SELECTs one search sends to SQLite, as SQLite runs them (values
    written in), and its page: the service runs its statements on the
    driver's connection, past SQLAlchemy's events."""
    sent: list[str] = []
    principal = Principal(organization_id, "plans", (), "token")
    request = SearchCallRecordingsRequest.model_validate({"filter": tree})
    with database.session(write=False) as session:
        driver = session.connection().connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.set_trace_callback(sent.append)
        try:
            page = search_service.search(session, principal, request)
        finally:
            driver.set_trace_callback(None)
    selects = [sql for sql in sent if sql.lstrip().upper().startswith("SELECT")]
    return selects, page


def statements_of_search(database: Database, tree: dict[str, Any]) -> list[str]:
    return traced_search(database, tree)[0]


def test_sqlite_reads_a_rare_needles_candidates_once(sqlite_database: Database) -> None:
    tree = {"field": "title", "operator": "string_contains", "value": "renewal"}

    sent = statements_of_search(sqlite_database, tree)

    reading_titles = [sql for sql in sent if "call_recording_titles" in sql]
    assert len(reading_titles) == 1, sent
    (page,) = [sql for sql in sent if "ORDER BY" in sql]
    assert "call_recordings.rowid IN (SELECT anon_1.value" in page, page
    assert "json_each(" in page, page


def test_sqlite_asks_fts5_for_the_start_of_a_long_needle_only(
    sqlite_database: Database,
) -> None:
    # A phrase of thousands of trigrams costs seconds; instr() on the few
    # candidates keeps the answer exact (test_search_api).
    tree = {"field": "title", "operator": "string_contains", "value": "x" * 5000}

    sent = statements_of_search(sqlite_database, tree)

    phrases = [p for sql in sent for p in re.findall(r"MATCH '(\"x+\")'", sql)]
    assert phrases == ['"' + "x" * PHRASE_CHARACTERS + '"'], sent


def test_sqlite_tests_a_needle_under_an_or_on_the_walk(
    sqlite_database: Database,
) -> None:
    # Not every match holds it, so its candidates could not lead the query.
    tree = {
        "operator": "or",
        "subfilters": [
            {"field": "source", "operator": "equals", "value": "gong"},
            {"field": "title", "operator": "string_contains", "value": "renewal"},
        ],
    }

    sent = statements_of_search(sqlite_database, tree)

    assert not [sql for sql in sent if "call_recording_titles" in sql], sent
    (page,) = [sql for sql in sent if "ORDER BY" in sql]
    assert "instr(call_recordings.title_folded" in page, page


def test_sqlite_keyset_continuation_is_a_range_of_the_index(
    sqlite_database: Database,
) -> None:
    plan = sqlite_plan(sqlite_database, statement_sql(sqlite_database, None, AFTER))

    assert plan == [
        "SEARCH call_recordings USING INDEX ix_recordings_org_start_title "
        "(organization_id=? AND (start_time,id)<(?,?))"
    ]


@pytest.mark.parametrize("after", [None, AFTER], ids=["first page", "next page"])
@pytest.mark.parametrize("case", BRANCHED.values(), ids=BRANCHED.keys())
def test_sqlite_reads_each_listed_value_from_its_own_index_range(
    sqlite_database: Database, case: Branched, after: Position | None
) -> None:
    sql = statement_sql(sqlite_database, case.tree, after, case.indexed)
    rows = sqlite_plan_rows(sqlite_database, sql)

    keyset = " AND (start_time,id)<(?,?)" if after else ""
    branch_tops = [i for i, _, step in rows if step.startswith("CO-ROUTINE")]
    assert len(branch_tops) == case.branches, rows
    for top in branch_tops:
        steps = steps_under(rows, top)
        [access] = recordings_access(steps)
        assert access.startswith("SEARCH call_recordings USING "), rows
        assert access.endswith(
            f"INDEX {case.index_name} (organization_id=? AND {case.column}=?{keyset})"
        ), rows
        # Read in search order, not sorted: the branch stops after a page.
        assert not any("TEMP B-TREE" in step for step in steps), rows
    # Past the branches, only the page's rows are read, each by its id.
    outside = set(recordings_access([step for _, _, step in rows])) - {
        step for top in branch_tops for step in steps_under(rows, top)
    }
    assert outside == {
        "SEARCH call_recordings USING INDEX sqlite_autoindex_call_recordings_1 (id=?)"
    }, rows


@pytest.mark.parametrize("count", [MAX_BRANCHES, MAX_BRANCHES + 1])
def test_sqlite_reads_up_to_fifty_listed_values_in_branches_then_walks(
    sqlite_database: Database, count: int
) -> None:
    tree = {
        "field": "source",
        "operator": "in",
        "values": [f"s{n}" for n in range(count)],
    }

    plan = sqlite_plan(sqlite_database, statement_sql(sqlite_database, tree, None))

    branch_read = (
        "INDEX ix_recordings_org_source_start (organization_id=? AND source=?)"
    )
    walk = [
        "SEARCH call_recordings USING INDEX ix_recordings_org_start_title "
        "(organization_id=?)"
    ]
    branched = count <= MAX_BRANCHES
    assert len([step for step in plan if branch_read in step]) == (
        count if branched else 0
    ), plan
    assert (plan == walk) is not branched, plan


def beside_a_list(leader: dict[str, Any]) -> dict[str, Any]:
    """`leader` and `source in [gong, zoom]`, which could be read in branches."""
    listed = {"field": "source", "operator": "in", "values": ["gong", "zoom"]}
    return {"operator": "and", "subfilters": [listed, leader]}


def test_sqlite_lets_an_equality_lead_beside_a_list(
    sqlite_database: Database,
) -> None:
    tree = beside_a_list({"field": "account_id", "operator": "equals", "value": "a"})

    plan = sqlite_plan(sqlite_database, statement_sql(sqlite_database, tree, None))

    assert plan == [
        "SEARCH call_recordings USING INDEX ix_recordings_org_account_start "
        "(organization_id=? AND account_id=?)"
    ]


def test_sqlite_lets_an_indexed_needle_lead_beside_a_list(
    sqlite_database: Database,
) -> None:
    tree = beside_a_list(
        {"field": "title", "operator": "string_contains", "value": "renewal"}
    )

    plan = sqlite_plan(sqlite_database, statement_sql(sqlite_database, tree, None))

    assert not any(step.startswith("CO-ROUTINE") for step in plan), plan
    assert "SEARCH call_recordings USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    assert any("call_recording_titles VIRTUAL TABLE INDEX" in s for s in plan), plan


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[Database]:
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url:
        database = Database(url)
        migrate.upgrade(database)
        organization, accounts = _seed(database)
        database.org_for_plans = organization  # type: ignore[attr-defined]
        database.accounts_for_plans = accounts  # type: ignore[attr-defined]
        yield database
        database.dispose()


# Halfway through _seed's recordings: a next page PostgreSQL expects rows on.
SEEDED_MIDDLE = Position(BASE_TIME + timedelta(minutes=1500), "f" * 36)


def _seed(database: Database) -> tuple[str, list[str]]:
    from callvault.organizations import service as org_service

    with database.session(write=True) as session:
        organization = org_service.create_organization(session, "plans", [])
        organization_id = organization.id
    accounts = add_accounts(database, organization_id, 20)
    rows = [
        Row(
            title=f"Call {n} with customer {n % 97}",
            source=("gong", "zoom", "custom_call_recorder")[n % 3],
            account_id=accounts[n % 20] if n % 4 else None,
            start_time=BASE_TIME + timedelta(minutes=n),
        )
        for n in range(3000)
    ]
    add_recordings(database, organization_id, rows)
    # What autovacuum does on a live server: flush the GIN pending list and
    # gather the statistics the planner costs indexes by.
    with database.engine.connect().execution_options(
        isolation_level="AUTOCOMMIT"
    ) as connection:
        connection.exec_driver_sql("VACUUM ANALYZE call_recordings")
    return organization_id, accounts


def postgres_plan(database: Database, sql: str) -> str:
    with database.engine.begin() as connection:
        # Small tables make PostgreSQL prefer sequential scans; switched off,
        # a sequential scan remains only where no index can answer.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + sql).fetchall()
    return "\n".join(str(row[0]) for row in rows)


@pytest.mark.postgresql
@pytest.mark.parametrize("after", [None, AFTER], ids=["first page", "next page"])
@pytest.mark.parametrize(("name", "tree", "index"), CASES, ids=[c[0] for c in CASES])
def test_postgresql_answers_each_filter_from_an_index(
    postgres_database: Database,
    name: str,
    tree: dict[str, Any] | None,
    index: str,
    after: Position | None,
) -> None:
    plan = postgres_plan(
        postgres_database, statement_sql(postgres_database, tree, after)
    )

    assert "Seq Scan on call_recordings" not in plan, plan
    assert "Index" in plan and "on call_recordings" in plan, plan


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("tree", "index"),
    [
        ({"field": "title", "operator": "string_contains", "value": "renewal"}, "ix_recordings_title_trgm"),
        ({"field": "title", "operator": "equals", "value": "Sync"}, "ix_recordings_org_title_md5"),
        ({"field": "account_id", "operator": "equals", "value": "a"}, "ix_recordings_org_account_start"),
        ({"field": "source", "operator": "equals", "value": "gong"}, "ix_recordings_org_source_start"),
    ],
)  # fmt: skip
def test_postgresql_title_and_equality_indexes_are_usable(
    postgres_database: Database, tree: dict[str, Any], index: str
) -> None:
    # Rare values, read without the ordered walk: the planner picks the
    # index built for the filter.
    sql = statement_sql(postgres_database, tree, None).replace(
        "'org-1'",
        "'" + postgres_database.org_for_plans + "'",  # type: ignore[attr-defined]
    )

    plan = postgres_plan(postgres_database, sql)

    assert index in plan, plan


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "after", [None, SEEDED_MIDDLE], ids=["first page", "next page"]
)
@pytest.mark.parametrize("case", BRANCHED.values(), ids=BRANCHED.keys())
def test_postgresql_reads_each_listed_value_from_its_own_index_range(
    postgres_database: Database, case: Branched, after: Position | None
) -> None:
    # Asked of the seeded organization and accounts, which PostgreSQL has
    # statistics for.
    sql = statement_sql(postgres_database, case.tree, after, case.indexed).replace(
        "'org-1'",
        "'" + postgres_database.org_for_plans + "'",  # type: ignore[attr-defined]
    )
    accounts = postgres_database.accounts_for_plans  # type: ignore[attr-defined]
    for name, account in zip("abc", accounts, strict=False):
        sql = sql.replace(f"'{name}'", f"'{account}'")

    plan = postgres_plan(postgres_database, sql)

    assert plan.count(f" {case.index_name} ") == case.branches, plan
    assert "ix_recordings_org_start" not in plan, plan
    assert "Seq Scan" not in plan, plan
    # The branches' keys are merged in search order, not gathered and sorted.
    assert "Merge Append" in plan, plan


def test_sqlite_probes_a_common_needle_once_a_minute_and_answers_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'common.db'}")
    migrate.upgrade(database)
    clock = FakeClock()
    monkeypatch.setattr(search_service, "common_needles", CommonNeedles(clock=clock))
    with database.session(write=True) as session:
        organization = create_organization(session, "Common")
    common = [
        Row(title=f"Weekly review {n}", start_time=BASE_TIME + timedelta(minutes=n))
        for n in range(search_service.COMMON_NEEDLE_MATCHES)
    ]
    add_recordings(database, organization.id, [*common, Row(title="Kickoff")])
    tree = {"field": "title", "operator": "string_contains", "value": "review"}

    probed = search_sql(database, organization.id, tree)
    remembered = search_sql(database, organization.id, tree)
    clock.now += search_service.COMMON_NEEDLE_SECONDS
    probed_again = search_sql(database, organization.id, tree)
    database.dispose()

    assert [len(probes) for probes, _ in (probed, remembered, probed_again)] == [
        1,
        0,
        1,
    ]
    newest_first = [row.id for row in reversed(common)][:100]
    assert probed[1] == remembered[1] == probed_again[1] == newest_first


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def search_sql(
    database: Database, organization_id: str, tree: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """The trigram probes one search sent, and the ids it answered."""
    sent, page = traced_search(database, tree, organization_id)
    probes = [sql for sql in sent if "call_recording_titles" in sql]
    return probes, [item["id"] for item in orjson.loads(orjson.dumps(page.data))]


def test_common_needles_are_kept_a_while_by_database_and_the_oldest_go_first() -> None:
    clock = FakeClock()
    needles = CommonNeedles(seconds=60, size=2, clock=clock)

    needles.add("a.db", "review")
    clock.now += 59
    kept = needles.holds("a.db", "review"), needles.holds("b.db", "review")
    clock.now += 1
    expired = needles.holds("a.db", "review")
    needles.add("a.db", "demo")
    needles.add("a.db", "sync")
    needles.add("a.db", "qbr")

    assert kept == (True, False)
    assert expired is False
    assert [needles.holds("a.db", n) for n in ("demo", "sync", "qbr")] == [
        False,
        True,
        True,
    ]
