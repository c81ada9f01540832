"""Grain: `POST /_/public-api/v2/recordings` pages (`{recordings}`) or one
recording, joined with `GET /recordings/{id}/transcript` answers (bare
arrays) from the same folder: a transcript file is the one of the recording
whose id its name contains, or, with one recording and one transcript in
the folder, of that recording.

Units: ISO times with an offset; `duration_ms` and transcript `start` in
milliseconds. Speakers are `participant_id`s of the recording's
`participants` (absent unless asked for), with `speaker` as the name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from callvault.importers import records, units
from callvault.importers.records import Document, Failed, Outcome
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

SOURCE = "grain"

Recordings = list[tuple[str, str, dict[str, Any]]]


EXPECTED = (
    "a Grain recordings page ({recordings}), a recording ({id, start_datetime}) "
    "or a transcript (a list)"
)


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    found: Recordings = []
    transcripts: list[Document] = []
    for document in documents:
        if _is_transcript(document.data):
            transcripts.append(document)
            continue
        for entry in _recordings(document):
            if isinstance(entry, Failed):
                yield entry
            else:
                found.append(entry)
    joined, orphans = _join(found, transcripts)
    for file, record, data in found:
        entries = joined.get(records.key(data.get("id")))
        yield records.guarded(file, record, _recording, data, entries)
    for document in orphans:
        yield Failed(
            document.name,
            "transcript",
            "names no recording of this folder (put the recording id in the file name)",
        )


def _is_transcript(data: Any) -> bool:
    # Grain answers listings inside `{recordings, cursor}`: a bare array is a
    # transcript, an empty one a recording without one.
    return isinstance(data, list)


def _recordings(
    document: Document,
) -> Iterator[tuple[str, str, dict[str, Any]] | Failed]:
    data = document.data
    if isinstance(data, dict) and "start_datetime" in data:
        yield document.name, f"recording ({records.key(data.get('id'))})", data
        return
    listed = data.get("recordings") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        yield records.not_a_layout(document, EXPECTED)
        return
    for entry in records.objects(document, listed, "recordings", "a recording"):
        if isinstance(entry, Failed):
            yield entry
        else:
            place, item = entry
            yield document.name, f"{place} ({records.key(item.get('id'))})", item


def _join(
    found: Recordings, transcripts: list[Document]
) -> tuple[dict[str, list[Any]], list[Document]]:
    ids = [records.key(data.get("id")) for _, _, data in found]
    joined: dict[str, list[Any]] = {}
    orphans = []
    for document in transcripts:
        stem = Path(document.name).name
        owner = next((i for i in ids if i and i in stem), None)
        if owner is None and len(ids) == 1 and len(transcripts) == 1:
            owner = ids[0]
        if owner is None:
            orphans.append(document)
        else:
            joined[owner] = document.data
    return joined, orphans


def _recording(data: dict[str, Any], entries: list[Any] | None) -> IncomingRecording:
    start = units.instant(data.get("start_datetime"), "start_datetime")
    if data.get("end_datetime"):
        end = units.instant(data["end_datetime"], "end_datetime")
    else:
        end = units.after(
            start,
            units.milliseconds(data.get("duration_ms"), "duration_ms"),
            "duration_ms",
        )
    participants = [
        records.mapping(p, f"participants[{index}]")
        for index, p in enumerate(
            records.items(data.get("participants"), "participants")
        )
    ]
    summary = records.mapping(data.get("ai_summary"), "ai_summary")
    recording = records.call(
        source=SOURCE,
        external_id=records.identifier(data.get("id"), "id"),
        title=records.text(data.get("title"), "title"),
        start=start,
        end=end,
        participants=[p.get("email") for p in participants],
        url=records.text(data.get("url"), "url"),
        summary=records.text(summary.get("text"), "ai_summary.text"),
    )
    if entries is not None:
        recording.transcript = _lines(entries, participants)
    return recording


def _lines(
    entries: list[Any], participants: list[dict[str, Any]]
) -> list[IncomingUtterance]:
    people = {
        records.key(p.get("id")): (
            records.text(p.get("name"), f"participants[{index}].name"),
            records.text(p.get("email"), f"participants[{index}].email"),
        )
        for index, p in enumerate(participants)
        if p.get("id")
    }
    lines = []
    for index, entry in enumerate(entries):
        where = f"transcript[{index}]"
        entry = records.mapping(entry, where)
        name, email = people.get(records.key(entry.get("participant_id")), ("", ""))
        start = entry.get("start")
        lines.append(
            records.utterance(
                records.text(entry.get("speaker"), f"{where}.speaker") or name,
                email,
                None if start is None else units.milliseconds(start, f"{where}.start"),
                records.text(entry.get("text"), f"{where}.text"),
            )
        )
    return records.transcript(lines)
