"""`callvault serve` as its own process: the first start, the demo data, and
no acknowledged write lost when the process is killed outright."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests import live
from tests.factories import recording_body
from tests.live import engine_database, serve_process

TOKEN = re.compile(r"^\s+(cv_[A-Za-z0-9_-]+)\s*$", re.MULTILINE)


def printed_token(output: str) -> str:
    tokens = TOKEN.findall(output)
    assert len(tokens) == 1, output
    return str(tokens[0])


def serving_line(output: str) -> tuple[int, str]:
    """Where the one "Serving on" line is among the lines printed, and it."""
    found = [
        (index, line)
        for index, line in enumerate(output.splitlines())
        if line.startswith("Serving on")
    ]
    assert len(found) == 1, output
    return found[0]


def test_first_start_in_a_fresh_folder_prints_a_token_and_ready_curls(
    tmp_path: Path,
) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed: the printed commands cannot be run")
    with engine_database(tmp_path / "db") as url:
        # On SQLite nothing names a database: the default ./callvault.db is used.
        chosen = url if live.test_engine() == "postgresql" else None
        with serve_process(chosen, "--demo", cwd=tmp_path) as server:
            output = server.output_until("Serving on")
            token = printed_token(output)
            curls = [line.strip() for line in output.splitlines() if "curl " in line]
            answers = [_run(curl) for curl in curls]
            with httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}
            ) as api:
                accounts = api.get("/accounts", params={"limit": 1000}).json()
                fields = api.get("/custom-fields", params={"object_type": "meeting"})

    assert "Demo data: 300 call recordings" in output
    shown = url if chosen else f"sqlite:///{(tmp_path / 'callvault.db').resolve()}"
    serving_at, serving = serving_line(output)
    assert serving == f"Serving on {server.base_url} (database: {shown}; 1 worker)"
    assert serving_at > output.splitlines().index(f"  {token}")
    assert "shown only this once" in output
    if chosen is None:
        assert (tmp_path / "callvault.db").is_file()
    assert [curl.split()[2] for curl in curls] == [
        f"{server.base_url}/me",
        f"{server.base_url}/call-recordings/{answers[1]['data']['id']}",
        f"{server.base_url}/call-recordings/search",
    ]
    assert answers[0]["data"]["name"] == "demo"
    assert answers[1]["data"]["title"]
    assert len(answers[2]["data"]) == 2
    assert answers[2]["pagination"]["has_next_page"] is True
    assert len(accounts["data"]) == 40
    assert len(fields.json()["data"]) == 9


def _run(curl: str) -> dict[str, Any]:
    result = subprocess.run(
        shlex.split(curl), capture_output=True, timeout=30, check=True
    )
    answer: dict[str, Any] = orjson.loads(result.stdout)
    return answer


def test_every_acknowledged_write_survives_sigkill(tmp_path: Path) -> None:
    with engine_database(tmp_path) as url:
        with serve_process(url) as server:
            token = printed_token(server.output_until("curl"))
            acknowledged = _write_some(server.base_url, token)
            server.kill()

        with serve_process(url) as restarted:
            banner = restarted.output_until("Serving on")
            found = _read_back(restarted.base_url, token, acknowledged)

    assert "shown only this once" not in banner
    serving_at, serving = serving_line(banner)
    assert serving == f"Serving on {restarted.base_url} (database: {url}; 1 worker)"
    assert banner.splitlines()[serving_at - 1].startswith("Organizations: demo.")
    assert found == acknowledged


def _write_some(base_url: str, token: str) -> dict[str, Any]:
    """Creates and updates, each answered 200; the last answer of each object."""
    last: dict[str, Any] = {}
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}
    ) as api:

        def ok(response: httpx.Response) -> Any:
            assert response.status_code == 200, response.text
            return response.json()["data"]

        account = ok(
            api.post("/accounts", json={"name": "Kept", "domains": ["k.example"]})
        )
        field = ok(
            api.post(
                "/custom-fields",
                json={"label": "Stage", "type": "text", "object_type": "meeting"},
            )
        )
        last[f"/custom-fields/{field['id']}"] = field
        for index in range(5):
            recording = ok(api.post("/call-recordings", json=recording_body()))
            path = f"/call-recordings/{recording['id']}"
            last[path] = ok(
                api.patch(
                    path,
                    json={
                        "account_id": account["id"],
                        "custom_fields": [{"slug": "stage", "value": f"step {index}"}],
                    },
                )
            )
        last[f"/accounts/{account['id']}"] = ok(
            api.patch(f"/accounts/{account['id']}", json={"name": "Kept, renamed"})
        )
    return last


def _read_back(base_url: str, token: str, paths: dict[str, Any]) -> dict[str, Any]:
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        return {path: api.get(path).json().get("data") for path in paths}


def test_on_every_address_it_says_where_to_reach_it_and_how_many_serve(
    tmp_path: Path,
) -> None:
    wildcard = ("--host", "0.0.0.0", "--workers", "2")
    with engine_database(tmp_path) as url, serve_process(url, *wildcard) as server:
        output = server.output_until("Serving on")
        answer = httpx.get(f"{server.base_url}/healthz")

    port = server.base_url.rsplit(":", 1)[1]
    assert serving_line(output)[1] == (
        f"Serving on http://0.0.0.0:{port}, from this machine {server.base_url} "
        f"(database: {url}; 2 workers)"
    )
    assert answer.json() == {"status": "ok"}
