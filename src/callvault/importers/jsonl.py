"""callvault's own shape, one recording a line: the API's recording object
plus `transcript`, a list of the transcript endpoint's items. Extra keys
(`id`, `created_at`, `updated_at`, ...) are ignored.

This is the bulk-loading path, so a line is validated once, in pydantic's
compiled core, and turned straight into the bulk writer's rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from typing_extensions import TypedDict

from callvault.importers import files, units
from callvault.importers.errors import RecordProblem, UnreadableDocument
from callvault.importers.records import (
    Document,
    Failed,
    Imported,
    Outcome,
    check,
    duration_ms,
    emails,
    reason,
)
from callvault.kernel.db import canonical_id
from callvault.kernel.errors import excerpt, quoted
from callvault.kernel.schema_types import field_sentence
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance
from callvault.recordings.schemas import CustomFieldValue

SOURCE = "jsonl"


class _Utterance(TypedDict, total=False):
    # A TypedDict, not a model: validated as fast, with no object per line.
    speaker_name: str | None
    speaker_email: str | None
    offset_ms: int | None
    text: str | None
    position: int | None


class _Recording(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # The lengths of the columns they are stored in, which SQLite does not
    # enforce and PostgreSQL does: one file imports alike on both.
    # Blank is refused with the recorder's words (`_recording`).
    source: str = Field(max_length=64)
    external_id: str = Field(min_length=1, max_length=255)
    title: str | None = None
    start_time: AwareDatetime
    end_time: AwareDatetime
    duration_ms: int | None = None
    participant_emails: list[str] | None = None
    url: str | None = Field(None, max_length=2048)
    summary: str | None = None
    calendar_event_id: str | None = Field(None, max_length=255)
    account_id: str | None = None
    custom_fields: dict[str, CustomFieldValue] | None = None
    transcript: list[_Utterance] | None = None


def convert_line(line: bytes | str, file: str, number: int) -> Outcome:
    record = f"line {number}"
    try:
        parsed = _Recording.model_validate_json(line)
    except ValidationError as error:
        return Failed(file, record, _validation_reason(error, line))
    return _converted(parsed, file, record)


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    """Parsed JSON documents: one recording object, or a list of them."""
    for document in documents:
        objects = document.data if isinstance(document.data, list) else [document.data]
        for index, data in enumerate(objects):
            yield _convert_object(data, document.name, f"[{index}]")


def _convert_object(data: Any, file: str, record: str) -> Outcome:
    try:
        parsed = _Recording.model_validate(data)
    except ValidationError as error:
        return Failed(file, record, _validation_reason(error, None))
    return _converted(parsed, file, record)


def _converted(parsed: _Recording, file: str, record: str) -> Outcome:
    label = _label(record, parsed)
    try:
        return Imported(file, label, check(_recording(parsed)))
    except Exception as error:  # nothing in a record escapes it
        return Failed(file, label, reason(error))


def _label(record: str, parsed: _Recording) -> str:
    return f"{record} ({parsed.source} {parsed.external_id})"


def _recording(parsed: _Recording) -> IncomingRecording:
    if not parsed.source.strip() or not parsed.source.isprintable():
        raise RecordProblem(
            f"`source`: {quoted(parsed.source)} is blank or holds characters "
            "that do not print; a source names the recorder, as `gong` does"
        )
    start = units.utc(parsed.start_time, "start_time")
    end = units.utc(parsed.end_time, "end_time")
    return IncomingRecording(
        source=parsed.source,
        external_id=parsed.external_id,
        title=parsed.title or "",
        start_time=start,
        end_time=end,
        # Checked against the times with every other record (records.check).
        duration_ms=duration_ms(start, end)
        if parsed.duration_ms is None
        else parsed.duration_ms,
        participant_emails=emails(parsed.participant_emails or []),
        url=parsed.url or "",
        summary=parsed.summary or "",
        calendar_event_id=parsed.calendar_event_id or "",
        transcript=_transcript(parsed),
        account_id=_account_id(parsed.account_id),
        custom_fields=_custom_fields(parsed.custom_fields),
    )


def _account_id(given: str | None) -> str | None:
    """An id in any case names its account (RFC 9562, section 4)."""
    return canonical_id(given) or given if given else given


def _transcript(parsed: _Recording) -> list[IncomingUtterance] | None:
    if "transcript" not in parsed.model_fields_set:
        return None
    lines = parsed.transcript or []
    if any(line.get("position") is not None for line in lines):
        lines = sorted(lines, key=lambda line: line.get("position") or 0)
    result: list[IncomingUtterance] = []
    for line in lines:
        offset = line.get("offset_ms")
        text = line.get("text")
        if text and not text.isspace():
            result.append(
                (
                    line.get("speaker_name") or "",
                    line.get("speaker_email") or "",
                    offset,
                    text,
                )
            )
    return result


def _custom_fields(
    fields: dict[str, CustomFieldValue] | None,
) -> list[CustomFieldValue] | None:
    if not fields:
        return None
    for key, entry in fields.items():
        if entry.slug is not None and entry.slug != key:
            raise RecordProblem(
                f"`custom_fields.{excerpt(key)}`: its `slug` is "
                f"{quoted(entry.slug)}; a value is keyed by its field's slug"
            )
    return [
        CustomFieldValue(slug=slug, value=entry.value, values=entry.values)
        for slug, entry in fields.items()
    ]


def _validation_reason(error: ValidationError, line: bytes | str | None) -> str:
    detail = error.errors()[0]
    if detail["type"] == "json_invalid":
        if isinstance(line, bytes):
            try:
                files.decode(line)
            except UnreadableDocument as problem:
                return problem.message
        return f"not valid JSON: {detail['msg'].removeprefix('Invalid JSON: ')}"
    if detail["type"] == "model_type" and not detail["loc"]:
        return f"expected a recording object, got {type(detail['input']).__name__}"
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"]
    ).lstrip(".")
    return field_sentence(detail, where) if where else str(detail["msg"])
