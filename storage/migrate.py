"""Schema changes only through Alembic: upgrade, downgrade and where a database stands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migration found"
    return head


def _run(connection: Connection, /, action: str, revision: str, **kwargs: Any) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision, **kwargs)


async def upgrade(database: Database, revision: str = "head") -> None:
    async with database.engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade(database: Database, revision: str = "base") -> None:
    async with database.engine.begin() as conn:
        await conn.run_sync(_run, "downgrade", revision)


async def current_revision(database: Database) -> str | None:
    async with database.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def is_at_head(database: Database) -> bool:
    return await current_revision(database) == head_revision()


def _revision(connection: Connection, /, message: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.revision(config, message=message, autogenerate=True)


async def autogenerate(database: Database, message: str) -> None:
    """For developers: write a new revision from the difference between models and database."""
    async with database.engine.begin() as conn:
        await conn.run_sync(_revision, message)
