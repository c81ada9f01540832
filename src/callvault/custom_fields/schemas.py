from __future__ import annotations

from pydantic import BaseModel, Field


class SelectOption(BaseModel):
    slug: str | None = None
    label: str | None = None


class CreateCustomFieldRequest(BaseModel):
    label: str = Field(min_length=1, max_length=500)
    type: str
    object_type: str
    slug: str | None = None
    description: str | None = None
    select_options: list[SelectOption] | None = None


class SelectOptionOut(BaseModel):
    slug: str
    label: str


class SelectMetadata(BaseModel):
    options: list[SelectOptionOut]


class CustomFieldDefinition(BaseModel):
    id: str
    created_at: str
    updated_at: str
    label: str
    slug: str
    type: str
    object_type: str
    source: str
    description: str
    is_read_only: bool
    select_metadata: SelectMetadata | None = None


class CustomFieldResponse(BaseModel):
    data: CustomFieldDefinition
    request_id: str


class CustomFieldListResponse(BaseModel):
    data: list[CustomFieldDefinition]
    request_id: str
