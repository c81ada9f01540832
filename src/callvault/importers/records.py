"""What every importer produces: normalized calls, or a failure naming the
record and why, and the documents they are read from."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from callvault.importers.errors import RecordProblem
from callvault.kernel.schema_types import storable
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance
from callvault.recordings.schemas import MAX_BIGINT

log = structlog.get_logger("callvault.importers")

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
    except Exception as error:  # nothing in a record escapes it
        return Failed(file, record, reason(error))


def reason(error: Exception) -> str:
    """Why a record failed, as the summary says it."""
    if isinstance(error, RecordProblem):
        return error.message
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    log.warning("importers.record_failed", error=repr(error))
    return str(error) or type(error).__name__


def check(recording: IncomingRecording) -> IncomingRecording:
    """What every record must be to be stored the same on SQLite and
    PostgreSQL, whichever importer made it."""
    if not recording.external_id:
        raise RecordProblem("the call has no id")
    if len(recording.external_id) > MAX_EXTERNAL_ID:
        raise RecordProblem(f"the id is longer than {MAX_EXTERNAL_ID} characters")
    if len(recording.calendar_event_id) > MAX_EXTERNAL_ID:
        raise RecordProblem(
            f"the calendar event id is longer than {MAX_EXTERNAL_ID} characters"
        )
    if len(recording.url) > MAX_URL:
        raise RecordProblem(f"the url is longer than {MAX_URL} characters")
    if recording.end_time < recording.start_time:
        raise RecordProblem("the call ends before it starts")
    _check_duration(recording)
    _check_storable(recording)
    for index, (name, email, offset, _) in enumerate(recording.transcript or []):
        if len(name) > MAX_SPEAKER_NAME:
            raise RecordProblem(
                f"a speaker name is longer than {MAX_SPEAKER_NAME} characters"
            )
        if len(email) > MAX_SPEAKER_EMAIL:
            raise RecordProblem(
                f"a speaker email is longer than {MAX_SPEAKER_EMAIL} characters"
            )
        if offset is not None and not 0 <= offset <= MAX_BIGINT:
            raise RecordProblem(
                f"`transcript[{index}].offset_ms`: {offset} is out of range "
                f"(0 to {MAX_BIGINT} milliseconds from the call start)"
            )
    return recording


def _check_duration(recording: IncomingRecording) -> None:
    # The API derives the duration from the times; a record that says
    # otherwise is wrong somewhere, and a 1 ms difference is rounding.
    derived = duration_ms(recording.start_time, recording.end_time)
    if abs(recording.duration_ms - derived) > 1:
        raise RecordProblem(
            f"`duration_ms`: {recording.duration_ms} disagrees with end_time "
            f"minus start_time ({derived} ms); leave it out or send that"
        )


def _check_storable(recording: IncomingRecording) -> None:
    texts: list[tuple[str, Any]] = [
        ("source", recording.source),
        ("external_id", recording.external_id),
        ("title", recording.title),
        ("summary", recording.summary),
        ("url", recording.url),
        ("calendar_event_id", recording.calendar_event_id),
        ("account_id", recording.account_id),
        ("participant_emails", recording.participant_emails),
    ]
    for index, (name, email, _, words) in enumerate(recording.transcript or []):
        where = f"transcript[{index}]"
        texts += [
            (f"{where}.speaker_name", name),
            (f"{where}.speaker_email", email),
            (f"{where}.text", words),
        ]
    for field, value in texts:
        try:
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str):
                    storable(text)
        except ValueError as problem:
            raise RecordProblem(f"`{field}`: {problem}") from None


def call(
    *,
    source: str,
    external_id: str,
    title: str,
    start: datetime,
    end: datetime,
    participants: Iterable[Any],
    url: str = "",
    summary: str = "",
    transcript: list[IncomingUtterance] | None = None,
    calendar_event_id: str = "",
) -> IncomingRecording:
    """A call from values read with `text` and `identifier`; participants
    cleaned here, the duration derived from the times."""
    return IncomingRecording(
        source=source,
        external_id=external_id,
        title=title,
        start_time=start,
        end_time=end,
        duration_ms=duration_ms(start, end),
        participant_emails=emails(participants),
        url=url,
        summary=summary,
        calendar_event_id=calendar_event_id,
        transcript=transcript,
    )


def duration_ms(start: datetime, end: datetime) -> int:
    delta = end - start
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def text(value: Any, field: str) -> str:
    """A text field: a string, trimmed, or null read as ""; anything else
    fails the record rather than being stored as its Python spelling."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordProblem(f"`{field}`: expected a string, got {_kind(value)}")
    return value.strip()


def identifier(value: Any, field: str) -> str:
    """An id the recorder sends as a string or as a JSON integer: integers
    become their exact decimal text, however large."""
    if isinstance(value, float) and value.is_integer():
        # Only a literal such as 123.0 or 1e3 reads as a float: documents are
        # parsed with integers kept exact (files.parse_json).
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None or isinstance(value, str):
        return text(value, field)
    raise RecordProblem(
        f"`{field}`: expected a string or a whole number, got {_kind(value)}"
    )


def key(value: Any) -> str:
    """An id as a join key between documents, never failing: a bad id fails
    its record when the record is read with `identifier`."""
    try:
        return identifier(value, "id")
    except RecordProblem:
        return ""


def _kind(value: Any) -> str:
    if isinstance(value, float):
        return f"the number {value!r}"
    return {
        bool: "a boolean",
        int: "a number",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def emails(values: Iterable[Any]) -> list[str]:
    """Trimmed, non-email values dropped, order kept, no repeats ignoring case."""
    seen: dict[str, str] = {}
    for value in values:
        if not isinstance(value, str):
            continue
        email = value.strip()
        if _EMAIL.match(email):
            seen.setdefault(email.lower(), email)
    return list(seen.values())


def utterance(
    name: str, email: str, offset_ms: int | None, words: str
) -> IncomingUtterance | None:
    """An utterance, or None when it has no words: a speaker without a name
    or an email is kept, a blank line is not."""
    if not words:
        return None
    return (name, email, offset_ms, words)


def transcript(lines: Iterable[IncomingUtterance | None]) -> list[IncomingUtterance]:
    """A null, empty or all-blank transcript is a recording without one."""
    return [line for line in lines if line is not None]


def items(value: Any, field: str) -> list[Any]:
    """A JSON list, with null read as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordProblem(f"`{field}`: expected a list, got {_kind(value)}")
    return value


def mapping(value: Any, field: str) -> dict[str, Any]:
    """A JSON object, with null read as empty."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordProblem(f"`{field}`: expected an object, got {_kind(value)}")
    return value


def objects(
    document: Document, listed: Any, where: str, what: str
) -> Iterator[tuple[str, dict[str, Any]] | Failed]:
    """The objects of a listing, each with its place; an entry that is not
    an object fails as its own record."""
    for index, entry in enumerate(listed):
        place = f"{where}[{index}]"
        if isinstance(entry, dict):
            yield place, entry
        else:
            yield Failed(document.name, place, f"expected {what}, got {_kind(entry)}")


def not_a_layout(document: Document, expected: str) -> Failed:
    """A document none of the recorder's layouts: the file fails, saying
    what was expected, rather than importing nothing without a word."""
    return Failed(
        document.name,
        "file",
        f"not {expected}; got {_kind(document.data)}" + _keys(document.data),
    )


def _keys(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    names = ", ".join(sorted(map(str, data))[:8])
    return f" with keys {names}" if names else " with no keys"
