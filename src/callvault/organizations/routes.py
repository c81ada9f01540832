from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from callvault.kernel.deps import CurrentPrincipal
from callvault.kernel.http import JSONResponse, ok

router = APIRouter(tags=["me"])


class Me(BaseModel):
    id: str
    name: str


class MeResponse(BaseModel):
    data: Me
    request_id: str


@router.get("/me", response_model=MeResponse)
def get_me(principal: CurrentPrincipal) -> JSONResponse:
    """The organization the API token acts for."""
    return ok({"id": principal.organization_id, "name": principal.organization_name})
