from __future__ import annotations

from pydantic import BaseModel, Field

from callvault.kernel.schema_types import RequestBody, Text


class SelectOption(RequestBody):
    slug: Text | None = None
    label: Text | None = Field(None, max_length=500)
    ai_description: Text | None = Field(
        None, description="When to choose this option, for AI suggestions."
    )


class CreateCustomFieldRequest(RequestBody):
    label: Text = Field(min_length=1, max_length=500)
    type: Text
    object_type: Text
    slug: Text | None = None
    description: Text | None = None
    select_options: list[SelectOption] | None = None
    # Sent by the official client; callvault has no field defaults, so they
    # are accepted and not kept (docs/contract.md).
    default_value: Text | None = None
    default_values: list[Text] | None = None


class SelectOptionOut(BaseModel):
    slug: str
    label: str
    ai_description: str | None = None


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
