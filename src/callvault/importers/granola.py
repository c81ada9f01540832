"""Granola: `GET /v1/notes` pages (`{notes}`) or one note as
`GET /v1/notes/{id}?include=transcript` answers it. Webhook bodies carry
only ids (`event_id`, `note_id`): they hold no call to import.

Transcript times are absolute instants; speakers are only `microphone` (the
note's owner) or `speaker` (anyone else, unnamed). Timing falls back from
the calendar event to the first and last transcript times to `created_at`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from callvault.importers import records, units
from callvault.importers.records import Document, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "granola"
OWNER_SOURCE = "microphone"


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    for document in documents:
        for record, note in _notes(document.data):
            yield records.guarded(document.name, record, _recording, note)


def _notes(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(data, dict) and "notes" in data:
        for index, note in enumerate(records.items(data["notes"])):
            if isinstance(note, dict):
                yield f"notes[{index}] ({note.get('id')})", note
    elif isinstance(data, dict) and "id" in data and "title" in data:
        yield f"note ({data.get('id')})", data
    elif isinstance(data, list):
        for index, note in enumerate(data):
            if isinstance(note, dict):
                yield f"[{index}] ({note.get('id')})", note


def _recording(note: dict[str, Any]) -> IncomingRecording:
    owner = records.mapping(note.get("owner"))
    event = records.mapping(note.get("calendar_event"))
    entries = [records.mapping(e) for e in records.items(note.get("transcript"))]
    start, end = _timing(note, event, entries)
    invitees = [
        i.get("email") if isinstance(i, dict) else i
        for i in records.items(event.get("invitees"))
    ]
    attendees = [
        records.mapping(a).get("email") for a in records.items(note.get("attendees"))
    ]
    recording = records.call(
        source=SOURCE,
        external_id=note.get("id"),
        title=note.get("title") or event.get("event_title"),
        start=start,
        end=end,
        participants=[owner.get("email"), *attendees, *invitees],
        url=note.get("web_url"),
        summary=note.get("summary_markdown") or note.get("summary_text"),
    )
    if "transcript" in note:
        recording.transcript = _lines(entries, owner, start)
    return recording


def _timing(
    note: dict[str, Any], event: dict[str, Any], entries: list[dict[str, Any]]
) -> tuple[datetime, datetime]:
    if event.get("scheduled_start_time"):
        start = units.instant(event["scheduled_start_time"], "scheduled_start_time")
        end_text = event.get("scheduled_end_time")
        return start, units.instant(
            end_text, "scheduled_end_time"
        ) if end_text else start
    timed = [e for e in entries if e.get("start_time")]
    if timed:
        start = units.instant(timed[0]["start_time"], "transcript[0].start_time")
        last = timed[-1]
        end = units.instant(
            last.get("end_time") or last["start_time"], "transcript end_time"
        )
        return start, max(start, end)
    created = units.instant(note.get("created_at"), "created_at")
    return created, created


def _lines(
    entries: list[dict[str, Any]], owner: dict[str, Any], start: datetime
) -> list[IncomingUtterance]:
    lines = []
    for index, entry in enumerate(entries):
        said_at = entry.get("start_time")
        offset = (
            None
            if not said_at
            else units.offset_from(
                start, units.instant(said_at, f"transcript[{index}].start_time")
            )
        )
        by_owner = records.mapping(entry.get("speaker")).get("source") == OWNER_SOURCE
        lines.append(
            records.utterance(
                owner.get("name") if by_owner else None,
                owner.get("email") if by_owner else None,
                offset,
                entry.get("text"),
            )
        )
    return records.transcript(lines)
