from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from callvault.kernel.deps import get_database
from callvault.kernel.http import JSONResponse, ok
from callvault.webhooks import service
from callvault.webhooks.worker import DeliveryWorker

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


async def _raw_body(request: Request) -> bytes:
    # Signatures are over the exact bytes sent: read them before any parsing.
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


@router.post(
    "/{source}",
    status_code=202,
    responses={
        200: {"description": "A delivery seen before, or Zoom's URL validation."},
        401: {"description": "Unknown organization or a bad signature."},
    },
)
def receive_webhook(
    source: str,
    request: Request,
    body: RawBody,
    secret: Annotated[
        str | None, Query(description="The organization's webhook secret.")
    ] = None,
) -> JSONResponse:
    """A recorder's delivery: verified, stored, answered, then imported in the
    background. A repeated delivery answers 200 and is not stored again."""
    receipt = service.receive(
        get_database(request), source, request.headers, secret, body
    )
    if receipt.challenge is not None:
        return JSONResponse(receipt.challenge)
    if receipt.stored:
        worker: DeliveryWorker | None = getattr(request.app.state, "webhooks", None)
        if worker is not None:
            worker.submit(receipt.delivery)
    response = ok({"delivery_id": receipt.delivery_id, "duplicate": not receipt.stored})
    response.status_code = 202 if receipt.stored else 200
    return response
