"""Times a user writes: refused in plain sentences when they name no
instant, and compared to the digit when they carry more than the
microseconds callvault stores."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.envelope import refused
from tests.factories import create_recording, recording_body


@pytest.mark.parametrize(
    ("written", "sentence"),
    [
        ("2025-01-01T00:00:00+24:00", "offsets run from -23:59 to +23:59"),
        ("2025-01-01T00:00:00-00:60", "offsets run from -23:59 to +23:59"),
        ("2025-13-01T00:00:00Z", "months run from 01 to 12"),
        ("2025-00-10T00:00:00Z", "months run from 01 to 12"),
        ("2025-02-30T00:00:00Z", "2025-02 has days 01 to 28"),
        ("2024-02-30T00:00:00Z", "2024-02 has days 01 to 29"),
        ("2025-04-00T00:00:00Z", "2025-04 has days 01 to 30"),
        ("2025-01-01T24:00:00Z", "hours run from 00 to 23"),
        ("2025-01-01T00:60:00Z", "minutes run from 00 to 59"),
        ("2025-06-30T23:59:60Z", "seconds run from 00 to 59"),
        ("0000-01-01T00:00:00Z", "years run from 0001 to 9999"),
        ("0001-01-01T00:00:00+01:00", "outside the years 1 to 9999 in UTC"),
    ],
)
def test_an_impossible_time_is_refused_in_a_plain_sentence(
    api: httpx.Client, written: str, sentence: str
) -> None:
    created = api.post("/call-recordings", json=recording_body(start_time=written))
    searched = api.post(
        "/call-recordings/search",
        json={
            "filter": {
                "field": "start_time",
                "operator": "time_is_after",
                "value": written,
            }
        },
    )

    refused(created, 400, "invalid_request_body", "`start_time`", written, sentence)
    refused(searched, 400, "invalid_request_body", "`filter.value`", sentence)
    for response in (created, searched):
        for internal in ("timedelta", "datetime", "..", "out of range"):
            assert internal not in response.text


def _ids(api: httpx.Client, operator: str, operand: Any) -> list[str]:
    key = "values" if operator == "time_range" else "value"
    response = api.post(
        "/call-recordings/search",
        json={"filter": {"field": "start_time", "operator": operator, key: operand}},
    )
    assert response.status_code == 200, response.text
    return [recording["id"] for recording in response.json()["data"]]


def test_a_bound_with_sub_microsecond_digits_compares_exactly(
    api: httpx.Client,
) -> None:
    def at(start: str) -> str:
        return str(
            create_recording(api, start_time=start, end_time="2025-01-04T00:00:00Z")[
                "id"
            ]
        )

    midnight = at("2025-01-03T00:00:00Z")
    one_us = at("2025-01-03T00:00:00.000001Z")
    cut = "2025-01-03T00:00:00.0000001Z"  # 100 ns after midnight

    assert _ids(api, "time_is_before", cut) == [midnight]
    assert _ids(api, "time_is_after", cut) == [one_us]
    assert _ids(api, "time_is_before", "2025-01-03T00:00:00.000000000Z") == []
    assert _ids(api, "time_is_after", "2025-01-03T00:00:00.000000999Z") == [one_us]
    assert _ids(api, "time_range", [cut, "2025-01-03T00:00:00.0000010001Z"]) == [one_us]
    assert _ids(api, "time_range", ["2025-01-03T00:00:00Z", cut]) == [midnight]
    # Written with an offset, the digits still count.
    assert _ids(api, "time_is_before", "2025-01-03T02:00:00.000000001+02:00") == [
        midnight
    ]


def test_a_range_whose_start_is_after_its_end_by_nanoseconds_is_refused(
    api: httpx.Client,
) -> None:
    response = api.post(
        "/call-recordings/search",
        json={
            "filter": {
                "field": "start_time",
                "operator": "time_range",
                "values": [
                    "2025-01-03T00:00:00.0000002Z",
                    "2025-01-03T00:00:00.0000001Z",
                ],
            }
        },
    )

    refused(response, 400, "invalid_request_body", "`filter.values`", "after the end")
