"""A jsonl record is refused alike on SQLite and PostgreSQL.

`call_recordings.source` is VARCHAR(64). The jsonl importer does not check
its length: SQLite, which enforces no VARCHAR length, stores a longer
`source`, while PostgreSQL refuses the row ("refused by the database: value
too long for type character varying(64)"), naming no field. The same file
then imports differently on the two engines; it should fail the record on
both, naming `source`, as the API names the fields it refuses for length.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.importing import run_import, summary_counts
from tests.live import LiveServer, Org


def test_a_source_longer_than_the_column_fails_the_record_naming_it(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    line = {
        "source": "s" * 65,
        "external_id": "long-source",
        "title": "Long source",
        "start_time": "2025-01-15T09:30:00Z",
        "end_time": "2025-01-15T10:00:00Z",
    }
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(line) + "\n")

    result = run_import(server, org, "jsonl", path)

    assert summary_counts(result) == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }, result.output
    assert "`source`" in result.stdout, result.stdout
