"""`tandem due run [--at ISO]` drains what is due at that instant, for cron deployments."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from storage.db import Database
from storage.migrate import upgrade
from storage.models import DueAction
from storage.queue import DueQueue
from tests.support.cli import clean_env, tandem
from tests.support.clock import fixed_clock

AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


async def _prepare(url: str) -> None:
    database = Database(url)
    await upgrade(database)
    queue = DueQueue(database)
    async with database.unit_of_work() as session:
        await queue.enqueue(session, "kind.from.a.newer.version", "due", AT - timedelta(hours=1))
        await queue.enqueue(session, "kind.from.a.newer.version", "later", AT + timedelta(days=1))
    await database.dispose()


async def _statuses(url: str) -> dict[str, str]:
    database = Database(url)
    async with database.unit_of_work() as session:
        rows = (await session.execute(select(DueAction.idempotency_key, DueAction.status))).all()
    await database.dispose()
    return {key: status for key, status in rows}


def test_due_run_at_an_instant_touches_only_what_is_due(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cron.db'}"
    asyncio.run(_prepare(url))
    env = clean_env(TANDEM_DATABASE_URL=url)
    result = tandem("due", "run", "--at", "2027-03-01T10:00:00+01:00", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    # No handler knows this kind: it is parked (and audited) at once, not retried forever.
    # (The routines' missed fires are caught up and done too: only ours are counted here.)
    assert "0 to retry, 1 parked" in result.stdout
    statuses = asyncio.run(_statuses(url))
    assert {key: statuses[key] for key in ("due", "later")} == {
        "due": "parked",
        "later": "pending",
    }


def test_due_run_refuses_a_malformed_instant(tmp_path: Path) -> None:
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    result = tandem("due", "run", "--at", "tomorrow", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "--at: 'tomorrow' is not an ISO 8601 date-time" in result.stderr


async def _queue_announcement(url: str) -> str:
    from bot.domain.notifications import Announcement
    from dialogs.notify.notifier import Notifier, NotifierConfig
    from storage.models import Person, PlatformIdentity

    database = Database(url)
    await upgrade(database)
    async with database.unit_of_work() as session:
        person = Person(email="lea@acme.example", first_name="Léa", locale="fr", languages=["fr"])
        session.add(person)
        await session.flush()
        session.add(
            PlatformIdentity(
                person_id=person.id, platform="console", tenant_id="console", user_id=person.id
            )
        )
        notifier = Notifier(database, {}, NotifierConfig(quiet_hours=None), clock=fixed_clock())
        await notifier.notify(
            session,
            person.id,
            Announcement("Bienvenue à bord", "Welcome aboard"),
            key="welcome",
            at=AT,
        )
        person_id = person.id
    await database.dispose()
    return person_id


async def _console_texts(url: str, person_id: str) -> list[str]:
    from storage.models import ConsoleMessage

    database = Database(url)
    async with database.unit_of_work() as session:
        rows = (
            (
                await session.execute(
                    select(ConsoleMessage).where(ConsoleMessage.person_id == person_id)
                )
            )
            .scalars()
            .all()
        )
    await database.dispose()
    import json

    return [json.dumps(row.payload, ensure_ascii=False) for row in rows]


def test_due_run_delivers_notifications_through_the_configured_channels(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cron.db'}"
    person_id = asyncio.run(_queue_announcement(url))
    env = clean_env(TANDEM_DATABASE_URL=url, TANDEM_CONSOLE="1")
    result = tandem("due", "run", "--at", "2027-03-01T09:00:00+00:00", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert " done, 0 to retry, 0 parked" in result.stdout  # with the routines' catch-up
    texts = asyncio.run(_console_texts(url, person_id))
    assert len(texts) == 1 and "Bienvenue à bord" in texts[0]
