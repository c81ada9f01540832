from __future__ import annotations

from fastapi import APIRouter

from callvault.custom_fields import service
from callvault.custom_fields.schemas import (
    CreateCustomFieldRequest,
    CustomFieldListResponse,
    CustomFieldResponse,
)
from callvault.kernel.deps import CurrentPrincipal, ReadSession, WriteSession
from callvault.kernel.http import JSONResponse, ok
from callvault.kernel.schema_types import Text

router = APIRouter(prefix="/custom-fields", tags=["custom-fields"])


@router.get("", response_model=CustomFieldListResponse)
def list_custom_fields(
    principal: CurrentPrincipal, session: ReadSession, object_type: Text | None = None
) -> JSONResponse:
    """Every custom field defined for one object type (`meeting` for calls)."""
    fields = service.list_fields(session, principal.organization_id, object_type)
    return ok([service.present(field) for field in fields])


@router.get("/{field_id}", response_model=CustomFieldResponse)
def get_custom_field(
    field_id: str, principal: CurrentPrincipal, session: ReadSession
) -> JSONResponse:
    """One custom field definition."""
    return ok(
        service.present(service.get_field(session, principal.organization_id, field_id))
    )


@router.post("", response_model=CustomFieldResponse)
def create_custom_field(
    body: CreateCustomFieldRequest, principal: CurrentPrincipal, session: WriteSession
) -> JSONResponse:
    """Define a custom field; the slug comes from the label unless given."""
    field = service.create_field(session, principal.organization_id, body)
    return ok(service.present(field))
