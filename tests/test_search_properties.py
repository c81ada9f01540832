"""Property: a search walked over all its pages answers exactly what the
contract's semantics say, in its order, with no duplicates.

The oracle below reads the filter JSON itself and shares no code with
callvault.search; it is the contract (spec/README.md section 4) in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callvault.settings import Settings
from tests import live
from tests.live import (
    LiveServer,
    fresh_postgres_database,
    postgres_unreachable_reason,
    serve_in_thread,
)
from tests.recording_rows import BASE_TIME, Row, add_accounts, add_recordings

ACCOUNT_SLOTS = 3
SOURCES = ["gong", "zoom", "custom_call_recorder"]
# Equal start times are common, and some differ by a microsecond only.
INSTANTS = [BASE_TIME + timedelta(minutes=30 * k) for k in range(4)] + [
    BASE_TIME + timedelta(microseconds=1),
    BASE_TIME - timedelta(microseconds=1),
]
OFFSETS = [UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]
# Mixed case, letters whose case folding changes length or form, LIKE's
# wildcards and FTS5's quote, so every rule of string_contains is exercised.
TITLE_ALPHABET = 'aAbBsSßẞσΣςéÉİı%_" 1'
# Digits written beyond the microsecond that callvault stores: a bound with
# them lies strictly between two stored instants.
SUB_MICROSECOND = ["", "", "", "0", "1", "5", "999"]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FRACTION = re.compile(r"\.(\d+)")


def exact_seconds(text: str) -> Fraction:
    """The instant an RFC3339 text names, to every digit it was written with."""
    digits = _FRACTION.search(text)
    whole = datetime.fromisoformat(_FRACTION.sub("", text))
    fraction = (
        Fraction(int(digits.group(1)), 10 ** len(digits.group(1))) if digits else 0
    )
    return Fraction((whole - EPOCH) // timedelta(microseconds=1), 10**6) + fraction


def stored_seconds(moment: datetime) -> Fraction:
    return Fraction((moment - EPOCH) // timedelta(microseconds=1), 10**6)


def oracle_matches(tree: dict[str, Any] | None, recording: dict[str, Any]) -> bool:
    if tree is None:
        return True
    operator = tree["operator"]
    if operator == "and":
        return all(oracle_matches(child, recording) for child in tree["subfilters"])
    if operator == "or":
        return any(oracle_matches(child, recording) for child in tree["subfilters"])
    field = recording[tree["field"]]
    if operator == "equals":
        return bool(field == tree["value"])
    if operator == "in":
        return field in tree["values"]
    if operator == "not_in":
        return field is None or field not in tree["values"]
    if operator == "is_set":
        return field is not None
    if operator == "is_unset":
        return field is None
    if operator == "string_contains":
        return tree["value"].casefold() in field.casefold()
    if operator == "time_is_after":
        return bool(stored_seconds(field) > exact_seconds(tree["value"]))
    if operator == "time_is_before":
        return bool(stored_seconds(field) < exact_seconds(tree["value"]))
    start, end = (exact_seconds(v) for v in tree["values"])
    return bool(start <= stored_seconds(field) < end)


def oracle(tree: dict[str, Any] | None, rows: list[Row]) -> list[str]:
    recordings = [
        {
            "id": row.id,
            "account_id": row.account_id,
            "source": row.source,
            "title": row.title,
            "start_time": row.start_time,
        }
        for row in rows
    ]
    found = [r for r in recordings if oracle_matches(tree, r)]
    found.sort(key=lambda r: (r["start_time"], r["id"]), reverse=True)
    return [r["id"] for r in found]


titles = st.text(alphabet=TITLE_ALPHABET, max_size=10)
row_fields = st.tuples(
    titles,
    st.sampled_from(SOURCES),
    st.one_of(st.none(), st.integers(0, ACCOUNT_SLOTS - 1)),
    st.sampled_from(INSTANTS),
)
rows_strategy = st.lists(row_fields, max_size=30)
# Enough recordings that a list of values meets several, over several pages.
many_rows = st.lists(row_fields, min_size=10, max_size=30)


def written_instant(draw: st.DrawFn) -> str:
    moment = draw(st.sampled_from(INSTANTS)) + timedelta(
        microseconds=draw(st.sampled_from([0, 0, 1, -1]))
    )
    written = moment.astimezone(draw(st.sampled_from(OFFSETS)))
    text = written.isoformat(timespec="microseconds")
    extra = draw(st.sampled_from(SUB_MICROSECOND))
    # The offset is the last six characters: `+02:00`.
    return text[:-6] + extra + text[-6:]


@st.composite
def leaves(
    draw: st.DrawFn, accounts: list[str], titles_seen: list[str]
) -> dict[str, Any]:
    account_values = st.sampled_from(
        accounts + ["00000000-0000-0000-0000-000000000000"]
    )
    kind = draw(st.integers(0, 12))
    if kind == 0:
        return {
            "field": "account_id",
            "operator": "equals",
            "value": draw(account_values),
        }
    if kind in (1, 2):
        operator = "in" if kind == 1 else "not_in"
        values = draw(st.lists(account_values, min_size=1, max_size=3))
        return {"field": "account_id", "operator": operator, "values": values}
    if kind == 3:
        return {
            "field": "account_id",
            "operator": draw(st.sampled_from(["is_set", "is_unset"])),
        }
    if kind == 4:
        return {
            "field": "source",
            "operator": "equals",
            "value": draw(st.sampled_from(SOURCES)),
        }
    if kind == 5:
        values = draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=2))
        return {
            "field": "source",
            "operator": draw(st.sampled_from(["in", "not_in"])),
            "values": values,
        }
    if kind == 6:
        title = draw(st.sampled_from(titles_seen)) if titles_seen else "x"
        return {"field": "title", "operator": "equals", "value": title or "x"}
    if kind in (7, 8, 9):
        return {
            "field": "title",
            "operator": "string_contains",
            "value": draw(needles(titles_seen)),
        }
    if kind == 10:
        return {
            "field": "start_time",
            "operator": "time_is_after",
            "value": written_instant(draw),
        }
    if kind == 11:
        return {
            "field": "start_time",
            "operator": "time_is_before",
            "value": written_instant(draw),
        }
    bounds = sorted([written_instant(draw), written_instant(draw)], key=exact_seconds)
    return {"field": "start_time", "operator": "time_range", "values": bounds}  # fmt: skip


@st.composite
def needles(draw: st.DrawFn, titles_seen: list[str]) -> str:
    """A piece of a stored title with its case changed, or any short text."""
    sources = [t for t in titles_seen if t]
    if sources and draw(st.booleans()):
        title = draw(st.sampled_from(sources))
        start = draw(st.integers(0, len(title) - 1))
        # Mostly three or more characters: the trigram path.
        end = draw(st.integers(min(start + 3, len(title)), len(title)))
        piece = title[start:end]
        at = draw(st.integers(0, len(piece) - 1))
        # A wildcard in place of a letter: LIKE would match it, the contract not.
        wild = piece[:at] + draw(st.sampled_from("%_")) + piece[at + 1 :]
        return draw(
            st.sampled_from([piece, piece.upper(), piece.swapcase(), wild, wild])
        )
    return draw(st.text(alphabet=TITLE_ALPHABET, min_size=1, max_size=4))


def compound_node(operator: str, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"operator": operator, "subfilters": children}


def trees(
    accounts: list[str], titles_seen: list[str], depth: int = 1
) -> st.SearchStrategy[dict[str, Any]]:
    leaf = leaves(accounts, titles_seen)
    if depth == 3:
        return leaf
    compound = st.builds(
        compound_node,
        st.sampled_from(["and", "or"]),
        st.lists(trees(accounts, titles_seen, depth + 1), min_size=1, max_size=3),
    )
    return st.one_of(leaf, compound)  # fmt: skip


@st.composite
def held_values(draw: st.DrawFn, accounts: list[str]) -> dict[str, Any]:
    """account_id or source held to a list of values: an `in`, or an `or` of
    `equals` and `in`. Values repeat, and some match no recording."""
    field = draw(st.sampled_from(["account_id", "source"]))
    if field == "account_id":
        values = accounts + ["00000000-0000-0000-0000-000000000000"]
    else:
        values = [*SOURCES, "fathom"]

    def listed(least: int) -> dict[str, Any]:
        some = st.lists(st.sampled_from(values), min_size=least, max_size=4)
        return {"field": field, "operator": "in", "values": draw(some)}

    def equals() -> dict[str, Any]:
        value = draw(st.sampled_from(values))
        return {"field": field, "operator": "equals", "value": value}

    if draw(st.booleans()):
        return listed(2)
    count = draw(st.integers(2, 3))
    return compound_node(
        "or", [listed(1) if draw(st.booleans()) else equals() for _ in range(count)]
    )


@st.composite
def value_lists(
    draw: st.DrawFn, accounts: list[str], titles_seen: list[str]
) -> dict[str, Any]:
    """A list of values held alone, or beside other filters in an `and`."""
    held = draw(held_values(accounts))
    beside = draw(st.lists(trees(accounts, titles_seen, depth=2), max_size=2))
    if not beside:
        return held
    return compound_node("and", draw(st.permutations([held, *beside])))


def walk_all(server: LiveServer, token: str, body: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    with server.client(token) as api:
        while True:
            response = api.post("/call-recordings/search", json=body)
            assert response.status_code == 200, (body, response.text)
            result = response.json()
            pagination = result["pagination"]
            assert result["data"] or not ids, "an empty page after a full one"
            assert len(result["data"]) <= body["limit"]
            ids.extend(item["id"] for item in result["data"])
            if not pagination["has_next_page"]:
                assert pagination["cursor"] == ""
                return ids
            assert len(result["data"]) == body["limit"]
            body = {**body, "cursor": pagination["cursor"]}


def any_filter(accounts: list[str], titles_seen: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), trees(accounts, titles_seen))


def title_contains(_: list[str], titles_seen: list[str]) -> st.SearchStrategy[Any]:
    return st.builds(
        lambda needle: {
            "field": "title",
            "operator": "string_contains",
            "value": needle,
        },
        needles(titles_seen),
    )


def check_search_matches_the_oracle(
    server: LiveServer,
    data: st.DataObject,
    filters: Any = any_filter,
    rows_drawn: st.SearchStrategy[list[Any]] = rows_strategy,
) -> None:
    org = server.new_org()
    accounts = add_accounts(server.database, org.id, ACCOUNT_SLOTS)
    rows = [
        Row(
            title=title,
            source=source,
            account_id=None if slot is None else accounts[slot],
            start_time=start,
        )
        for title, source, slot, start in data.draw(rows_drawn, label="rows")
    ]
    add_recordings(server.database, org.id, rows)
    tree = data.draw(filters(accounts, [row.title for row in rows]), label="filter")
    limit = data.draw(st.one_of(st.integers(1, 4), st.integers(5, 40)), label="limit")

    body: dict[str, Any] = {"limit": limit}
    if tree is not None:
        body["filter"] = tree
    found = walk_all(server, org.token, body)

    assert found == oracle(tree, rows)
    assert len(set(found)) == len(found)


PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_search_answers_what_the_contract_says(
    server: LiveServer, data: st.DataObject
) -> None:
    check_search_matches_the_oracle(server, data)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_string_contains_answers_what_the_contract_says(
    server: LiveServer, data: st.DataObject
) -> None:
    # The rule with the most ways to go wrong (case folding, LIKE wildcards,
    # FTS5 quoting, needles too short for a trigram), drawn on its own.
    check_search_matches_the_oracle(server, data, title_contains)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_list_of_values_answers_what_the_contract_says(
    server: LiveServer, data: st.DataObject
) -> None:
    # Searched as one branch per value (search.branches): the mixed trees
    # above rarely hold a field to a list at their top level.
    check_search_matches_the_oracle(server, data, value_lists, many_rows)


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[LiveServer]:
    if live.test_engine() == "postgresql":
        pytest.skip("the whole suite runs on PostgreSQL already")
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url:
        settings = Settings(database_url=url, rate_limits="off")
        with serve_in_thread(settings) as server:
            yield server
        server.database.dispose()


@pytest.mark.postgresql
@PROPERTY_SETTINGS
@given(data=st.data())
def test_search_answers_what_the_contract_says_on_postgresql(
    postgres_server: LiveServer, data: st.DataObject
) -> None:
    check_search_matches_the_oracle(postgres_server, data)


@pytest.mark.postgresql
@PROPERTY_SETTINGS
@given(data=st.data())
def test_string_contains_answers_what_the_contract_says_on_postgresql(
    postgres_server: LiveServer, data: st.DataObject
) -> None:
    check_search_matches_the_oracle(postgres_server, data, title_contains)


@pytest.mark.postgresql
@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_list_of_values_answers_what_the_contract_says_on_postgresql(
    postgres_server: LiveServer, data: st.DataObject
) -> None:
    check_search_matches_the_oracle(postgres_server, data, value_lists, many_rows)
