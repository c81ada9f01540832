"""The `callvault` command: organizations and tokens on the database the live
server uses, and `--help` as the documentation of every option."""

from __future__ import annotations

import hashlib
import hmac
import os
import select
import shlex
import socket
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import typer
from typer.testing import CliRunner

from callvault.cli import app
from callvault.settings import Settings, get_settings
from tests import live
from tests.live import LiveServer, Org, free_port


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


def test_tokens_revoke_refuses_what_the_token_does_not_start_with(
    cli: CliRunner, server: LiveServer
) -> None:
    name = f"Rev {uuid.uuid4().hex[:8]}"
    invoke(cli, "orgs", "create", name)
    token = invoke(cli, "tokens", "create", "--org", name).stdout.strip()

    wrong_tail = invoke(cli, "tokens", "revoke", token[:12] + "WRONG")
    longer = invoke(cli, "tokens", "revoke", token + "_extra")

    assert (wrong_tail.exit_code, longer.exit_code) == (1, 1)
    assert "give at most the 12 characters" in wrong_tail.stderr
    with server.client(token) as client:
        assert client.get("/me").status_code == 200


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


def leaf_commands() -> set[str]:
    root = typer.main.get_command(app)
    return {
        " ".join(path)
        for path, command in commands(root)
        if not getattr(command, "commands", None)
    }


# Each command with the arguments it needs to reach the database.
COMMAND_LINES = {
    "orgs create": ["orgs", "create", "Acme"],
    "orgs list": ["orgs", "list"],
    "tokens create": ["tokens", "create", "--org", "Acme"],
    "tokens list": ["tokens", "list", "--org", "Acme"],
    "tokens revoke": ["tokens", "revoke", "cv_abcdefghij"],
    "import": ["import", "jsonl", "tests/fixtures/jsonl", "--org", "Acme"],
    "webhooks secret": ["webhooks", "secret", "--org", "Acme"],
    "webhooks signing-secret": [
        *("webhooks", "signing-secret", "fathom", "--org", "Acme", "--key", "k")
    ],
    "webhooks deliveries": ["webhooks", "deliveries", "--org", "Acme"],
    "serve": ["serve", "--port", "0"],
}


def test_the_database_error_cases_cover_every_command() -> None:
    assert set(COMMAND_LINES) == leaf_commands()


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run_on(url: str, args: list[str]) -> Any:
    """`args` with CALLVAULT_DATABASE_URL set to `url`, as a user's shell would."""
    return CliRunner().invoke(
        app, args, env={"CALLVAULT_DATABASE_URL": url}, catch_exceptions=False
    )


def serveable(args: list[str]) -> list[str]:
    return [str(free_port()) if arg == "0" else arg for arg in args]


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize("command", sorted(COMMAND_LINES))
def test_an_unsupported_database_is_one_line_and_exit_2(command: str) -> None:
    result = run_on("mysql://x", serveable(COMMAND_LINES[command]))

    assert result.exit_code == 2
    assert result.stderr == (
        "error: CALLVAULT_DATABASE_URL: unsupported database 'mysql': callvault "
        "runs on SQLite and PostgreSQL "
        "(sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME).\n"
    )
    assert result.stdout == ""


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize("command", sorted(COMMAND_LINES))
def test_an_unreachable_postgresql_is_one_line_and_exit_1(command: str) -> None:
    port = free_port()
    url = f"postgresql://callvault:s3cret@127.0.0.1:{port}/calls"

    result = run_on(url, serveable(COMMAND_LINES[command]))

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot connect to postgresql://callvault:***@127.0.0.1:{port}/calls: "
        f'connection failed: connection to server at "127.0.0.1", port {port} '
        "failed: Connection refused\n"
    )
    assert result.stdout == ""


