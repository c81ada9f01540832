"""Request and response bodies; the names follow the contract's schemas.

Request bodies are `RequestBody`: strict types, so a number where a string
belongs, or a string where the limit belongs, is a 400 naming the path
(contract section 2), never coerced; and `Text`, so a filter value no
database can store is a 400 naming it rather than a failed query.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from callvault.kernel.schema_types import Pagination, RequestBody, Text
from callvault.recordings.schemas import CallRecording


class Filter(RequestBody):
    field: Text | None = Field(
        None, description="The field to filter on; unused by `and` and `or`."
    )
    operator: Text | None = Field(None, description="The operator.")
    value: Text | None = Field(
        None,
        description="The operand of `equals`, `string_contains`, "
        "`time_is_after` and `time_is_before`.",
    )
    values: list[Text] | None = Field(
        None,
        description="The operands of `in` and `not_in`; `[start, end)` for "
        "`time_range`.",
    )
    subfilters: list[Filter] | None = Field(
        None,
        description="The filters `and` and `or` combine; the tree is at most "
        "3 levels deep counting the top filter.",
    )


class SearchCallRecordingsRequest(RequestBody):
    filter: Filter | None = None
    cursor: Text | None = Field(
        None, description="`pagination.cursor` of the previous page."
    )
    limit: int | None = Field(
        None, description="Recordings per page, 1 to 1000; 100 by default."
    )


class SearchCallRecordingsResponseBody(BaseModel):
    data: list[CallRecording]
    pagination: Pagination
    request_id: str
