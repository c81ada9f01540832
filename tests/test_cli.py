"""The `callvault` command: organizations and tokens on the database the live
server uses, and `--help` as the documentation of every option."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from callvault.cli import app
from callvault.settings import get_settings
from tests.live import LiveServer


@pytest.fixture
def cli(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI pointed, as an operator would, at the live server's database."""
    monkeypatch.setenv("CALLVAULT_DATABASE_URL", server.settings.database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def invoke(cli: CliRunner, *args: str) -> Any:
    return cli.invoke(app, list(args), catch_exceptions=False)


def test_orgs_create_then_list(cli: CliRunner) -> None:
    name = f"Acme {uuid.uuid4().hex[:8]}"

    created = invoke(cli, "orgs", "create", name, "--domain", "Acme.example")
    listed = invoke(cli, "orgs", "list")

    assert created.exit_code == 0, created.output
    assert f"Created organization {name!r}" in created.stdout
    line = next(row for row in listed.stdout.splitlines() if row.startswith(name))
    assert line.endswith("\tacme.example")


def test_orgs_create_refuses_a_taken_name(cli: CliRunner) -> None:
    name = f"Twice {uuid.uuid4().hex[:8]}"
    invoke(cli, "orgs", "create", name)

    again = invoke(cli, "orgs", "create", name)

    assert again.exit_code == 1
    assert "exists already" in again.stderr


def test_tokens_create_prints_the_token_alone_and_it_works(
    cli: CliRunner, server: LiveServer
) -> None:
    name = f"Tok {uuid.uuid4().hex[:8]}"
    invoke(cli, "orgs", "create", name)

    result = invoke(cli, "tokens", "create", "--org", name)

    assert result.exit_code == 0
    token = result.stdout.removesuffix("\n")
    assert "\n" not in token and token.startswith("cv_") and len(token) > 40
    with server.client(token) as client:
        assert client.get("/me").json()["data"]["name"] == name


def test_tokens_create_for_an_unknown_organization_fails(cli: CliRunner) -> None:
    result = invoke(cli, "tokens", "create", "--org", "no such org")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No organization named" in result.stderr


def test_tokens_revoke_by_prefix_refuses_the_token_from_then_on(
    cli: CliRunner, server: LiveServer
) -> None:
    name = f"Rev {uuid.uuid4().hex[:8]}"
    invoke(cli, "orgs", "create", name)
    token = invoke(cli, "tokens", "create", "--org", name).stdout.strip()
    kept = invoke(cli, "tokens", "create", "--org", name).stdout.strip()

    revoked = invoke(cli, "tokens", "revoke", token[:10])
    listed = invoke(cli, "tokens", "list", "--org", name)

    assert revoked.exit_code == 0, revoked.output
    assert f"Revoked token {token[:12]}" in revoked.stdout
    with server.client(token) as client:
        assert client.get("/me").json()["code"] == "invalid_api_token"
    with server.client(kept) as client:
        assert client.get("/me").status_code == 200
    states = {
        row.split("\t")[0]: row.split("\t")[1] for row in listed.stdout.splitlines()
    }
    assert states == {f"{token[:12]}…": "revoked", f"{kept[:12]}…": "active"}


@pytest.mark.parametrize(
    ("prefix", "message"),
    [("cv_", "at least"), ("cv_zzzzzzzzz", "No active token")],
)
def test_tokens_revoke_refuses_a_short_or_unknown_prefix(
    cli: CliRunner, prefix: str, message: str
) -> None:
    result = invoke(cli, "tokens", "revoke", prefix)

    assert result.exit_code == 1
    assert message in result.stderr


def commands(
    group: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under `group` with the words that invoke it."""
    yield path, group
    for name, command in getattr(group, "commands", {}).items():
        yield from commands(command, (*path, name))


def test_every_command_documents_every_option_in_its_help() -> None:
    runner = CliRunner()
    root = typer.main.get_command(app)
    seen = []

    for path, command in commands(root):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        assert command.help, f"`callvault {' '.join(path)}` has no description"
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, (path, param.name)
                for flag in param.opts:
                    assert flag in result.stdout, (path, flag)
            else:
                assert param.help, (path, param.name)
                assert param.metavar in result.stdout, (path, param.name)
        seen.append(" ".join(path))

    assert {"orgs create", "orgs list", "tokens create", "tokens revoke"} <= set(seen)
    assert {"tokens list", "serve"} <= set(seen)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--port", "99999", "'--port': Input should be less than or equal to 65535"),
        ("--port", "65536", "'--port': Input should be less than or equal to 65535"),
        ("--port", "0", "'--port': Input should be greater than or equal to 1"),
        ("--port", "http", "'--port': Input should be a valid integer"),
        ("--workers", "0", "'--workers': Input should be greater than or equal to 1"),
    ],
)
def test_serve_refuses_a_port_or_worker_count_out_of_range(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    db = tmp_path / "never.db"

    result = CliRunner().invoke(
        app, ["serve", "--db", str(db), option, value], env={"COLUMNS": "200"}
    )

    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert not db.exists()
