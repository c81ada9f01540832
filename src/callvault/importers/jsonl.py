"""callvault's own shape, one recording a line: the API's recording object
plus `transcript`, a list of the transcript endpoint's items. Extra keys
(`id`, `created_at`, `updated_at`, ...) are ignored.

This is the bulk-loading path, so a line is validated once, in pydantic's
compiled core, and turned straight into the bulk writer's rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from callvault.importers.errors import RecordProblem
from callvault.importers.records import (
    Document,
    Failed,
    Imported,
    Outcome,
    check,
    duration_ms,
    emails,
)
from callvault.recordings.bulk import IncomingRecording, IncomingUtterance
from callvault.recordings.schemas import CustomFieldValue

SOURCE = "jsonl"


class _Utterance(BaseModel):
    model_config = ConfigDict(extra="ignore")

    speaker_name: str | None = None
    speaker_email: str | None = None
    offset_ms: int | None = None
    text: str | None = None
    position: int | None = None


class _Recording(BaseModel):
    model_config = ConfigDict(extra="ignore")

    source: str
    external_id: str
    title: str | None = None
    start_time: AwareDatetime
    end_time: AwareDatetime
    duration_ms: int | None = None
    participant_emails: list[str] | None = None
    url: str | None = None
    summary: str | None = None
    account_id: str | None = None
    custom_fields: dict[str, CustomFieldValue] | None = None
    transcript: list[_Utterance] | None = None


def convert_line(line: bytes | str, file: str, number: int) -> Outcome:
    record = f"line {number}"
    try:
        parsed = _Recording.model_validate_json(line)
        return Imported(file, _label(record, parsed), check(_recording(parsed)))
    except ValidationError as error:
        return Failed(file, record, _validation_reason(error))
    except RecordProblem as problem:
        return Failed(file, record, problem.message)


def convert(documents: Sequence[Document]) -> Iterator[Outcome]:
    """Parsed JSON documents: one recording object, or a list of them."""
    for document in documents:
        objects = document.data if isinstance(document.data, list) else [document.data]
        for index, data in enumerate(objects):
            yield _convert_object(data, document.name, f"[{index}]")


def _convert_object(data: Any, file: str, record: str) -> Outcome:
    try:
        parsed = _Recording.model_validate(data)
        return Imported(file, _label(record, parsed), check(_recording(parsed)))
    except ValidationError as error:
        return Failed(file, record, _validation_reason(error))
    except RecordProblem as problem:
        return Failed(file, record, problem.message)


def _label(record: str, parsed: _Recording) -> str:
    return f"{record} ({parsed.source} {parsed.external_id})"


def _recording(parsed: _Recording) -> IncomingRecording:
    start = parsed.start_time.astimezone(UTC)
    end = parsed.end_time.astimezone(UTC)
    return IncomingRecording(
        source=parsed.source,
        external_id=parsed.external_id,
        title=parsed.title or "",
        start_time=start,
        end_time=end,
        duration_ms=duration_ms(start, end)
        if parsed.duration_ms is None
        else parsed.duration_ms,
        participant_emails=emails(parsed.participant_emails or []),
        url=parsed.url or "",
        summary=parsed.summary or "",
        transcript=_transcript(parsed),
        account_id=parsed.account_id,
        custom_fields=_custom_fields(parsed.custom_fields),
    )


def _transcript(parsed: _Recording) -> list[IncomingUtterance] | None:
    if "transcript" not in parsed.model_fields_set:
        return None
    lines = parsed.transcript or []
    if any(line.position is not None for line in lines):
        lines = sorted(lines, key=lambda line: line.position or 0)
    result = []
    for index, line in enumerate(lines):
        if line.offset_ms is not None and line.offset_ms < 0:
            raise RecordProblem(f"`transcript[{index}].offset_ms` is negative")
        if line.text and line.text.strip():
            result.append(
                IncomingUtterance(
                    line.speaker_name or "",
                    line.speaker_email or "",
                    line.offset_ms,
                    line.text,
                )
            )
    return result


def _custom_fields(
    fields: dict[str, CustomFieldValue] | None,
) -> list[CustomFieldValue] | None:
    if not fields:
        return None
    return [
        CustomFieldValue(
            slug=entry.slug or slug, value=entry.value, values=entry.values
        )
        for slug, entry in fields.items()
    ]


def _validation_reason(error: ValidationError) -> str:
    detail = error.errors()[0]
    if detail["type"] == "json_invalid":
        return "not valid JSON"
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"]
    ).lstrip(".")
    return f"`{where}`: {detail['msg']}" if where else str(detail["msg"])
