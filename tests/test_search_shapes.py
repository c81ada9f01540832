"""A search's statement is built once per filter shape (search.shapes,
search.plans) and serves every filter of that shape with its own values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from callvault.search import plans as search_plans
from callvault.search.filters import And, Between, Equals, In, Or
from callvault.search.shapes import shape_of
from tests.live import LiveServer, Org
from tests.recording_rows import BASE_TIME, Row, add_recordings, search_order

T1 = datetime(2025, 1, 1, tzinfo=UTC)
T2 = datetime(2025, 2, 1, tzinfo=UTC)


def test_filters_that_differ_in_values_only_share_a_shape() -> None:
    gong_zoom = shape_of(In("source", ("gong", "zoom")))
    grain_fathom = shape_of(In("source", ("grain", "fathom")))

    assert gong_zoom.key == grain_fathom.key
    assert gong_zoom.values == ("gong", "zoom")
    assert grain_fathom.values == ("grain", "fathom")


def test_equal_values_share_a_slot_and_make_another_shape() -> None:
    repeated = shape_of(In("source", ("gong", "gong")))
    distinct = shape_of(In("source", ("gong", "zoom")))
    same_bound = shape_of(Between("start_time", T1, T1))

    assert repeated.values == ("gong",)
    assert repeated.key != distinct.key
    assert same_bound.values == (T1,)
    assert same_bound.key != shape_of(Between("start_time", T1, T2)).key


def test_a_value_of_two_fields_takes_a_slot_for_each() -> None:
    node = And((Equals("source", "x"), Equals("title", "x")))

    assert shape_of(node).values == ("x", "x")


def test_the_tree_is_part_of_the_shape() -> None:
    either = Or((Equals("source", "a"), Equals("source", "b")))
    both = And((Equals("source", "a"), Equals("source", "b")))

    assert shape_of(either).key != shape_of(both).key


def search_ids(api: httpx.Client, tree: dict[str, Any]) -> list[str]:
    response = api.post("/call-recordings/search", json={"filter": tree})
    assert response.status_code == 200, response.text
    return [recording["id"] for recording in response.json()["data"]]


def sources_in(*values: str) -> dict[str, Any]:
    return {"field": "source", "operator": "in", "values": list(values)}


def test_one_plan_answers_each_filter_of_its_shape_with_its_own_values(
    server: LiveServer, org: Org, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        Row(source=source, start_time=BASE_TIME + timedelta(minutes=n))
        for n, source in enumerate(["gong", "zoom", "grain", "gong", "fathom"] * 3)
    ]
    add_recordings(server.database, org.id, rows)
    built: list[Any] = []
    build = search_plans._build

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(args[0].key)
        return build(*args, **kwargs)

    monkeypatch.setattr(search_plans, "_build", counted)
    # Another test may have built the shape already: start without plans.
    monkeypatch.setattr(search_plans.plans, "_plans", {})

    def expected(*sources: str) -> list[str]:
        return search_order([row for row in rows if row.source in sources])

    assert search_ids(api, sources_in("gong", "zoom")) == expected("gong", "zoom")
    assert search_ids(api, sources_in("grain", "fathom")) == expected("grain", "fathom")
    assert search_ids(api, sources_in("zoom", "gong")) == expected("gong", "zoom")
    assert len(built) == 1
    # Two equal values are one value: no recording comes twice.
    assert search_ids(api, sources_in("gong", "gong")) == expected("gong")
    assert len(built) == 2
