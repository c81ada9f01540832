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
from callvault.importers.records import Document, Failed, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "granola"
OWNER_SOURCE = "microphone"


EXPECTED = (
    "a Granola note ({id, ...}), a notes page ({notes}), a list of notes "
    "or a webhook body ({event_id, note_id})"
)


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    for document in documents:
        for found in _notes(document):
            if isinstance(found, Failed):
                yield found
            else:
                record, note = found
                yield records.guarded(document.name, record, _recording, note)


def _notes(document: Document) -> Iterator[tuple[str, dict[str, Any]] | Failed]:
    data = document.data
    if isinstance(data, dict) and "note_id" in data and "id" not in data:
        # A webhook body names a note without its content: nothing to import.
        return
    if isinstance(data, dict) and "notes" in data:
        listed, where = data["notes"], "notes"
    elif isinstance(data, dict) and "id" in data:
        yield f"note ({records.key(data.get('id'))})", data
        return
    else:
        listed, where = data, ""
    if not isinstance(listed, list):
        yield records.not_a_layout(document, EXPECTED)
        return
    for found in records.objects(document, listed, where, "a note object"):
        if isinstance(found, Failed):
            yield found
        else:
            place, note = found
            yield f"{place} ({records.key(note.get('id'))})", note


def _recording(note: dict[str, Any]) -> IncomingRecording:
    owner = records.mapping(note.get("owner"), "owner")
    event = records.mapping(note.get("calendar_event"), "calendar_event")
    entries = [
        records.mapping(e, f"transcript[{index}]")
        for index, e in enumerate(records.items(note.get("transcript"), "transcript"))
    ]
    start, end = _timing(note, event, entries)
    invitees = [
        i.get("email") if isinstance(i, dict) else i
        for i in records.items(event.get("invitees"), "calendar_event.invitees")
    ]
    attendees = [
        a.get("email")
        for a in (
            records.mapping(a, f"attendees[{index}]")
            for index, a in enumerate(records.items(note.get("attendees"), "attendees"))
        )
    ]
    recording = records.call(
        source=SOURCE,
        external_id=records.identifier(note.get("id"), "id"),
        title=records.text(note.get("title"), "title")
        or records.text(event.get("event_title"), "calendar_event.event_title"),
        start=start,
        end=end,
        participants=[owner.get("email"), *attendees, *invitees],
        url=records.text(note.get("web_url"), "web_url"),
        summary=records.text(note.get("summary_markdown"), "summary_markdown")
        or records.text(note.get("summary_text"), "summary_text"),
        calendar_event_id=records.identifier(
            event.get("calendar_event_id"), "calendar_event.calendar_event_id"
        ),
    )
    if "transcript" in note:
        speaker = (
            records.text(owner.get("name"), "owner.name"),
            records.text(owner.get("email"), "owner.email"),
        )
        recording.transcript = _lines(entries, speaker, start)
    return recording


def _timing(
    note: dict[str, Any], event: dict[str, Any], entries: list[dict[str, Any]]
) -> tuple[datetime, datetime]:
    if event.get("scheduled_start_time"):
        start = units.instant(
            event["scheduled_start_time"], "calendar_event.scheduled_start_time"
        )
        end_text = event.get("scheduled_end_time")
        if not end_text:
            return start, start
        return start, units.instant(end_text, "calendar_event.scheduled_end_time")
    timed = [(i, e) for i, e in enumerate(entries) if e.get("start_time")]
    if timed:
        first, entry = timed[0]
        start = units.instant(entry["start_time"], f"transcript[{first}].start_time")
        last, entry = timed[-1]
        field = "end_time" if entry.get("end_time") else "start_time"
        end = units.instant(entry[field], f"transcript[{last}].{field}")
        return start, max(start, end)
    created = units.instant(note.get("created_at"), "created_at")
    return created, created


def _lines(
    entries: list[dict[str, Any]], owner: tuple[str, str], start: datetime
) -> list[IncomingUtterance]:
    lines = []
    for index, entry in enumerate(entries):
        where = f"transcript[{index}]"
        said_at = entry.get("start_time")
        offset = (
            None
            if not said_at
            else units.offset_from(start, units.instant(said_at, f"{where}.start_time"))
        )
        speaker = records.mapping(entry.get("speaker"), f"{where}.speaker")
        by_owner = speaker.get("source") == OWNER_SOURCE
        lines.append(
            records.utterance(
                *(owner if by_owner else ("", "")),
                offset,
                records.text(entry.get("text"), f"{where}.text"),
            )
        )
    return records.transcript(lines)
