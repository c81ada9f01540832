"""Fireflies: GraphQL answers (`{data: {transcripts: [...]}}` or
`{data: {transcript: {...}}}`), a bare list, or one transcript object.
Webhook bodies carry only ids: they hold no call to import.

Units: `date` milliseconds since the epoch, `duration` minutes (fractional),
sentence times seconds (fractional, sometimes strings). Sentences name their
speaker; the email comes from the attendee of that display name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from callvault.importers import records, units
from callvault.importers.records import Document, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "fireflies"


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    for document in documents:
        for record, item in _transcripts(document.data):
            yield records.guarded(document.name, record, _recording, item)


def _transcripts(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"].get("transcripts", data["data"].get("transcript"))
    if isinstance(data, dict) and "transcripts" in data:
        data = data["transcripts"]
    if isinstance(data, dict) and "id" in data and "date" in data:
        yield f"transcript ({data['id']})", data
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, dict):
                yield f"transcripts[{index}] ({item.get('id')})", item


def _recording(item: dict[str, Any]) -> IncomingRecording:
    start = units.epoch_ms(item.get("date"), "date")
    end = units.after(start, units.minutes_ms(item.get("duration") or 0, "duration"))
    attendees = [
        records.mapping(a) for a in records.items(item.get("meeting_attendees"))
    ]
    listed = [
        part
        for entry in records.items(item.get("participants"))
        for part in records.text(entry).split(",")
    ]
    recording = records.call(
        source=SOURCE,
        external_id=item.get("id"),
        title=item.get("title"),
        start=start,
        end=end,
        participants=[
            *listed,
            *(a.get("email") for a in attendees),
            item.get("organizer_email"),
        ],
        url=item.get("transcript_url"),
        summary=records.mapping(item.get("summary")).get("overview"),
    )
    if "sentences" in item:
        recording.transcript = _lines(item["sentences"], attendees)
    return recording


def _lines(sentences: Any, attendees: list[dict[str, Any]]) -> list[IncomingUtterance]:
    emails = {
        records.text(a.get("displayName")): a.get("email")
        for a in attendees
        if a.get("displayName")
    }
    lines = []
    for index, sentence in enumerate(records.items(sentences)):
        name = records.text(sentence.get("speaker_name"))
        start = sentence.get("start_time")
        lines.append(
            records.utterance(
                name,
                emails.get(name) if name else None,
                None
                if start is None
                else units.seconds_ms(start, f"sentences[{index}].start_time"),
                sentence.get("text") or sentence.get("raw_text"),
            )
        )
    return records.transcript(lines)
