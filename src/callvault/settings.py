"""Every setting, read from `CALLVAULT_*` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///callvault.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLVAULT_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the database; a SQLite file by default.",
    )
    db_pool_size: int = Field(10, description="PostgreSQL connections kept open.")
    db_max_overflow: int = Field(
        10, description="PostgreSQL connections beyond the pool."
    )
    redis_url: str | None = Field(
        None, description="Redis URL for rate-limit counters shared by processes."
    )
    rate_limits: str = Field("on", description="`off` switches every limit off.")
    max_body_bytes: int = Field(10 * 1024 * 1024, description="Largest request body.")
    log_level: str = Field("INFO", description="Log level of the server.")
    log_json: bool = Field(False, description="Log JSON lines instead of text.")
    webhook_processing: bool = Field(
        True,
        description="Import stored webhook deliveries in the background in this "
        "process (pending ones too, at start-up).",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
