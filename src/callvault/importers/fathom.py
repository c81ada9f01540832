"""Fathom: `GET /external/v1/meetings` pages (`{items}`), one meeting, or the
"new meeting content ready" webhook body (the meeting itself).

Units: recording times ISO with an offset; transcript `timestamp` is
`HH:MM:SS` from the recording start. A missing `transcript` key means the
listing was asked without transcripts: the stored one is kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from callvault.importers import records, units
from callvault.importers.records import Document, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "fathom"


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    for document in documents:
        for record, meeting in _meetings(document.data):
            yield records.guarded(document.name, record, _recording, meeting)


def _meetings(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(data, dict) and "recording_id" in data:
        yield f"meeting ({data['recording_id']})", data
        return
    listed = data.get("items") if isinstance(data, dict) else data
    if isinstance(listed, list):
        for index, meeting in enumerate(listed):
            if isinstance(meeting, dict):
                yield f"items[{index}] ({meeting.get('recording_id')})", meeting


def _recording(meeting: dict[str, Any]) -> IncomingRecording:
    start_text = meeting.get("recording_start_time") or meeting.get(
        "scheduled_start_time"
    )
    start = units.instant(start_text, "recording_start_time")
    end_text = meeting.get("recording_end_time")
    end = units.instant(end_text, "recording_end_time") if end_text else start
    invitees = [
        records.mapping(i) for i in records.items(meeting.get("calendar_invitees"))
    ]
    recorder = records.mapping(meeting.get("recorded_by"))
    recording = records.call(
        source=SOURCE,
        external_id=meeting.get("recording_id"),
        title=meeting.get("title") or meeting.get("meeting_title"),
        start=start,
        end=end,
        participants=[i.get("email") for i in invitees] + [recorder.get("email")],
        url=meeting.get("url") or meeting.get("share_url"),
        summary=records.mapping(meeting.get("default_summary")).get(
            "markdown_formatted"
        ),
    )
    if "transcript" in meeting:
        recording.transcript = _lines(meeting["transcript"])
    return recording


def _lines(entries: Any) -> list[IncomingUtterance]:
    lines = []
    for index, entry in enumerate(records.items(entries)):
        speaker = records.mapping(entry.get("speaker"))
        stamp = entry.get("timestamp")
        lines.append(
            records.utterance(
                speaker.get("display_name"),
                speaker.get("matched_calendar_invitee_email"),
                None
                if stamp is None
                else units.clock_ms(stamp, f"transcript[{index}].timestamp"),
                entry.get("text"),
            )
        )
    return records.transcript(lines)
