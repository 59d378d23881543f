"""Values a deployment keeps in its own database (the generated secret key, the demo's clock)."""

from __future__ import annotations

from datetime import timedelta

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.models import DeploymentValue

SECRET_KEY = "secret_key"
# The key the console used before the clock moved to bot/: existing demos keep their offset.
DEMO_CLOCK_OFFSET = "console.demo_clock_offset_seconds"


async def stored_secret_key(database: Database) -> str:
    """The generated secret key, created once; replicas racing at first start agree on one."""
    insert = pg_insert if not database.is_sqlite else sqlite_insert
    async with database.unit_of_work(immediate=True) as session:
        await session.execute(
            insert(DeploymentValue)
            .values(key=SECRET_KEY, value=Fernet.generate_key().decode())
            .on_conflict_do_nothing(index_elements=["key"])
        )
        return (
            await session.execute(
                select(DeploymentValue.value).where(DeploymentValue.key == SECRET_KEY)
            )
        ).scalar_one()


async def demo_clock_offset(database: Database) -> timedelta:
    async with database.unit_of_work() as session:
        value = await session.get(DeploymentValue, DEMO_CLOCK_OFFSET)
    return timedelta(seconds=float(value.value)) if value else timedelta()


async def set_demo_clock_offset(database: Database, offset: timedelta) -> None:
    async with database.unit_of_work(immediate=True) as session:
        value = await session.get(DeploymentValue, DEMO_CLOCK_OFFSET)
        if value is None:
            session.add(DeploymentValue(key=DEMO_CLOCK_OFFSET, value=str(offset.total_seconds())))
        else:
            value.value = str(offset.total_seconds())
