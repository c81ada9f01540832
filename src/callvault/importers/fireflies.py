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
from callvault.importers.records import Document, Failed, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "fireflies"


EXPECTED = (
    "a Fireflies GraphQL answer ({data: {transcripts}} or {data: {transcript}}), "
    "a transcript, a list of transcripts or a webhook body ({meetingId, eventType})"
)


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    for document in documents:
        for found in _transcripts(document):
            if isinstance(found, Failed):
                yield found
            else:
                record, item = found
                yield records.guarded(document.name, record, _recording, item)


def _transcripts(document: Document) -> Iterator[tuple[str, dict[str, Any]] | Failed]:
    data = document.data
    if _is_webhook(data):
        return
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"].get("transcripts", data["data"].get("transcript"))
    if isinstance(data, dict) and "transcripts" in data:
        data = data["transcripts"]
    if isinstance(data, dict) and "id" in data and "date" in data:
        yield f"transcript ({records.key(data['id'])})", data
    elif isinstance(data, list):
        for found in records.objects(document, data, "transcripts", "a transcript"):
            if isinstance(found, Failed):
                yield found
            else:
                place, item = found
                yield f"{place} ({records.key(item.get('id'))})", item
    elif data is not None or not isinstance(document.data, dict):
        yield records.not_a_layout(document, EXPECTED)


def _is_webhook(data: Any) -> bool:
    # Webhook bodies name a transcript without its content: nothing to import.
    return isinstance(data, dict) and "meetingId" in data and "eventType" in data


def _recording(item: dict[str, Any]) -> IncomingRecording:
    start = units.epoch_ms(item.get("date"), "date")
    end = units.after(
        start, units.minutes_ms(item.get("duration") or 0, "duration"), "duration"
    )
    attendees = [
        records.mapping(a, f"meeting_attendees[{index}]")
        for index, a in enumerate(
            records.items(item.get("meeting_attendees"), "meeting_attendees")
        )
    ]
    listed = [
        part
        for index, entry in enumerate(
            records.items(item.get("participants"), "participants")
        )
        for part in records.text(entry, f"participants[{index}]").split(",")
    ]
    summary = records.mapping(item.get("summary"), "summary")
    recording = records.call(
        source=SOURCE,
        external_id=records.identifier(item.get("id"), "id"),
        title=records.text(item.get("title"), "title"),
        start=start,
        end=end,
        participants=[
            *listed,
            *(a.get("email") for a in attendees),
            item.get("organizer_email"),
        ],
        url=records.text(item.get("transcript_url"), "transcript_url"),
        summary=records.text(summary.get("overview"), "summary.overview"),
    )
    if "sentences" in item:
        recording.transcript = _lines(item["sentences"], attendees)
    return recording


def _lines(sentences: Any, attendees: list[dict[str, Any]]) -> list[IncomingUtterance]:
    emails = {
        records.text(a.get("displayName"), f"meeting_attendees[{index}].displayName"): (
            records.text(a.get("email"), f"meeting_attendees[{index}].email")
        )
        for index, a in enumerate(attendees)
        if a.get("displayName")
    }
    lines = []
    for index, sentence in enumerate(records.items(sentences, "sentences")):
        where = f"sentences[{index}]"
        sentence = records.mapping(sentence, where)
        name = records.text(sentence.get("speaker_name"), f"{where}.speaker_name")
        start = sentence.get("start_time")
        lines.append(
            records.utterance(
                name,
                emails.get(name, "") if name else "",
                None
                if start is None
                else units.seconds_ms(start, f"{where}.start_time"),
                records.text(sentence.get("text"), f"{where}.text")
                or records.text(sentence.get("raw_text"), f"{where}.raw_text"),
            )
        )
    return records.transcript(lines)
