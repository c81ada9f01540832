"""docs/search.md runs: every example answers what the page says it does."""

from __future__ import annotations

import functools
import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from tests.live import LiveServer, Org
from tests.recording_rows import Row, add_accounts, add_recordings

PAGE = Path(__file__).resolve().parent.parent / "docs" / "search.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
BODY = re.compile(r"-d '(.*)'")


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(PAGE.read_text())]


def examples(language: str) -> list[tuple[str, str]]:
    """(code, expected output) for each block of `language` followed by text."""
    found = blocks()
    return [
        (code, found[i + 1][1])
        for i, (lang, code) in enumerate(found[:-1])
        if lang == language and found[i + 1][0] == "text"
    ]


def the_documented_recordings(server: LiveServer, org: Org) -> tuple[str, str]:
    acme, globex = add_accounts(server.database, org.id, 2)
    table = PAGE.read_text().split("| title | source | account | start_time |")[1]
    rows = []
    for line in table.strip().splitlines()[1:]:
        if not line.startswith("|"):
            break
        title, source, account, start = (c.strip() for c in line.strip("|").split("|"))
        rows.append(
            Row(
                title=title,
                source=source.strip("`"),
                account_id={"Acme": acme, "Globex": globex}.get(account),
                start_time=datetime.fromisoformat(start),
            )
        )
    assert len(rows) == 5
    add_recordings(server.database, org.id, rows)
    return acme, globex


def setup_namespace(
    server: LiveServer, org: Org, ids: tuple[str, str]
) -> dict[str, Any]:
    setup = next(code for lang, code in blocks() if "client = Pylon(" in code)
    code = (
        setup.replace('"cv_…"', repr(org.token))
        .replace('"http://127.0.0.1:8080"', repr(server.base_url))
        .replace('"…", "…"', f"{ids[0]!r}, {ids[1]!r}")
    )
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace


def test_every_python_example_prints_what_the_page_shows(
    server: LiveServer, org: Org
) -> None:
    namespace = setup_namespace(server, org, the_documented_recordings(server, org))
    cases = examples("python")

    for code, expected in cases:
        # The page's own print, captured; the server in this process logs to
        # stdout as well, so stdout itself cannot be compared.
        output = io.StringIO()
        namespace["print"] = functools.partial(print, file=output)
        exec(code, namespace)
        assert output.getvalue() == expected, code
    assert len(cases) >= 15


def test_every_curl_example_answers_what_the_page_shows(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    the_documented_recordings(server, org)
    cases = examples("sh")

    for command, expected in cases:
        body = json.loads(BODY.search(command).group(1))  # type: ignore[union-attr]
        response = api.post("/call-recordings/search", json=body)
        if response.status_code == 200:
            shown = "".join(item["title"] + "\n" for item in response.json()["data"])
        else:
            assert response.status_code == 400
            shown = response.json()["errors"][0] + "\n"
        assert shown == expected, command
    assert len(cases) == 2
