"""Request and response bodies; the names follow the contract's schemas.

Strict types: a number where a string belongs, or a string where the limit
belongs, is a 400 naming the path (contract section 2), never coerced.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, StrictInt, StrictStr

from callvault.kernel.schema_types import Pagination
from callvault.recordings.schemas import CallRecording


class Filter(BaseModel):
    field: StrictStr | None = Field(
        None, description="The field to filter on; unused by `and` and `or`."
    )
    operator: StrictStr | None = Field(None, description="The operator.")
    value: StrictStr | None = Field(
        None,
        description="The operand of `equals`, `string_contains`, "
        "`time_is_after` and `time_is_before`.",
    )
    values: list[StrictStr] | None = Field(
        None,
        description="The operands of `in` and `not_in`; `[start, end)` for "
        "`time_range`.",
    )
    subfilters: list[Filter] | None = Field(
        None,
        description="The filters `and` and `or` combine; the tree is at most "
        "3 levels deep counting the top filter.",
    )


class SearchCallRecordingsRequest(BaseModel):
    filter: Filter | None = None
    cursor: StrictStr | None = Field(
        None, description="`pagination.cursor` of the previous page."
    )
    limit: StrictInt | None = Field(
        None, description="Recordings per page, 1 to 1000; 100 by default."
    )


class SearchCallRecordingsResponseBody(BaseModel):
    data: list[CallRecording]
    pagination: Pagination
    request_id: str
