"""Gong: `POST /v2/calls/extensive` pages (or one call, or a webhook's
`{callData}`), joined with `POST /v2/calls/transcript` answers by call id.

Units: `metaData.started` is ISO with an offset, `duration` seconds, sentence
`start` milliseconds from the call start. Speakers are `speakerId`s, named by
the call's `parties`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from callvault.importers import records, units
from callvault.importers.records import Document, Failed, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "gong"

Monologues = list[dict[str, Any]]


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    calls: list[tuple[str, str, dict[str, Any]]] = []
    transcripts: dict[str, tuple[str, str, Monologues]] = {}
    for document in documents:
        calls.extend(_calls(document))
        transcripts.update(_transcripts(document))
    joined: set[str] = set()
    for file, record, data in calls:
        call_id = records.text(records.mapping(data.get("metaData")).get("id"))
        found = transcripts.get(call_id)
        joined.add(call_id)
        yield records.guarded(
            file, record, _recording, data, found[2] if found else None
        )
    for call_id, (file, record, _) in transcripts.items():
        if call_id not in joined:
            yield Failed(file, record, f"no call {call_id} among these files")


def _calls(document: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    data = document.data
    if isinstance(data, dict) and isinstance(data.get("callData"), dict):
        if not data.get("isTest"):
            yield document.name, "callData", data["callData"]
        return
    if isinstance(data, dict) and "metaData" in data:
        yield document.name, "call", data
        return
    listed = data.get("calls") if isinstance(data, dict) else data
    if isinstance(listed, list):
        for index, call in enumerate(listed):
            if isinstance(call, dict) and "metaData" in call:
                yield document.name, f"calls[{index}] ({_call_id(call)})", call


def _call_id(call: dict[str, Any]) -> str:
    return f"id {records.text(records.mapping(call.get('metaData')).get('id'))}"


def _transcripts(document: Document) -> dict[str, tuple[str, str, Monologues]]:
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("callTranscripts"), list):
        return {}
    found = {}
    for index, entry in enumerate(data["callTranscripts"]):
        if isinstance(entry, dict):
            call_id = records.text(entry.get("callId"))
            record = f"callTranscripts[{index}] (callId {call_id})"
            found[call_id] = (document.name, record, entry.get("transcript") or [])
    return found


def _recording(
    call: dict[str, Any], monologues: Monologues | None
) -> IncomingRecording:
    meta = records.mapping(call.get("metaData"))
    start = units.instant(meta.get("started"), "metaData.started")
    end = units.after(
        start, units.seconds_ms(meta.get("duration"), "metaData.duration")
    )
    parties = [records.mapping(p) for p in records.items(call.get("parties"))]
    recording = records.call(
        source=SOURCE,
        external_id=meta.get("id"),
        title=meta.get("title"),
        start=start,
        end=end,
        participants=[party.get("emailAddress") for party in parties],
        url=meta.get("url"),
        summary=records.mapping(call.get("content")).get("brief"),
    )
    if monologues is not None:
        recording.transcript = _lines(monologues, parties)
    return recording


def _lines(
    monologues: Monologues, parties: list[dict[str, Any]]
) -> list[IncomingUtterance]:
    speakers = {
        records.text(party.get("speakerId")): party
        for party in parties
        if party.get("speakerId") is not None
    }
    lines = []
    for monologue in records.items(monologues):
        party = speakers.get(records.text(monologue.get("speakerId")), {})
        for sentence in records.items(monologue.get("sentences")):
            start = sentence.get("start")
            lines.append(
                records.utterance(
                    party.get("name"),
                    party.get("emailAddress"),
                    None if start is None else units.milliseconds(start, "start"),
                    sentence.get("text"),
                )
            )
    return records.transcript(lines)
