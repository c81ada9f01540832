"""Apply the Alembic migrations shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from callvault.kernel.db import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return config


def upgrade(database: Database) -> None:
    """Bring the schema to the newest revision; a no-op when it is there.

    Every server process runs this at start; the exclusive transaction lets
    one migrate while the others wait, then find the schema current.
    """
    config = alembic_config(database)
    with database.exclusive() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
