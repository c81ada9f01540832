"""Every setting is documented in the README, with its default."""

from __future__ import annotations

import re
from pathlib import Path

from callvault.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def documented_rows() -> dict[str, str]:
    rows = re.findall(r"^\| `(CALLVAULT_\w+)` \| ([^|]+) \|", README.read_text(), re.M)
    return {name: default.strip() for name, default in rows}


def test_every_setting_has_a_row_with_its_default() -> None:
    rows = documented_rows()
    expected = {}
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "none" if default is None else str(default).lower()
        expected[f"CALLVAULT_{name.upper()}"] = shown

    assert {k: v.strip("`").lower() for k, v in rows.items()} == expected
