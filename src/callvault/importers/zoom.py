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

from callvault.importers import files, records, units, vtt
from callvault.importers.records import Document, Failed, Outcome
from callvault.recordings.bulk import IncomingRecording

SOURCE = "zoom"

Meetings = list[tuple[str, str, dict[str, Any]]]


EXPECTED = (
    "a Zoom recordings page ({meetings}), a meeting ({uuid, ...}), a webhook "
    "body ({event, payload: {object}}) or a list of meetings"
)


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    meetings: Meetings = []
    texts: list[Document] = []
    for document in documents:
        if _is_vtt(document):
            texts.append(document)
            continue
        for found in _meetings(document):
            if isinstance(found, Failed):
                yield found
            else:
                meetings.append(found)
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


def _is_vtt(document: Document) -> bool:
    # A `.json` file holding a JSON string is no transcript: it fails below.
    return isinstance(document.data, str) and document.name.lower().endswith(
        tuple(files.TEXT_SUFFIXES)
    )


def _meetings(
    document: Document,
) -> Iterator[tuple[str, str, dict[str, Any]] | Failed]:
    data = document.data
    if isinstance(data, dict) and "payload" in data:
        yield _delivered(document, data)
        return
    if isinstance(data, dict) and "uuid" in data:
        yield document.name, f"meeting ({records.key(data['uuid'])})", data
        return
    listed = data.get("meetings") if isinstance(data, dict) else data
    if not isinstance(listed, list):
        yield records.not_a_layout(document, EXPECTED)
        return
    for found in records.objects(document, listed, "meetings", "a meeting object"):
        if isinstance(found, Failed):
            yield found
        else:
            place, meeting = found
            uuid = records.key(meeting.get("uuid"))
            yield document.name, f"{place} ({uuid})", meeting


def _delivered(
    document: Document, data: dict[str, Any]
) -> tuple[str, str, dict[str, Any]] | Failed:
    """A webhook body's meeting: its recording events carry one."""
    event = data.get("event")
    label = str(event) if isinstance(event, str) else "webhook"
    payload = data["payload"]
    meeting = payload.get("object") if isinstance(payload, dict) else None
    if not isinstance(meeting, dict) or "uuid" not in meeting:
        return Failed(
            document.name, label, "`payload.object` holds no meeting (no `uuid`)"
        )
    return document.name, f"{label} ({records.key(meeting['uuid'])})", meeting


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
    """What a transcript file's name may carry to say whose it is; never
    failing (a malformed meeting fails when it is read)."""
    listed = meeting.get("recording_files")
    files = (
        [f for f in listed if isinstance(f, dict)] if isinstance(listed, list) else []
    )
    marks = [
        records.key(f.get("id"))
        for f in files
        if isinstance(f.get("file_type"), str)
        and f["file_type"].upper() == "TRANSCRIPT"
    ]
    marks.append(records.key(meeting.get("id")))
    return [mark for mark in marks if mark]


def _recording(meeting: dict[str, Any], transcript: str | None) -> IncomingRecording:
    start = units.instant(meeting.get("start_time"), "start_time")
    end = units.after(
        start, units.minutes_ms(meeting.get("duration"), "duration"), "duration"
    )
    recording = records.call(
        source=SOURCE,
        external_id=records.identifier(meeting.get("uuid"), "uuid"),
        title=records.text(meeting.get("topic"), "topic"),
        start=start,
        end=end,
        participants=[meeting.get("host_email")],
        url=records.text(meeting.get("share_url"), "share_url"),
    )
    if transcript is not None:
        recording.transcript = vtt.parse(transcript)
    return recording
