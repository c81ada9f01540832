"""Request and response bodies; the names follow the contract's schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from callvault.kernel.schema_types import Instant, IntegerBetween, RequestBody, Text

# The widest integer both databases store (PostgreSQL bigint).
MAX_BIGINT = 2**63 - 1


class CustomFieldValue(RequestBody):
    slug: Text | None = Field(None, description="The slug of the custom field.")
    value: Text | None = Field(
        None, description="The value of a single-valued custom field."
    )
    values: list[Text] | None = Field(
        None, description="The values of a multi-valued custom field."
    )


class CallRecording(BaseModel):
    account_id: str = Field(
        description="The account ID associated with the call recording."
    )
    calendar_event_id: str
    created_at: str
    custom_fields: dict[str, CustomFieldValue]
    duration_ms: int
    end_time: str
    external_id: str
    id: str
    participant_emails: list[str]
    source: str
    start_time: str
    summary: str
    title: str
    updated_at: str
    url: str


class GetCallRecordingResponseBody(BaseModel):
    data: CallRecording
    request_id: str


class UpdateCallRecordingRequestBody(RequestBody):
    account_id: Text | None = Field(
        None,
        description="The account to link; an empty string removes the link.",
    )
    custom_fields: list[CustomFieldValue] | None = Field(
        None, description="Custom fields to set; fields not named keep their values."
    )


class UpdateCallRecordingResponseBody(BaseModel):
    data: CallRecording
    request_id: str


class CallRecordingMessage(RequestBody):
    message_content: Text | None = None
    message_at_ms: Annotated[int, IntegerBetween(0, MAX_BIGINT)] | None = Field(
        None, description="Milliseconds from the start of the call."
    )
    speaker_email: Text | None = Field(None, max_length=320)
    speaker_name: Text | None = Field(None, max_length=500)


class CreateCallRecordingRequest(RequestBody):
    app_type: Text | None = None
    call_recording_messages: list[CallRecordingMessage] | None = None
    start_time: Instant | None = None
    end_time: Instant | None = None
    account_id: Text | None = None
    custom_fields: list[CustomFieldValue] | None = None
    participant_emails: Text | None = None
    primary_user_email: Text | None = None
    recording_id: Text | None = Field(None, max_length=255)
    recording_url: Text | None = None
    # No length cap: PostgreSQL indexes md5(title), not the title itself
    # (migration 0002), so a title of any length stays searchable.
    title: Text | None = None


class CreateCallRecordingResponseBody(BaseModel):
    data: CallRecording
    request_id: str


class DeleteCallRecordingResponseBody(BaseModel):
    request_id: str


class Utterance(BaseModel):
    position: int
    speaker_name: str
    speaker_email: str
    offset_ms: int | None
    text: str


class TranscriptResponseBody(BaseModel):
    data: list[Utterance]
    request_id: str
