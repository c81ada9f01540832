"""The server's log as an operator reads it: one line a request, whatever
the caller put in its path."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import httpx
import orjson
import pytest
import structlog

from callvault.kernel.logging import configure_logging
from tests.live import engine_database, serve_process

# Percent-escapes the server decodes into the path it logs, and how the log
# line shows each: NUL, a terminal escape that would clear the screen, DEL,
# C1's next-line, Unicode's line separator, and a line feed that would start
# a forged line.
ESCAPED = [
    ("%00", r"\x00"),
    ("%1B[2J", r"\x1b[2J"),
    ("%7F", r"\x7f"),
    ("%C2%85", r"\x85"),
    ("%E2%80%A8", r"\u2028"),
    ("%0D%0Aforged", r"\r\nforged"),
]
SENT = "/nothing/a" + "".join(sent for sent, _ in ESCAPED) + "zz-end"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _served_lines(output: str) -> list[str]:
    return [line for line in output.split("\n") if "/nothing/" in line]


def test_control_characters_of_a_path_are_escaped_in_the_text_log(
    tmp_path: Path,
) -> None:
    with engine_database(tmp_path) as url, serve_process(url) as server:
        for sent, _ in ESCAPED:
            assert httpx.get(f"{server.base_url}/nothing/{sent}").status_code == 404
        httpx.get(server.base_url + SENT)
        output = server.output_until("zz-end")

    lines = _served_lines(output)
    assert len(lines) == len(ESCAPED) + 1, lines
    for line, (_, logged) in zip(lines, ESCAPED, strict=False):
        assert "http.request_served" in line
        assert f"path=/nothing/{logged} " in line, line
    assert not CONTROL.search(output)
    assert not [line for line in output.split("\n") if line.startswith("forged")]


def test_a_json_log_line_keeps_the_path_as_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLVAULT_LOG_JSON", "true")
    with engine_database(tmp_path) as url, serve_process(url) as server:
        httpx.get(server.base_url + SENT)
        output = server.output_until("zz-end")

    (line,) = _served_lines(output)
    event = orjson.loads(line)
    assert event["event"] == "http.request_served"
    assert event["path"] == httpx.URL(server.base_url + SENT).path
    assert not CONTROL.search(output)


def test_a_closed_standard_error_costs_the_log_line_not_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging("INFO")
    try:
        structlog.get_logger("test").info("before.close")
        assert "before.close" in stream.getvalue()
        stream.close()
        # A supervisor's pipe gone: the line is lost, the request goes on.
        structlog.get_logger("test").info("after.close")
    finally:
        monkeypatch.undo()
        configure_logging("INFO")
