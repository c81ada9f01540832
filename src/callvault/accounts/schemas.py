from __future__ import annotations

from pydantic import BaseModel, Field

from callvault.kernel.schema_types import Pagination, RequestBody, Text


class CreateAccountRequest(RequestBody):
    name: Text = Field(min_length=1, max_length=500)
    domains: list[Text] | None = None
    domain: Text | None = None
    primary_domain: Text | None = None
    account_type: Text | None = Field(None, max_length=50)
    logo_url: Text | None = Field(None, max_length=2048)


class UpdateAccountRequest(RequestBody):
    name: Text | None = Field(None, min_length=1, max_length=500)
    domains: list[Text] | None = None
    primary_domain: Text | None = None
    account_type: Text | None = Field(None, max_length=50)
    logo_url: Text | None = Field(None, max_length=2048)
    is_disabled: bool | None = None


class AccountOut(BaseModel):
    id: str
    name: str
    type: str
    created_at: str
    updated_at: str
    is_disabled: bool
    logo_url: str
    latest_customer_activity_time: str
    domains: list[str]
    primary_domain: str
    domain: str


class AccountResponse(BaseModel):
    data: AccountOut
    request_id: str


class AccountListResponse(BaseModel):
    data: list[AccountOut]
    pagination: Pagination
    request_id: str
