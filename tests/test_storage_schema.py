"""The schema comes from Alembic alone, and instants come back aware on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from storage.db import Database
from storage.migrate import current_revision, downgrade, head_revision, is_at_head, upgrade
from storage.models import Base, DueAction, Person, Skill


async def _table_names(database: Database) -> set[str]:
    async with database.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_upgrade_creates_every_model_table_and_downgrade_removes_them(
    database: Database,
) -> None:
    assert await is_at_head(database)
    tables = await _table_names(database)
    assert set(Base.metadata.tables) <= tables

    await downgrade(database, "base")
    assert await current_revision(database) is None
    assert (await _table_names(database)) - {"alembic_version"} == set()

    await upgrade(database)
    assert await current_revision(database) == head_revision()
    assert set(Base.metadata.tables) <= await _table_names(database)


async def test_migrated_schema_matches_the_models(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def _diff(sync_conn: object) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": False})  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_instants_come_back_aware_in_utc(database: Database) -> None:
    paris_evening = datetime(2026, 3, 29, 21, 30, tzinfo=timezone(timedelta(hours=2)))
    async with database.unit_of_work() as session:
        session.add(DueAction(kind="test", idempotency_key="k1", due_at=paris_evening))
    async with database.unit_of_work() as session:
        action = (await session.execute(select(DueAction))).scalar_one()
    assert action.due_at.tzinfo is not None
    assert action.due_at.utcoffset() == timedelta(0)
    assert action.due_at == paris_evening
    assert action.due_at == datetime(2026, 3, 29, 19, 30, tzinfo=UTC)
    assert action.created_at.tzinfo is not None


async def test_instants_compare_correctly_in_queries(database: Database) -> None:
    base = datetime(2026, 1, 1, 12, tzinfo=UTC)
    async with database.unit_of_work() as session:
        for i in range(3):
            # The same instants written with different offsets must order by the instant.
            tz = timezone(timedelta(hours=5 - 5 * i))
            session.add(
                DueAction(
                    kind="t",
                    idempotency_key=f"k{i}",
                    due_at=(base + timedelta(hours=i)).astimezone(tz),
                )
            )
    async with database.unit_of_work() as session:
        keys = (
            (
                await session.execute(
                    select(DueAction.idempotency_key)
                    .where(DueAction.due_at > base)
                    .order_by(DueAction.due_at)
                )
            )
            .scalars()
            .all()
        )
    assert keys == ["k1", "k2"]


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with database.unit_of_work() as session:
            session.add(DueAction(kind="t", idempotency_key="n", due_at=datetime(2026, 1, 1)))
            await session.flush()


async def test_skill_taxonomy_is_seeded_in_both_languages(database: Database) -> None:
    async with database.unit_of_work() as session:
        skills = (await session.execute(select(Skill))).scalars().all()
    names = {s.key: (s.name("fr"), s.name("en")) for s in skills}
    assert len(names) >= 14
    assert names["seo"] == ("Référencement naturel (SEO)", "Search engine optimisation (SEO)")
    assert all(fr and en for fr, en in names.values())


async def test_person_ids_are_opaque(database: Database) -> None:
    async with database.unit_of_work() as session:
        person = Person(email="lea.martin@example.com", first_name="Léa")
        session.add(person)
        await session.flush()
        assert len(person.id) == 32 and "lea" not in person.id
