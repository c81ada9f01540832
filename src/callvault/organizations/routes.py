from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from callvault.kernel.deps import CurrentPrincipal
from callvault.kernel.http import JSONResponse, ok

router = APIRouter(tags=["me"])


class MeUser(BaseModel):
    id: str = Field(description="The API token acting, which stands for the user.")
    email: str = Field(description="Always empty: an API token has no login email.")


class Me(BaseModel):
    id: str
    name: str
    user: MeUser


class MeResponse(BaseModel):
    data: Me
    request_id: str


@router.get("/me", response_model=MeResponse)
def get_me(principal: CurrentPrincipal) -> JSONResponse:
    """The organization the API token acts for, and the token as its user."""
    # The official client requires `user` (usepylon's `Me.user: MeUser`); a
    # token is no person, so its id stands in and the email is "", as Pylon's
    # own API users have no login email (docs/contract.md).
    user = {"id": principal.token_id, "email": ""}
    return ok(
        {
            "id": principal.organization_id,
            "name": principal.organization_name,
            "user": user,
        }
    )
