"""Request and response bodies; the names follow the contract's schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field

from callvault.kernel.schema_types import Instant


class CustomFieldValue(BaseModel):
    slug: str | None = Field(None, description="The slug of the custom field.")
    value: str | None = Field(
        None, description="The value of a single-valued custom field."
    )
    values: list[str] | None = Field(
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


class UpdateCallRecordingRequestBody(BaseModel):
    account_id: str | None = Field(
        None,
        description="The account to link; an empty string removes the link.",
    )
    custom_fields: list[CustomFieldValue] | None = Field(
        None, description="Custom fields to set; fields not named keep their values."
    )


class UpdateCallRecordingResponseBody(BaseModel):
    data: CallRecording
    request_id: str


class CallRecordingMessage(BaseModel):
    message_content: str | None = None
    message_at_ms: int | None = None
    speaker_email: str | None = None
    speaker_name: str | None = None


class CreateCallRecordingRequest(BaseModel):
    app_type: str | None = None
    call_recording_messages: list[CallRecordingMessage] | None = None
    start_time: Instant | None = None
    end_time: Instant | None = None
    account_id: str | None = None
    custom_fields: list[CustomFieldValue] | None = None
    participant_emails: str | None = None
    primary_user_email: str | None = None
    recording_id: str | None = None
    recording_url: str | None = None
    title: str | None = None


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