@pytest.fixture
def silent_host() -> Iterator[int]:
    """A port that takes connections and never answers: a database host whose
    server hangs, or a firewall that swallows the packets."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


def test_a_database_host_that_never_answers_times_out_in_one_line(
    silent_host: int,
) -> None:
    url = f"postgresql://callvault:s3cret@127.0.0.1:{silent_host}/calls"
    env = {**live.cli_env(url), "CALLVAULT_DB_CONNECT_TIMEOUT": "1"}
    started = time.monotonic()

    result = subprocess.run(
        [live.CALLVAULT, "orgs", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    # libpq waits at least 2 seconds, whatever the setting.
    assert time.monotonic() - started < 10
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        "error: cannot connect to "
        f"postgresql://callvault:***@127.0.0.1:{silent_host}/calls: "
        "connection timeout expired\n"
    )
    assert result.stdout == ""


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "calls.db",
            "CALLVAULT_DATABASE_URL is not a database URL; write "
            "sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME.",
        ),
        (
            "postgresql+pg8000://u@db/calls",
            "CALLVAULT_DATABASE_URL: unsupported driver 'postgresql+pg8000'; "
            "write sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME.",
        ),
    ],
)
def test_a_url_callvault_cannot_use_is_named_with_the_forms_it_takes(
    url: str, message: str
) -> None:
    result = run_on(url, ["orgs", "list"])

    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"


def test_a_file_that_is_no_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, just notes\n")

    result = CliRunner().invoke(app, ["orgs", "list", "--db", str(notes)])

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot connect to sqlite:///{notes.resolve()}: file is not a database\n"
    )


def test_a_database_migrated_by_a_newer_callvault_is_one_line_and_exit_1(
    tmp_path: Path,
) -> None:
    db = tmp_path / "newer.db"
    with sqlite3.connect(db) as connection:
        connection.execute("create table alembic_version (version_num text)")
        connection.execute("insert into alembic_version values ('f0e1d2c3b4a5')")

    result = CliRunner().invoke(app, ["orgs", "list", "--db", str(db)])

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot migrate the database sqlite:///{db.resolve()}: "
        "Can't locate revision identified by 'f0e1d2c3b4a5'\n"
    )


def test_in_its_own_process_a_bad_database_is_one_line_too() -> None:
    result = live.run_cli("mysql://x", "orgs", "list")

    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "unsupported database 'mysql'" in result.stderr


def test_serve_on_a_taken_port_says_so_before_touching_the_database(
    tmp_path: Path,
) -> None:
    db = tmp_path / "calls.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = CliRunner().invoke(
            app, ["serve", "--db", str(db), "--port", str(port)]
        )

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot listen on http://127.0.0.1:{port}: Address already in use\n"
    )
    assert result.stdout == ""
    assert not db.exists()


def zoom_challenge(anonymous: httpx.Client, secret: str, key: str) -> httpx.Response:
    """Zoom's URL validation, signed with `key`: answered only when `key` is
    the stored signing secret, with the plain token encrypted by it."""
    body = orjson.dumps(
        {"payload": {"plainToken": "tok-123"}, "event": "endpoint.url_validation"}
    )
    stamp = "1751990400"
    digest = hmac.new(key.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    headers = {
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": f"v0={digest.hexdigest()}",
    }
    return anonymous.post(
        f"/webhooks/zoom?secret={secret}", content=body, headers=headers
    )


def webhook_secret(cli: CliRunner, org: Org) -> str:
    return str(invoke(cli, "webhooks", "secret", "--org", org.name).stdout.split()[0])


def test_a_signing_secret_piped_on_stdin_is_stored_without_a_prompt(
    cli: CliRunner, org: Org, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(cli, org)
    args = ["webhooks", "signing-secret", "zoom", "--org", org.name]

    result = cli.invoke(app, args, input="zoom-piped-key\n", catch_exceptions=False)
    answer = zoom_challenge(anonymous, secret, "zoom-piped-key")

    assert result.exit_code == 0
    assert result.stdout == f"Stored the zoom signing secret for {org.name!r}.\n"
    assert result.stderr == ""
    assert answer.status_code == 200
    assert answer.json()["encryptedToken"] == (
        hmac.new(b"zoom-piped-key", b"tok-123", hashlib.sha256).hexdigest()
    )


@pytest.mark.parametrize("piped", ["", "\n", "  \n\n"])
def test_an_empty_signing_secret_on_stdin_is_refused_once(
    cli: CliRunner, org: Org, piped: str
) -> None:
    args = ["webhooks", "signing-secret", "zoom", "--org", org.name]

    result = cli.invoke(app, args, input=piped, catch_exceptions=False)

    assert result.exit_code == 2
    assert result.stderr == (
        "error: the signing secret is empty: give it with --key, on one line of "
        "stdin, or at the prompt.\n"
    )
    assert result.stdout == ""


def on_a_terminal(database_url: str, args: list[str], typed: str) -> tuple[int, str]:
    """`callvault ARGS` on a terminal where the user types `typed` at the
    prompt; its exit status and everything the terminal showed."""
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        [live.CALLVAULT, *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**live.cli_env(database_url), "NO_COLOR": "1"},
        start_new_session=True,
    )
    os.close(terminal)
    shown = b""
    try:
        # click prints the prompt, then getpass turns echo off (flushing
        # what was typed before) and prints a space: type after that.
        while b"Signing secret: " not in shown:
            shown += _read_some(controller)
        os.write(controller, typed.encode() + b"\n")
        while chunk := _read_some(controller):
            shown += chunk
        return process.wait(timeout=30), shown.decode()
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
            process.wait()


def _read_some(controller: int) -> bytes:
    ready, _, _ = select.select([controller], [], [], 60)
    assert ready, "the command printed nothing for a minute"
    try:
        return os.read(controller, 4096)
    except OSError:  # EIO: the command closed the terminal.
        return b""


def test_on_a_terminal_the_signing_secret_is_asked_once_without_echo(
    server: LiveServer, org: Org, anonymous: httpx.Client, cli: CliRunner
) -> None:
    secret = webhook_secret(cli, org)
    args = ["webhooks", "signing-secret", "zoom", "--org", org.name]

    typed = on_a_terminal(server.settings.database_url, args, "zoom-typed-key")
    empty = on_a_terminal(server.settings.database_url, args, "")
    answer = zoom_challenge(anonymous, secret, "zoom-typed-key")

    assert typed[0] == 0
    assert "zoom-typed-key" not in typed[1]
    assert f"Stored the zoom signing secret for {org.name!r}." in typed[1]
    assert answer.status_code == 200
    assert empty[0] == 2
    assert empty[1].count("Signing secret:") == 1
    assert "error: the signing secret is empty" in empty[1]


def secret_urls(result: Any) -> dict[str, str]:
    """The URL printed for each recorder, by recorder."""
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    return {source: url for source, url in rows}


def test_webhook_urls_default_to_this_machine_and_say_so(
    cli: CliRunner, org: Org
) -> None:
    result = invoke(cli, "webhooks", "secret", "--org", org.name)

    secret = result.stdout.splitlines()[0]
    assert secret_urls(result)["gong"] == (
        f"http://127.0.0.1:8080/webhooks/gong?secret={secret}"
    )
    assert result.stderr == (
        "The URLs are on http://127.0.0.1:8080: recorders must reach this server "
        "there. That is this machine only; give the public address with "
        "--base-url or CALLVAULT_PUBLIC_URL.\n"
    )


def test_webhook_urls_are_on_the_public_url_and_base_url_wins(
    cli: CliRunner, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLVAULT_PUBLIC_URL", "https://calls.acme.example/")
    get_settings.cache_clear()

    public = invoke(cli, "webhooks", "secret", "--org", org.name)
    given = invoke(
        cli,
        *("webhooks", "secret", "--org", org.name),
        *("--base-url", "https://hooks.acme.example"),
    )

    secret = public.stdout.splitlines()[0]
    assert secret_urls(public)["zoom"] == (
        f"https://calls.acme.example/webhooks/zoom?secret={secret}"
    )
    assert public.stderr == (
        "The URLs are on https://calls.acme.example: recorders must reach this "
        "server there.\n"
    )
    assert secret_urls(given)["zoom"] == (
        f"https://hooks.acme.example/webhooks/zoom?secret={secret}"
    )


def test_a_public_url_that_is_no_address_is_refused(
    cli: CliRunner, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLVAULT_PUBLIC_URL", "calls.acme.example")
    get_settings.cache_clear()

    from_setting = invoke(cli, "webhooks", "secret", "--org", org.name)
    monkeypatch.delenv("CALLVAULT_PUBLIC_URL")
    get_settings.cache_clear()
    from_option = cli.invoke(
        app,
        ["webhooks", "secret", "--org", org.name, "--base-url", "hooks.example"],
        env={"COLUMNS": "200"},
    )

    assert from_setting.exit_code == from_option.exit_code == 2
    assert from_setting.stderr == (
        "error: CALLVAULT_PUBLIC_URL: 'calls.acme.example' is not an address; "
        "write it as https://calls.example.com\n"
    )
    assert (
        "Invalid value for '--base-url': 'hooks.example' is not an address; "
        "write it as https://calls.example.com"
    ) in from_option.stderr


def test_webhooks_secret_help_says_the_url_is_where_recorders_reach_it() -> None:
    result = CliRunner().invoke(
        app, ["webhooks", "secret", "--help"], env={"COLUMNS": "200"}
    )

    assert "The address recorders reach this server at" in result.stdout
    assert "CALLVAULT_PUBLIC_URL, then http://127.0.0.1:8080" in result.stdout


README = Path(__file__).resolve().parent.parent / "README.md"


def readme_examples() -> list[list[str]]:
    """The words after `callvault` on each line of the README's command-line
    examples, comments left off."""
    section = README.read_text().split("## Command line", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [
        shlex.split(line.split("callvault ", 1)[1].split("  #", 1)[0])
        for line in block.splitlines()
    ]


def test_the_readme_shows_every_command_once_with_options_it_has() -> None:
    root = typer.main.get_command(app)
    by_path = {" ".join(path): command for path, command in commands(root)}
    shown = []

    for words in readme_examples():
        path = next(
            " ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in by_path
        )
        flags = {opt for param in by_path[path].params for opt in param.opts}
        assert {w for w in words if w.startswith("--")} <= flags, words
        shown.append(path)

    assert sorted(shown) == sorted(leaf_commands())


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("CALLVAULT_MAX_BODY_BYTES", "0", "greater than or equal to 1"),
        ("CALLVAULT_MAX_BODY_BYTES", "-1", "greater than or equal to 1"),
        ("CALLVAULT_READ_THREADS", "0", "greater than or equal to 1"),
        ("CALLVAULT_DB_CONNECT_TIMEOUT", "0", "greater than or equal to 1"),
        ("CALLVAULT_DB_CONNECT_TIMEOUT", "soon", "valid integer"),
    ],
)
def test_serve_refuses_a_setting_out_of_range_naming_it(
    tmp_path: Path, name: str, value: str, words: str
) -> None:
    env = {**live.cli_env(f"sqlite:///{tmp_path / 'calls.db'}"), name: value}
    result = subprocess.run(
        [live.CALLVAULT, "serve", "--port", str(live.free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    assert name in result.stderr and words in result.stderr, result.stderr


def test_an_empty_read_threads_setting_means_the_engine_default() -> None:
    settings = Settings(read_threads="")  # type: ignore[arg-type]

    assert settings.read_threads is None
    assert settings.read_threads_for("sqlite") == 1
    assert settings.read_threads_for("postgresql") == settings.db_pool_size
