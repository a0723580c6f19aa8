"""Bring the database schema up to date at start-up (Alembic, scripts in `server/migrations/`)."""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from server.db import Database

log = logging.getLogger(__name__)

# Any fixed number: replicas starting together take turns instead of racing to create the same tables.
_PG_MIGRATION_LOCK = 0x41524953


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", "server:migrations")
    return config


def upgrade_to_head(database: Database) -> None:
    """Apply every pending migration in one transaction."""
    config = alembic_config()
    with database.write_engine.begin() as connection:
        if not database.is_sqlite:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.info("Database schema is up to date", extra={"database": database.describe()})
