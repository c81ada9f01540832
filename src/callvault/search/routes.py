from __future__ import annotations

from fastapi import APIRouter, Body, Request

from callvault.kernel.deps import CurrentPrincipal, searching
from callvault.kernel.direct_route import DirectJSONRoute
from callvault.kernel.http import JSONResponse, ok
from callvault.search import service
from callvault.search.schemas import (
    SearchCallRecordingsRequest,
    SearchCallRecordingsResponseBody,
)

# The search is the API's hottest request: it skips FastAPI's per-request
# machinery when well formed (kernel.direct_route).
router = APIRouter(
    prefix="/call-recordings", tags=["call-recordings"], route_class=DirectJSONRoute
)


@router.post(
    "/search",
    response_model=SearchCallRecordingsResponseBody,
    operation_id="SearchCallRecordings",
)
async def search_call_recordings(
    request: Request,
    principal: CurrentPrincipal,
    body: SearchCallRecordingsRequest = Body(
        default_factory=SearchCallRecordingsRequest
    ),
) -> JSONResponse:
    """Search for call recordings by a given filter, newest `start_time` first.

    Filterable fields and their operators: `account_id` (`equals`, `in`,
    `not_in`, `is_set`, `is_unset`), `source` (`equals`, `in`, `not_in`),
    `title` (`equals`, `string_contains`), `start_time` (`time_is_after`,
    `time_is_before`, `time_range`). See docs/search.md.
    """
    page = await searching(
        request, lambda reader: service.search(reader, principal, body)
    )
    return ok(page.data, pagination=page.pagination)
