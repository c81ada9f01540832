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
from callvault.importers.errors import RecordProblem
from callvault.importers.records import Document, Failed, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "gong"

EXPECTED = (
    "a Gong calls page ({calls}), a call ({metaData}), a webhook body "
    "({callData}) or a transcripts answer ({callTranscripts})"
)


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    calls: list[tuple[str, str, dict[str, Any]]] = []
    transcripts: dict[str, tuple[str, str, Any]] = {}
    for document in documents:
        if _is_transcripts(document.data):
            for entry in _transcripts(document):
                if isinstance(entry, Failed):
                    yield entry
                else:
                    transcripts[entry[0]] = entry[1]
            continue
        for call in _calls(document):
            if isinstance(call, Failed):
                yield call
            else:
                calls.append(call)
    joined: set[str] = set()
    for file, record, data in calls:
        call_id = _call_key(data)
        found_transcript = transcripts.get(call_id)
        joined.add(call_id)
        yield records.guarded(
            file,
            record,
            _recording,
            data,
            None if found_transcript is None else found_transcript[2],
        )
    for call_id, (file, record, _) in transcripts.items():
        if call_id not in joined:
            yield Failed(
                file, record, f"no call {call_id or '(no callId)'} among these files"
            )


def _is_transcripts(data: Any) -> bool:
    return isinstance(data, dict) and "callTranscripts" in data


def _calls(
    document: Document,
) -> Iterator[tuple[str, str, dict[str, Any]] | Failed]:
    data = document.data
    if isinstance(data, dict) and "callData" in data:
        if data.get("isTest"):
            return
        if not isinstance(data["callData"], dict):
            yield Failed(document.name, "callData", _not_a_call(data["callData"]))
            return
        yield document.name, "callData", data["callData"]
        return
    if isinstance(data, dict) and "metaData" in data:
        yield document.name, "call", data
        return
    listed = data.get("calls") if isinstance(data, dict) else data
    if not isinstance(listed, list):
        yield records.not_a_layout(document, EXPECTED)
        return
    for found in records.objects(document, listed, "calls", "a call object"):
        if isinstance(found, Failed):
            yield found
        else:
            place, call = found
            yield document.name, f"{place} (id {_call_key(call)})", call


def _not_a_call(value: Any) -> str:
    try:
        records.mapping(value, "callData")
    except RecordProblem as problem:
        return problem.message
    return "`callData` holds no call"


def _call_key(call: dict[str, Any]) -> str:
    meta = call.get("metaData")
    return records.key(meta.get("id")) if isinstance(meta, dict) else ""


def _transcripts(
    document: Document,
) -> Iterator[tuple[str, tuple[str, str, Any]] | Failed]:
    listed = document.data["callTranscripts"]
    if not isinstance(listed, list):
        yield Failed(document.name, "callTranscripts", _not_a_list(listed))
        return
    for found in records.objects(
        document, listed, "callTranscripts", "a call's transcript object"
    ):
        if isinstance(found, Failed):
            yield found
        else:
            place, entry = found
            call_id = records.key(entry.get("callId"))
            record = f"{place} (callId {call_id})"
            yield call_id, (document.name, record, entry.get("transcript") or [])


def _not_a_list(value: Any) -> str:
    try:
        records.items(value, "callTranscripts")
    except RecordProblem as problem:
        return problem.message
    return "`callTranscripts` is empty"


def _recording(call: dict[str, Any], monologues: Any) -> IncomingRecording:
    meta = records.mapping(call.get("metaData"), "metaData")
    start = units.instant(meta.get("started"), "metaData.started")
    end = units.after(
        start,
        units.seconds_ms(meta.get("duration"), "metaData.duration"),
        "metaData.duration",
    )
    parties = [
        records.mapping(p, f"parties[{index}]")
        for index, p in enumerate(records.items(call.get("parties"), "parties"))
    ]
    content = records.mapping(call.get("content"), "content")
    recording = records.call(
        source=SOURCE,
        external_id=records.identifier(meta.get("id"), "metaData.id"),
        title=records.text(meta.get("title"), "metaData.title"),
        start=start,
        end=end,
        participants=[party.get("emailAddress") for party in parties],
        url=records.text(meta.get("url"), "metaData.url"),
        summary=records.text(content.get("brief"), "content.brief"),
    )
    if monologues is not None:
        recording.transcript = _lines(monologues, parties)
    return recording


def _lines(monologues: Any, parties: list[dict[str, Any]]) -> list[IncomingUtterance]:
    speakers = {
        records.key(party.get("speakerId")): (
            records.text(party.get("name"), f"parties[{index}].name"),
            records.text(party.get("emailAddress"), f"parties[{index}].emailAddress"),
        )
        for index, party in enumerate(parties)
        if party.get("speakerId") is not None
    }
    lines = []
    for index, monologue in enumerate(records.items(monologues, "transcript")):
        where = f"transcript[{index}]"
        monologue = records.mapping(monologue, where)
        name, email = speakers.get(records.key(monologue.get("speakerId")), ("", ""))
        sentences = records.items(monologue.get("sentences"), f"{where}.sentences")
        for number, sentence in enumerate(sentences):
            said = f"{where}.sentences[{number}]"
            sentence = records.mapping(sentence, said)
            start = sentence.get("start")
            lines.append(
                records.utterance(
                    name,
                    email,
                    None
                    if start is None
                    else units.milliseconds(start, f"{said}.start"),
                    records.text(sentence.get("text"), f"{said}.text"),
                )
            )
    return records.transcript(lines)
