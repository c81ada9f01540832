"""The closed lists the contract names (spec/README.md, section 3b)."""

from __future__ import annotations

OBJECT_TYPES = (
    "account",
    "issue",
    "contact",
    "task",
    "project",
    "meeting",
    "opportunity",
)
FIELD_TYPES = (
    "text",
    "number",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "url",
    "select",
    "multiselect",
)
SELECT_TYPES = ("select", "multiselect")
# Call recordings carry the custom fields defined for this object type.
RECORDING_OBJECT_TYPE = "meeting"
