"""The official Python client walks a search to its end and stops."""

from __future__ import annotations

from datetime import timedelta

from usepylon import Pylon

from tests.live import LiveServer, Org
from tests.recording_rows import BASE_TIME, Row, add_recordings, search_order


def test_usepylon_walks_2500_recordings_in_order_and_stops(
    server: LiveServer, org: Org
) -> None:
    # Runs of equal start times, so that pages break inside them.
    rows = [Row(start_time=BASE_TIME + timedelta(minutes=n // 7)) for n in range(2500)]
    add_recordings(server.database, org.id, rows)
    client = Pylon(token=org.token, base_url=server.base_url)

    pager = client.call_recordings.search(limit=1000)
    seen = [recording.id for recording in pager]

    assert seen == search_order(rows)
    assert len(set(seen)) == 2500


def test_usepylon_sends_a_filter_and_reads_the_recordings(
    server: LiveServer, org: Org
) -> None:
    from usepylon.types import Filter

    add_recordings(
        server.database, org.id, [Row(title="Renewal QBR"), Row(title="Kickoff")]
    )
    client = Pylon(token=org.token, base_url=server.base_url)

    found = client.call_recordings.search(
        filter=Filter(field="title", operator="string_contains", value="qbr")
    )

    assert [recording.title for recording in found] == ["Renewal QBR"]
