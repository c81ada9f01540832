"""The `callvault` command: serve, organizations, tokens, imports."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer
from alembic.util.exc import CommandError
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from callvault.importers import console as import_console
from callvault.importers.registry import SOURCES
from callvault.kernel import migrate
from callvault.kernel.db import Database, normalize_url
from callvault.kernel.errors import CallvaultError
from callvault.kernel.logging import configure_logging
from callvault.organizations import repository as organizations
from callvault.organizations import service as org_service
from callvault.settings import Settings, describe_error, get_settings
from callvault.webhooks import repository as webhook_repository
from callvault.webhooks import service as webhook_service

app = typer.Typer(
    help="callvault: call recordings and transcripts behind Pylon's call-recordings API.",
    no_args_is_help=True,
    add_completion=False,
)
orgs_app = typer.Typer(help="Manage organizations (tenants).", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")
app.add_typer(tokens_app, name="tokens")
webhooks_app = typer.Typer(
    help="Receive calls pushed by the recorders.", no_args_is_help=True
)
app.add_typer(webhooks_app, name="webhooks")

err = Console(stderr=True)
out = Console()

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="SQLite file to use. Without it: CALLVAULT_DATABASE_URL, "
        "then ./callvault.db.",
        dir_okay=False,
    ),
]


ENGINES = ("sqlite", "postgresql")
LOCAL_URL = "http://127.0.0.1:8080"
URL_FORMS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME"


def say_error(message: str) -> None:
    """One line on stderr, whatever the terminal's width."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def load_settings() -> Settings:
    """The settings, or a line per bad `CALLVAULT_*` variable and exit 2."""
    try:
        return get_settings()
    except ValidationError as error:
        for line in describe_error(error):
            say_error(line)
        raise typer.Exit(code=2) from None


def database_url(db: Path | None) -> str:
    if db is not None:
        return f"sqlite:///{db.expanduser().resolve()}"
    return load_settings().database_url


def open_database(db: Path | None) -> Database:
    """The database, migrated; every command opens it here, so a URL callvault
    cannot use or a server it cannot reach is one line on stderr, not a
    traceback: exit 2 for the setting, 1 for the server."""
    settings = load_settings()
    url = database_url(db)
    _check_engine(url)
    try:
        database = Database.from_settings(settings, url)
    except (ImportError, ArgumentError):
        driver = make_url(url).drivername
        say_error(
            f"CALLVAULT_DATABASE_URL: unsupported driver {driver!r}; write {URL_FORMS}."
        )
        raise typer.Exit(code=2) from None
    try:
        _connect(database, url)
        _migrate(database, url)
    except typer.Exit:
        database.dispose()
        raise
    return database


def _check_engine(url: str) -> None:
    try:
        engine = make_url(normalize_url(url)).get_backend_name()
    except ArgumentError:
        say_error(f"CALLVAULT_DATABASE_URL is not a database URL; write {URL_FORMS}.")
        raise typer.Exit(code=2) from None
    if engine not in ENGINES:
        say_error(
            f"CALLVAULT_DATABASE_URL: unsupported database {engine!r}: callvault "
            f"runs on SQLite and PostgreSQL ({URL_FORMS})."
        )
        raise typer.Exit(code=2)


def _connect(database: Database, url: str) -> None:
    try:
        with database.engine.connect():
            pass
    except DBAPIError as error:
        say_error(f"cannot connect to {shown_url(url)}: {_reason(error)}")
        raise typer.Exit(code=1) from None


def _migrate(database: Database, url: str) -> None:
    try:
        migrate.upgrade(database)
    except (DBAPIError, CommandError) as error:
        say_error(f"cannot migrate the database {shown_url(url)}: {_reason(error)}")
        raise typer.Exit(code=1) from None


def _reason(error: Exception) -> str:
    """The driver's own first line: libpq adds hints on lines of their own."""
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def shown_url(url: str) -> str:
    """The URL as safe to print: no password, and a SQLite file by its full
    path (a relative one depends on where the command ran)."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() == "sqlite" and name and name != ":memory:":
        parsed = parsed.set(database=str(Path(name).expanduser().resolve()))
    return parsed.render_as_string(hide_password=True)


def fail(error: CallvaultError) -> typer.Exit:
    say_error(error.message)
    return typer.Exit(code=1)


@orgs_app.command("create")
def orgs_create(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The organization's name.")
    ],
    domain: Annotated[
        list[str] | None,
        typer.Option(
            "--domain",
            help="One of the organization's own email domains (repeatable); "
            "never used to match customer accounts.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an organization."""
    database = open_database(db)
    try:
        with database.session(write=True) as session:
            organization = org_service.create_organization(session, name, domain or [])
            out.print(
                f"Created organization {organization.name!r} ({organization.id})."
            )
    except CallvaultError as error:
        raise fail(error) from None


