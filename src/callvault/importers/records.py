"""What every importer produces: normalized calls, or a failure naming the
record and why, and the documents they are read from."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callvault.importers.errors import RecordProblem
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance

# Column widths of the recordings tables: longer values would fail the whole
# batch on PostgreSQL, so they fail their own record here instead.
MAX_EXTERNAL_ID = 255
MAX_URL = 2048
MAX_SPEAKER_NAME = 500
MAX_SPEAKER_EMAIL = 320

_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+$")


@dataclass(frozen=True, slots=True)
class Document:
    """One response as the recorder sent it: parsed JSON, or the text of a
    transcript file (`.vtt`)."""

    name: str
    data: Any


@dataclass(frozen=True, slots=True)
class Imported:
    file: str
    record: str
    recording: IncomingRecording


@dataclass(frozen=True, slots=True)
class Failed:
    file: str
    record: str
    reason: str


Outcome = Imported | Failed
Converter = Callable[[Sequence[Document]], Iterator[Outcome]]


def guarded(
    file: str, record: str, build: Callable[..., IncomingRecording], *args: Any
) -> Outcome:
    """Run one record's conversion; any problem fails that record only."""
    try:
        return Imported(file, record, check(build(*args)))
    except RecordProblem as problem:
        return Failed(file, record, problem.message)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return Failed(file, record, _describe(error))


def _describe(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    return str(error) or type(error).__name__


def check(recording: IncomingRecording) -> IncomingRecording:
    if not recording.external_id:
        raise RecordProblem("the call has no id")
    if len(recording.external_id) > MAX_EXTERNAL_ID:
        raise RecordProblem(f"the id is longer than {MAX_EXTERNAL_ID} characters")
    if len(recording.url) > MAX_URL:
        raise RecordProblem(f"the url is longer than {MAX_URL} characters")
    if recording.end_time < recording.start_time:
        raise RecordProblem("the call ends before it starts")
    for line in recording.transcript or []:
        if len(line.speaker_name) > MAX_SPEAKER_NAME:
            raise RecordProblem(
                f"a speaker name is longer than {MAX_SPEAKER_NAME} characters"
            )
        if len(line.speaker_email) > MAX_SPEAKER_EMAIL:
            raise RecordProblem(
                f"a speaker email is longer than {MAX_SPEAKER_EMAIL} characters"
            )
    return recording


def call(
    *,
    source: str,
    external_id: Any,
    title: Any,
    start: datetime,
    end: datetime,
    participants: Iterable[Any],
    url: Any = "",
    summary: Any = "",
    transcript: list[IncomingUtterance] | None = None,
) -> IncomingRecording:
    """The one place where missing values become "" and lists get cleaned."""
    return IncomingRecording(
        source=source,
        external_id=text(external_id),
        title=text(title),
        start_time=start,
        end_time=end,
        duration_ms=duration_ms(start, end),
        participant_emails=emails(participants),
        url=text(url),
        summary=text(summary),
        transcript=transcript,
    )


def duration_ms(start: datetime, end: datetime) -> int:
    delta = end - start
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def text(value: Any) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def emails(values: Iterable[Any]) -> list[str]:
    """Trimmed, non-email values dropped, order kept, no repeats ignoring case."""
    seen: dict[str, str] = {}
    for value in values:
        email = text(value)
        if _EMAIL.match(email):
            seen.setdefault(email.lower(), email)
    return list(seen.values())


def utterance(
    name: Any, email: Any, offset_ms: int | None, words: Any
) -> IncomingUtterance | None:
    """An utterance, or None when it has no words: a speaker without a name
    or an email is kept, a blank line is not."""
    spoken = text(words)
    if not spoken:
        return None
    return IncomingUtterance(text(name), text(email), offset_ms, spoken)


def transcript(lines: Iterable[IncomingUtterance | None]) -> list[IncomingUtterance]:
    """A null, empty or all-blank transcript is a recording without one."""
    return [line for line in lines if line is not None]


def items(value: Any) -> list[Any]:
    """A JSON list, with null read as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordProblem(f"expected a list, got {type(value).__name__}")
    return value


def mapping(value: Any) -> dict[str, Any]:
    """A JSON object, with null read as empty."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordProblem(f"expected an object, got {type(value).__name__}")
    return value
