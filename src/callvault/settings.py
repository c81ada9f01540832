"""Every setting, read from `CALLVAULT_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from limits import parse
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///callvault.db"
# The page cache of the SQLite connection a process reads on: at a million
# recordings 32 MB made a 1,000-row page, an account's and a month's page
# two to three times faster than SQLite's own 2 MB (bench/results).
SQLITE_READ_CACHE_MB = 32
# Writers a process lets queue for SQLite's write lock; 1, 2, 4 and 8 served
# 64 writes at once in the same 1.5 s.
SQLITE_WRITE_TURNS = 4

RATE_LIMIT_FIELDS = (
    "rate_limit_get",
    "rate_limit_update",
    "rate_limit_search",
    "rate_limit_create",
    "rate_limit_delete",
    "rate_limit_default",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLVAULT_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the database; a SQLite file by default.",
    )
    db_pool_size: int = Field(
        10, ge=1, description="PostgreSQL connections kept open by each process."
    )
    db_max_overflow: int = Field(
        10,
        ge=0,
        description="PostgreSQL connections a process may open beyond the pool.",
    )
    db_pool_timeout: float = Field(
        30,
        gt=0,
        description="Seconds a request waits for a free PostgreSQL connection.",
    )
    db_connect_timeout: int = Field(
        10,
        ge=1,
        description="Seconds to wait for PostgreSQL to accept a connection "
        "(libpq waits at least 2).",
    )
    sqlite_read_cache_mb: int = Field(
        SQLITE_READ_CACHE_MB,
        ge=0,
        description="Megabytes of SQLite page cache of the connection each "
        "process reads on (lookups and searches on its event loop); SQLite's "
        "own default is 2.",
    )
    read_threads: int | None = Field(
        None,
        ge=1,
        description="Threads of each process for each kind of database read, "
        "lookups (the token, get by id) and searches, which never wait for "
        "each other: 1 of each on SQLite by default, where most reads run on "
        "the event loop, and CALLVAULT_DB_POOL_SIZE on PostgreSQL.",
    )
    redis_url: str | None = Field(
        None, description="Redis URL for rate-limit counters shared by processes."
    )
    redis_key_prefix: str = Field(
        "callvault", description="Prefix of every rate-limit key in Redis."
    )
    redis_timeout: float = Field(
        0.5,
        gt=0,
        description="Seconds to wait for Redis before serving without a limit.",
    )
    rate_limits: Literal["on", "off"] = Field(
        "on", description="`off` switches every limit off."
    )
    # Contract section 1: per organization, per minute.
    rate_limit_get: str = Field("60/minute", description="GET /call-recordings/{id}.")
    rate_limit_update: str = Field(
        "20/minute", description="PATCH /call-recordings/{id}."
    )
    rate_limit_search: str = Field(
        "20/minute", description="POST /call-recordings/search."
    )
    rate_limit_create: str = Field("30/minute", description="POST /call-recordings.")
    rate_limit_delete: str = Field(
        "120/minute", description="DELETE /call-recordings/{id}."
    )
    rate_limit_default: str = Field(
        "120/minute", description="Every other authenticated route."
    )
    max_body_bytes: int = Field(
        10 * 1024 * 1024, ge=1, description="Largest request body."
    )
    log_level: str = Field("INFO", description="Log level of the server.")
    log_json: bool = Field(False, description="Log JSON lines instead of text.")
    public_url: str | None = Field(
        None,
        description="The address recorders reach this server at; "
        "`callvault webhooks secret` prints their URLs on it.",
    )
    webhook_processing: bool = Field(
        True,
        description="Import stored webhook deliveries in the background in this "
        "process (pending ones too, at start-up).",
    )

    def read_threads_for(self, dialect: str) -> int:
        if self.read_threads is not None:
            return self.read_threads
        return 1 if dialect == "sqlite" else self.db_pool_size

    def write_turns_for(self, dialect: str) -> int:
        """Write units of work a process runs at once; the others wait their
        turn on the event loop. SQLite takes one writer at a time anyway;
        PostgreSQL gives each a pooled connection, and the pool's overflow
        stays free for reads."""
        return SQLITE_WRITE_TURNS if dialect == "sqlite" else self.db_pool_size

    @field_validator(*RATE_LIMIT_FIELDS)
    @classmethod
    def _parseable_limit(cls, value: str) -> str:
        try:
            amount = parse(value).amount
        except ValueError:
            amount = 0
        if amount < 1:
            raise ValueError(
                f"{value!r} is not a rate limit; write it as `120/minute` "
                "(or `10/second`, `1000/hour`, `100 per 5 minutes`)"
            )
        return value

    @field_validator("read_threads", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return _blank_is_none(value)

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_or_nothing(cls, value: object) -> object:
        value = _blank_is_none(value)
        if isinstance(value, str) and not value.startswith(("redis", "valkey")):
            raise ValueError(
                f"{value!r} is not a Redis URL; write it as redis://host:6379/0"
            )
        return value

    @field_validator("public_url", mode="before")
    @classmethod
    def _http_address_or_nothing(cls, value: object) -> object:
        value = _blank_is_none(value)
        if isinstance(value, str) and not value.startswith(("http://", "https://")):
            raise ValueError(
                f"{value!r} is not an address; write it as https://calls.example.com"
            )
        return value.strip().rstrip("/") if isinstance(value, str) else value

    @field_validator("rate_limits", mode="before")
    @classmethod
    def _lower_case_switch(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


def _blank_is_none(value: object) -> object:
    """An optional setting given as blank text (`CALLVAULT_X=`) is unset."""
    return None if isinstance(value, str) and not value.strip() else value


def describe_error(error: ValidationError) -> list[str]:
    """One line per bad setting, named as the operator wrote it."""
    lines = []
    for detail in error.errors():
        name = "_".join(str(part) for part in detail["loc"]).upper()
        message = str(detail["msg"]).removeprefix("Value error, ")
        lines.append(f"CALLVAULT_{name}: {message}")
    return lines


@lru_cache
def get_settings() -> Settings:
    return Settings()