@orgs_app.command("list")
def orgs_list(db: DbOption = None) -> None:
    """List organizations: name, id and own domains, tab-separated."""
    database = open_database(db)
    with database.session(write=False) as session:
        for organization in organizations.list_all(session):
            domains = ", ".join(organization.domains or []) or "-"
            typer.echo(f"{organization.name}\t{organization.id}\t{domains}")


@tokens_app.command("create")
def tokens_create(
    org: Annotated[str, typer.Option("--org", help="The organization's name.")],
    db: DbOption = None,
) -> None:
    """Create an API token and print it alone on stdout; it is shown only once."""
    database = open_database(db)
    try:
        with database.session(write=True) as session:
            organization = org_service.require_organization(session, org)
            token = org_service.create_token(session, organization)
    except CallvaultError as error:
        raise fail(error) from None
    typer.echo(token)


@tokens_app.command("revoke")
def tokens_revoke(
    token_prefix: Annotated[
        str,
        typer.Argument(
            metavar="PREFIX", help="The start of the token (at least 7 characters)."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Revoke an API token; requests with it are refused from then on."""
    database = open_database(db)
    try:
        with database.session(write=True) as session:
            token = org_service.revoke_token(session, token_prefix)
            out.print(f"Revoked token {token.prefix}…")
    except CallvaultError as error:
        raise fail(error) from None


@tokens_app.command("list")
def tokens_list(
    org: Annotated[str, typer.Option("--org", help="The organization's name.")],
    db: DbOption = None,
) -> None:
    """List an organization's tokens by prefix, tab-separated (the tokens
    themselves are not kept)."""
    database = open_database(db)
    try:
        with database.session(write=False) as session:
            organization = org_service.require_organization(session, org)
            for token in organizations.tokens_of(session, organization.id):
                state = "revoked" if token.revoked_at else "active"
                typer.echo(
                    f"{token.prefix}…\t{state}\tcreated {token.created_at:%Y-%m-%d}"
                )
    except CallvaultError as error:
        raise fail(error) from None


@app.command("import")
def import_calls(
    source: Annotated[
        str,
        typer.Argument(metavar="SOURCE", help=f"The recorder: {', '.join(SOURCES)}."),
    ],
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Files or folders of that recorder's API or webhook responses "
            "(a folder's files are joined: calls with their transcripts).",
            exists=True,
        ),
    ],
    org: Annotated[str, typer.Option("--org", help="The organization's name.")],
    db: DbOption = None,
) -> None:
    """Import calls with their transcripts; importing again changes nothing.
    Exits non-zero when a record failed (the others are imported)."""
    configure_logging("WARNING")
    database = open_database(db)
    try:
        summary = import_console.run(database, org, source, paths, err)
    except CallvaultError as error:
        raise fail(error) from None
    finally:
        database.dispose()
    import_console.show(summary, out)
    if summary.failed:
        raise typer.Exit(code=1)


def _http_address(value: str | None) -> str | None:
    if value and not value.startswith(("http://", "https://")):
        raise typer.BadParameter(
            f"{value!r} is not an address; write it as https://calls.example.com"
        )
    return value


@webhooks_app.command("secret")
def webhooks_secret(
    org: Annotated[str, typer.Option("--org", help="The organization's name.")],
    rotate: Annotated[
        bool, typer.Option("--rotate", help="Replace it; the old URLs stop working.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            callback=_http_address,
            help="The address recorders reach this server at, which the URLs "
            f"are printed on. Without it: CALLVAULT_PUBLIC_URL, then {LOCAL_URL} "
            "(this machine only).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Show the organization's webhook secret (made on first use) and the URL
    to give each recorder, on the address recorders reach (--base-url)."""
    base_url = (base_url or load_settings().public_url or LOCAL_URL).rstrip("/")
    database = open_database(db)
    try:
        with database.session(write=True) as session:
            organization = org_service.require_organization(session, org)
            secret = webhook_service.webhook_secret(
                session, organization.id, rotate=rotate
            )
    except CallvaultError as error:
        raise fail(error) from None
    typer.echo(secret)
    for source in webhook_service.SOURCES:
        # Tab-separated, as the deliveries are: rich would expand the tab.
        typer.echo(f"{source}\t{base_url}/webhooks/{source}?secret={secret}")
    # On stderr: stdout stays the secret and the URLs, for scripts.
    err.print(_reach_note(base_url), soft_wrap=True, highlight=False, markup=False)


def _reach_note(base_url: str) -> str:
    note = f"The URLs are on {base_url}: recorders must reach this server there."
    if base_url == LOCAL_URL:
        note += (
            " That is this machine only; give the public address with "
            "--base-url or CALLVAULT_PUBLIC_URL."
        )
    return note


@webhooks_app.command("signing-secret")
def webhooks_signing_secret(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="fathom or zoom.")],
    org: Annotated[str, typer.Option("--org", help="The organization's name.")],
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="The secret the recorder shows for the webhook (Fathom's "
            "whsec_…, Zoom's secret token). Without it: one line of stdin, "
            "or asked for, unechoed, on a terminal.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Store the secret a recorder signs its deliveries with:
    `echo "$SECRET" | callvault webhooks signing-secret fathom --org NAME`."""
    key = (key if key is not None else _read_key()).strip()
    if not key:
        say_error(
            "the signing secret is empty: give it with --key, on one line of "
            "stdin, or at the prompt."
        )
        raise typer.Exit(code=2)
    database = open_database(db)
    try:
        with database.session(write=True) as session:
            organization = org_service.require_organization(session, org)
            webhook_service.set_signing_key(session, organization.id, source, key)
    except CallvaultError as error:
        raise fail(error) from None
    out.print(f"Stored the {source} signing secret for {org!r}.")


def _read_key() -> str:
    """A pipe gives the key as its first line, unprompted; a terminal is asked
    once, without echo (an empty answer is refused, not asked again)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline()
    answer: str = typer.prompt(
        "Signing secret", default="", show_default=False, hide_input=True, err=True
    )
    return answer


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    org: Annotated[str, typer.Option("--org", help="The organization's name.")],
    db: DbOption = None,
) -> None:
    """List the organization's deliveries, oldest first: when, from which
    recorder, their status (pending, imported, recorded, failed) and outcome."""
    database = open_database(db)
    try:
        with database.session(write=False) as session:
            organization = org_service.require_organization(session, org)
            found = webhook_repository.deliveries_of(session, organization.id)
    except CallvaultError as error:
        raise fail(error) from None
    for delivery in found:
        # Tab-separated, for cut and awk.
        typer.echo(
            f"{delivery.received_at:%Y-%m-%d %H:%M:%S}\t{delivery.source}\t"
            f"{delivery.delivery_id}\t{delivery.status}\t{delivery.outcome}"
        )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port to listen on (1 to 65535).")
    ] = 8080,
    db: DbOption = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Fill an empty database with demo data.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Server processes sharing the port (at least 1)."),
    ] = 1,
) -> None:
    """Run the API server (migrations are applied at start)."""
    import uvicorn

    from callvault.demo import first_run

    url = database_url(db)
    os.environ["CALLVAULT_DATABASE_URL"] = url
    get_settings.cache_clear()
    settings = load_settings()
    _check_listen(host, port)
    if workers > 1 and settings.rate_limits == "on" and not settings.redis_url:
        err.print(
            "[yellow]warning:[/yellow] without CALLVAULT_REDIS_URL each of the "
            f"{workers} workers counts rate limits for itself.",
            highlight=False,
        )
    database = open_database(None)
    try:
        first_run(database, demo=demo, base_url=_local_url(host, port), console=out)
    finally:
        database.dispose()
    out.print(_serving(host, port, url, workers), highlight=False, soft_wrap=True)
    # The token is printed once: let it reach a pipe or a log before serving.
    sys.stdout.flush()
    uvicorn.run(
        "callvault.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def _check_listen(host: str, port: int) -> None:
    """Bind as uvicorn will, so that a taken port or an unknown host is one
    line before the first run prints a token, and "Serving on" is true."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        reason = error.strerror or str(error)
        say_error(f"cannot listen on {_listen_url(host, port)}: {reason}")
        raise typer.Exit(code=1) from None


def _serving(host: str, port: int, url: str, workers: int) -> str:
    where = _listen_url(host, port)
    here = _local_url(host, port)
    if here != where:
        where = f"{where}, from this machine {here}"
    processes = "1 worker" if workers == 1 else f"{workers} workers"
    return f"Serving on {where} (database: {shown_url(url)}; {processes})"


def _listen_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _local_url(host: str, port: int) -> str:
    """The address to paste on this machine: a wildcard host is not one."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return _listen_url(host, port)
