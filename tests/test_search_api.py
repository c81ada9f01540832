"""POST /call-recordings/search: meaning of each operator, order, pages."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from callvault.kernel.cursor import encode_cursor
from tests.factories import recording_body
from tests.live import LiveServer, Org
from tests.recording_rows import (
    BASE_TIME,
    Row,
    add_accounts,
    add_recordings,
    search_order,
)


def search(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post("/call-recordings/search", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def walk(api: httpx.Client, **body: Any) -> list[list[str]]:
    """Every page's ids, following cursors until the empty one."""
    pages = []
    while True:
        result = search(api, **body)
        pages.append([item["id"] for item in result["data"]])
        pagination = result["pagination"]
        assert pagination["has_next_page"] == (pagination["cursor"] != "")
        if not pagination["has_next_page"]:
            return pages
        body["cursor"] = pagination["cursor"]


def titles(api: httpx.Client, filter: dict[str, Any]) -> list[str]:
    return [item["title"] for item in search(api, filter=filter, limit=1000)["data"]]


def contains(value: str) -> dict[str, Any]:
    return {"field": "title", "operator": "string_contains", "value": value}


def test_no_filter_answers_every_recording_newest_first_then_id_descending(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    rows = [Row(start_time=BASE_TIME + timedelta(hours=h % 3)) for h in range(7)]
    add_recordings(server.database, org.id, rows)

    result = search(api)

    assert [item["id"] for item in result["data"]] == search_order(rows)
    assert result["pagination"] == {"cursor": "", "has_next_page": False}
    assert result["request_id"].startswith("req_")


def test_an_empty_request_body_is_a_search_without_filter(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    add_recordings(server.database, org.id, [Row(), Row()])

    response = api.post("/call-recordings/search")

    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 2


def test_pages_walk_every_recording_once_and_the_last_page_is_never_empty(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    # Equal start times make the id the only order within a minute.
    rows = [Row(start_time=BASE_TIME + timedelta(minutes=m // 3)) for m in range(9)]
    add_recordings(server.database, org.id, rows)

    pages = walk(api, limit=3)

    assert [len(page) for page in pages] == [3, 3, 3]
    assert [i for page in pages for i in page] == search_order(rows)


def test_limit_defaults_to_100(server: LiveServer, org: Org, api: httpx.Client) -> None:
    add_recordings(server.database, org.id, [Row() for _ in range(101)])

    first = search(api)

    assert len(first["data"]) == 100
    assert first["pagination"]["has_next_page"] is True


def test_search_sees_only_the_callers_organization(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    other = server.new_org()
    add_recordings(server.database, other.id, [Row(title="Theirs")])
    add_recordings(server.database, org.id, [Row(title="Ours")])

    assert titles(api, contains("s")) == ["Ours"]


def test_account_operators_and_not_in_matches_unset_accounts(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    first, second = add_accounts(server.database, org.id, 2)
    add_recordings(
        server.database,
        org.id,
        [
            Row(title="first", account_id=first),
            Row(title="second", account_id=second),
            Row(title="none"),
        ],
    )

    def by(operator: str, **operand: Any) -> list[str]:
        found = titles(api, {"field": "account_id", "operator": operator, **operand})
        return sorted(found)

    assert by("equals", value=first) == ["first"]
    assert by("in", values=[first, second]) == ["first", "second"]
    assert by("not_in", values=[first]) == ["none", "second"]
    assert by("is_set") == ["first", "second"]
    assert by("is_unset") == ["none"]


def test_source_operators(server: LiveServer, org: Org, api: httpx.Client) -> None:
    add_recordings(
        server.database,
        org.id,
        [Row(title="g", source="gong"), Row(title="z", source="zoom"), Row(title="c")],
    )

    def by(operator: str, **operand: Any) -> list[str]:
        return sorted(titles(api, {"field": "source", "operator": operator, **operand}))

    assert by("equals", value="gong") == ["g"]
    assert by("in", values=["gong", "zoom"]) == ["g", "z"]
    assert by("not_in", values=["gong"]) == ["c", "z"]


def test_title_equals_is_exact(server: LiveServer, org: Org, api: httpx.Client) -> None:
    add_recordings(
        server.database,
        org.id,
        [Row(title="Kickoff"), Row(title="kickoff"), Row(title="Kickoff call")],
    )

    assert titles(
        api, {"field": "title", "operator": "equals", "value": "Kickoff"}
    ) == ["Kickoff"]


def test_string_contains_folds_case_the_unicode_way(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    add_recordings(
        server.database,
        org.id,
        [Row(title="Hauptstraße review"), Row(title="ΣΊΣΥΦΟΣ"), Row(title="Other")],
    )

    assert titles(api, contains("STRASSE")) == ["Hauptstraße review"]
    assert titles(api, contains("straße")) == ["Hauptstraße review"]
    assert titles(api, contains("σίσυφος")) == ["ΣΊΣΥΦΟΣ"]


def test_string_contains_takes_percent_and_underscore_literally(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    add_recordings(
        server.database,
        org.id,
        [
            Row(title="50% off"),
            Row(title="500 off"),
            Row(title="a_b"),
            Row(title="axb"),
        ],
    )

    assert titles(api, contains("0%")) == ["50% off"]
    assert titles(api, contains("50% ")) == ["50% off"]
    assert titles(api, contains("_")) == ["a_b"]
    assert titles(api, contains("a_b")) == ["a_b"]


def test_short_and_long_needles_answer_the_same_way(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    add_recordings(
        server.database,
        org.id,
        [Row(title="Quarterly QBR"), Row(title="qb"), Row(title="Q"), Row(title="x")],
    )

    assert sorted(titles(api, contains("q"))) == ["Q", "Quarterly QBR", "qb"]
    assert sorted(titles(api, contains("QB"))) == ["Quarterly QBR", "qb"]
    assert titles(api, contains("qbr")) == ["Quarterly QBR"]


def test_a_needle_of_thousands_of_characters_finds_exactly_the_titles_holding_it(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    whole, start_only = "renewal " * 300, "renewal " * 20 + "then churn"
    add_recordings(server.database, org.id, [Row(title=whole), Row(title=start_only)])

    assert titles(api, contains("Renewal " * 200)) == [whole]
    assert titles(api, contains("renewal " * 20 + "then")) == [start_only]


def test_time_operators_are_strict_and_the_range_is_half_open(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    add_recordings(
        server.database,
        org.id,
        [
            Row(title=f"h{h}", start_time=BASE_TIME + timedelta(hours=h))
            for h in range(4)
        ],
    )
    # BASE_TIME is 2025-03-01T12:00:00Z; written here with a +02:00 offset.
    h1 = "2025-03-01T15:00:00+02:00"
    h3 = "2025-03-01T10:00:00-05:00"

    def by(operator: str, **operand: Any) -> list[str]:
        return titles(api, {"field": "start_time", "operator": operator, **operand})

    assert by("time_is_after", value=h1) == ["h3", "h2"]
    assert by("time_is_before", value=h1) == ["h0"]
    assert by("time_range", values=[h1, h3]) == ["h2", "h1"]
    assert by("time_range", values=[h1, h1]) == []


def test_and_or_combine_up_to_three_levels(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    add_recordings(
        server.database,
        org.id,
        [
            Row(title="gong kickoff", source="gong"),
            Row(title="zoom kickoff", source="zoom"),
            Row(title="zoom review", source="zoom"),
        ],
    )
    tree = {
        "operator": "or",
        "subfilters": [
            {"field": "source", "operator": "equals", "value": "gong"},
            {
                "operator": "and",
                "subfilters": [
                    {"field": "source", "operator": "equals", "value": "zoom"},
                    contains("REVIEW"),
                ],
            },
        ],
    }

    assert sorted(titles(api, tree)) == ["gong kickoff", "zoom review"]


def test_a_title_change_is_seen_by_string_contains(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    row = Row(title="Before rename")
    add_recordings(server.database, org.id, [row, Row(title="Unrelated")])
    with server.database.session(write=True) as session:
        from callvault.recordings.models import CallRecording

        recording = session.get(CallRecording, row.id)
        assert recording is not None
        recording.title, recording.title_folded = "Renewal", "renewal"

    assert titles(api, contains("rename")) == []
    assert titles(api, contains("RENEW")) == ["Renewal"]


def test_a_deleted_recording_is_not_found_by_string_contains(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    row = Row(title="Doomed call")
    add_recordings(server.database, org.id, [row])

    assert api.delete(f"/call-recordings/{row.id}").status_code == 200

    assert titles(api, contains("doomed")) == []


def refused(api: httpx.Client, **body: Any) -> str:
    response = api.post("/call-recordings/search", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request_body"
    message: str = response.json()["errors"][0]
    return message


def test_a_cursor_comes_back_with_the_same_filter_and_limit(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    add_recordings(server.database, org.id, [Row(title="abc") for _ in range(3)])
    tree = contains("abc")
    cursor = search(api, filter=tree, limit=1)["pagination"]["cursor"]

    assert search(api, filter=tree, limit=1, cursor=cursor)["data"]
    assert "another organization, filter or limit" in refused(
        api, filter=tree, limit=2, cursor=cursor
    )
    assert "another organization, filter or limit" in refused(
        api, limit=1, cursor=cursor
    )
    assert "another organization, filter or limit" in refused(
        api, filter=contains("abd"), limit=1, cursor=cursor
    )


def test_damaged_and_foreign_cursors_are_refused(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    add_recordings(server.database, org.id, [Row() for _ in range(3)])
    cursor = search(api, limit=1)["pagination"]["cursor"]
    other = server.new_org()
    with server.client(other.token) as theirs:
        add_recordings(server.database, other.id, [Row() for _ in range(3)])
        foreign = search(theirs, limit=1)["pagination"]["cursor"]
    flipped = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]
    another_list = encode_cursor("accounts", {"t": "x", "i": "y"})

    for bad in (flipped, cursor[:-3], "not a cursor", foreign, another_list):
        assert "cursor" in refused(api, limit=1, cursor=bad)
    # Another organization's cursor, with the very filter and limit it came
    # with: refused without saying that it is another organization's.
    message = refused(api, limit=1, cursor=foreign)
    assert "another organization, filter or limit" in message
    assert other.id not in message and other.name not in message


def test_an_unknown_operator_is_named_before_any_field(api: httpx.Client) -> None:
    for tree in (
        {"operator": "xor"},
        {"field": "title", "operator": "xor", "value": "a"},
        {"operator": "and", "subfilters": [{"operator": "AND"}]},
    ):
        message = refused(api, filter=tree)
        assert "is not an operator" in message, message
        assert "`and`, `or`, `equals`, `in`, `not_in`, `is_set`" in message
        assert "required" not in message


def test_an_empty_cursor_starts_from_the_first_page(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    rows = [Row(), Row()]
    add_recordings(server.database, org.id, rows)

    result = search(api, cursor="")

    assert [item["id"] for item in result["data"]] == search_order(rows)


def test_a_title_longer_than_an_index_entry_is_stored_and_found(
    api: httpx.Client,
) -> None:
    # PostgreSQL refuses B-tree entries over about 2.7 kB; titles are unbounded.
    # Random text, so that the entry cannot be compressed below the limit.
    title = " ".join(uuid.uuid4().hex for _ in range(300))
    response = api.post("/call-recordings", json=recording_body(title=title))
    assert response.status_code == 200, response.text

    assert titles(api, {"field": "title", "operator": "equals", "value": title}) == [
        title
    ]
    assert titles(api, contains(title[33:66].upper())) == [title]


def test_null_means_not_given_and_unknown_fields_are_ignored(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    rows = [Row(title="Kickoff"), Row(title="Review")]
    add_recordings(server.database, org.id, rows)
    kickoff = {
        "field": "title",
        "operator": "equals",
        "value": "Kickoff",
        "values": None,
        "subfilters": None,
        "note": "ignored",
    }

    everything = search(api, filter=None, limit=None, cursor=None)
    filtered = search(api, filter=kickoff, sort="title")

    assert [item["id"] for item in everything["data"]] == search_order(rows)
    assert [item["title"] for item in filtered["data"]] == ["Kickoff"]


def test_a_needle_in_thousands_of_titles_walks_the_newest_recordings(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    # More candidates than service.COMMON_NEEDLE_MATCHES: answered by walking
    # the tenant in order, not from the trigram index; the answer is the same.
    rows = [
        Row(
            title=f"Weekly Review {n}", start_time=BASE_TIME + timedelta(minutes=n % 50)
        )
        for n in range(2100)
    ]
    others = [Row(title="Kickoff"), Row(title="Pricing")]
    add_recordings(server.database, org.id, rows + others)

    pages = walk(api, filter=contains("REVIEW"), limit=1000)

    assert [len(page) for page in pages] == [1000, 1000, 100]
    assert [i for page in pages for i in page] == search_order(rows)
