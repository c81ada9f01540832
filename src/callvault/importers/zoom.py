"""Zoom: `GET /v2/users/{id}/recordings` pages (`{meetings}`), one meeting,
or a `recording.completed` / `recording.transcript_completed` webhook body
(`{event, payload: {object}}`), joined with `.vtt` transcript files from the
same folder: a `.vtt` belongs to the meeting whose transcript file id, or
meeting id, its name contains; with one meeting and one `.vtt` in a folder,
they belong together.

The natural key is the meeting instance's `uuid` (`id` is reused across
instances). Units: `start_time` UTC, `duration` minutes, cue times VTT.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from callvault.importers import records, units, vtt
from callvault.importers.records import Document, Failed, Outcome
from callvault.recordings.bulk import IncomingRecording

SOURCE = "zoom"

Meetings = list[tuple[str, str, dict[str, Any]]]


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    meetings: Meetings = []
    texts: list[Document] = []
    for document in documents:
        if isinstance(document.data, str):
            texts.append(document)
        else:
            meetings.extend(_meetings(document))
    joined, orphans = _join(meetings, texts)
    for index, (file, record, meeting) in enumerate(meetings):
        text = joined.get(index)
        yield records.guarded(file, record, _recording, meeting, text)
    for document in orphans:
        yield Failed(
            document.name,
            "transcript",
            "belongs to no meeting of this folder "
            "(put the transcript file id or meeting id in the file name)",
        )


def _meetings(document: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    data = document.data
    if isinstance(data, dict) and isinstance(data.get("payload"), dict):
        meeting = data["payload"].get("object")
        if isinstance(meeting, dict) and "uuid" in meeting:
            yield document.name, f"{data.get('event')} ({meeting['uuid']})", meeting
        return
    if isinstance(data, dict) and "uuid" in data:
        yield document.name, f"meeting ({data['uuid']})", data
        return
    listed = data.get("meetings") if isinstance(data, dict) else data
    if isinstance(listed, list):
        for index, meeting in enumerate(listed):
            if isinstance(meeting, dict):
                yield (
                    document.name,
                    f"meetings[{index}] ({meeting.get('uuid')})",
                    meeting,
                )


def _join(
    meetings: Meetings, texts: list[Document]
) -> tuple[dict[int, str], list[Document]]:
    marks = [_marks(meeting) for _, _, meeting in meetings]
    joined: dict[int, str] = {}
    orphans = []
    for document in texts:
        name = Path(document.name).name
        owner = next(
            (i for i, found in enumerate(marks) if any(m in name for m in found)), None
        )
        if owner is None and len(meetings) == 1 and len(texts) == 1:
            owner = 0
        if owner is None:
            orphans.append(document)
        else:
            joined[owner] = document.data
    return joined, orphans


def _marks(meeting: dict[str, Any]) -> list[str]:
    """What a transcript file's name may carry to say whose it is."""
    files = [records.mapping(f) for f in records.items(meeting.get("recording_files"))]
    marks = [
        records.text(f.get("id"))
        for f in files
        if records.text(f.get("file_type")).upper() == "TRANSCRIPT"
    ]
    marks.append(records.text(meeting.get("id")))
    return [mark for mark in marks if mark]


def _recording(meeting: dict[str, Any], transcript: str | None) -> IncomingRecording:
    start = units.instant(meeting.get("start_time"), "start_time")
    end = units.after(start, units.minutes_ms(meeting.get("duration"), "duration"))
    recording = records.call(
        source=SOURCE,
        external_id=meeting.get("uuid"),
        title=meeting.get("topic"),
        start=start,
        end=end,
        participants=[meeting.get("host_email")],
        url=meeting.get("share_url"),
    )
    if transcript is not None:
        recording.transcript = vtt.parse(transcript)
    return recording
