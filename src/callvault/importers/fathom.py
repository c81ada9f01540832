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
from callvault.importers.records import Document, Failed, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "fathom"


EXPECTED = "a Fathom meeting, a meetings page ({items}) or a list of meetings"


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    for document in documents:
        for found in _meetings(document):
            if isinstance(found, Failed):
                yield found
            else:
                record, meeting = found
                yield records.guarded(document.name, record, _recording, meeting)


def _meetings(document: Document) -> Iterator[tuple[str, dict[str, Any]] | Failed]:
    data = document.data
    if isinstance(data, dict) and "recording_id" in data:
        yield f"meeting ({records.key(data['recording_id'])})", data
        return
    listed = data.get("items") if isinstance(data, dict) else data
    if not isinstance(listed, list):
        yield records.not_a_layout(document, EXPECTED)
        return
    for found in records.objects(document, listed, "items", "a meeting object"):
        if isinstance(found, Failed):
            yield found
        else:
            place, meeting = found
            yield f"{place} ({records.key(meeting.get('recording_id'))})", meeting


def _recording(meeting: dict[str, Any]) -> IncomingRecording:
    start_text = meeting.get("recording_start_time") or meeting.get(
        "scheduled_start_time"
    )
    start = units.instant(start_text, "recording_start_time")
    end_text = meeting.get("recording_end_time")
    end = units.instant(end_text, "recording_end_time") if end_text else start
    invitees = [
        records.mapping(i, f"calendar_invitees[{index}]")
        for index, i in enumerate(
            records.items(meeting.get("calendar_invitees"), "calendar_invitees")
        )
    ]
    recorder = records.mapping(meeting.get("recorded_by"), "recorded_by")
    summary = records.mapping(meeting.get("default_summary"), "default_summary")
    recording = records.call(
        source=SOURCE,
        external_id=records.identifier(meeting.get("recording_id"), "recording_id"),
        title=records.text(meeting.get("title"), "title")
        or records.text(meeting.get("meeting_title"), "meeting_title"),
        start=start,
        end=end,
        participants=[i.get("email") for i in invitees] + [recorder.get("email")],
        url=records.text(meeting.get("url"), "url")
        or records.text(meeting.get("share_url"), "share_url"),
        summary=records.text(
            summary.get("markdown_formatted"), "default_summary.markdown_formatted"
        ),
    )
    if "transcript" in meeting:
        recording.transcript = _lines(meeting["transcript"])
    return recording


def _lines(entries: Any) -> list[IncomingUtterance]:
    lines = []
    for index, entry in enumerate(records.items(entries, "transcript")):
        where = f"transcript[{index}]"
        entry = records.mapping(entry, where)
        speaker = records.mapping(entry.get("speaker"), f"{where}.speaker")
        stamp = entry.get("timestamp")
        lines.append(
            records.utterance(
                records.text(
                    speaker.get("display_name"), f"{where}.speaker.display_name"
                ),
                records.text(
                    speaker.get("matched_calendar_invitee_email"),
                    f"{where}.speaker.matched_calendar_invitee_email",
                ),
                None if stamp is None else units.clock_ms(stamp, f"{where}.timestamp"),
                records.text(entry.get("text"), f"{where}.text"),
            )
        )
    return records.transcript(lines)
