from __future__ import annotations

from fastapi import APIRouter, Body, Request

from callvault.kernel.context import current_request_id
from callvault.kernel.deps import (
    CurrentPrincipal,
    ReadSession,
    WriteSession,
    looking_up,
)
from callvault.kernel.http import JSONResponse, ok
from callvault.recordings import service
from callvault.recordings.schemas import (
    CreateCallRecordingRequest,
    CreateCallRecordingResponseBody,
    DeleteCallRecordingResponseBody,
    GetCallRecordingResponseBody,
    TranscriptResponseBody,
    UpdateCallRecordingRequestBody,
    UpdateCallRecordingResponseBody,
)

router = APIRouter(prefix="/call-recordings", tags=["call-recordings"])


@router.post("", response_model=CreateCallRecordingResponseBody)
def create_call_recording(
    body: CreateCallRecordingRequest, principal: CurrentPrincipal, session: WriteSession
) -> JSONResponse:
    """Create a call recording with its transcript from your own recorder.
    Reusing a `recording_id` answers the existing recording unchanged."""
    recording = service.create_recording(session, principal, body)
    return ok(service.present(session, recording))


@router.get(
    "/{id}",
    response_model=GetCallRecordingResponseBody,
    operation_id="GetCallRecording",
)
async def get_call_recording(
    id: str, request: Request, principal: CurrentPrincipal
) -> JSONResponse:
    """Returns a single call recording by ID."""
    recording = await looking_up(
        request,
        lambda reader: service.present_stored(reader, principal.organization_id, id),
    )
    return ok(recording)


@router.patch(
    "/{id}",
    response_model=UpdateCallRecordingResponseBody,
    operation_id="UpdateCallRecording",
)
def update_call_recording(
    id: str,
    principal: CurrentPrincipal,
    session: WriteSession,
    body: UpdateCallRecordingRequestBody = Body(
        default_factory=UpdateCallRecordingRequestBody
    ),
) -> JSONResponse:
    """Updates a call recording by ID. Only provided fields are modified."""
    recording = service.update_recording(session, principal.organization_id, id, body)
    return ok(service.present(session, recording))


@router.delete("/{id}", response_model=DeleteCallRecordingResponseBody)
def delete_call_recording(
    id: str, principal: CurrentPrincipal, session: WriteSession
) -> JSONResponse:
    """Permanently deletes a call recording and its transcript."""
    service.delete_recording(session, principal.organization_id, id)
    return JSONResponse({"request_id": current_request_id()})


@router.get("/{id}/transcript", response_model=TranscriptResponseBody)
def get_transcript(
    id: str, principal: CurrentPrincipal, session: ReadSession
) -> JSONResponse:
    """The recording's transcript: its utterances in call order."""
    utterances = service.transcript(session, principal.organization_id, id)
    return ok([service.present_utterance(u) for u in utterances])
