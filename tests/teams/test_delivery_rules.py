"""Teams' rules on the notifier's path, over real HTTP to the fake connector enforcing them:
7 per second and 60 per 30 s per conversation, 429/412/502/504 retried with backoff, and a
person who removed the app (403) reported once and not retried."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.clock import ManualClock
from bot.domain.notifications import Announcement
from dialogs.notify.notifier import Notifier, NotifierConfig
from handlers.teams.channel import TeamsChannel
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import DueAction, Person, PlatformIdentity
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.rate_limits import TeamsLimits, Window
from tests.support.clock import T0
from tests.teams.conftest import TENANT, RunningBot


async def person(database: Database, connector: FakeBotConnector, name: str) -> str:
    reference = {
        "user": {"id": f"29:{name}", "aadObjectId": f"aad-{name}"},
        "bot": {"id": "28:bot"},
        "conversation": {"id": f"a:{name}", "conversationType": "personal", "tenantId": TENANT},
        "channelId": "msteams",
        "serviceUrl": connector.service_url,
    }
    async with database.unit_of_work() as session:
        row = Person(
            email=f"{name}@acme.example",
            first_name=name.title(),
            last_name="Test",
            timezone="America/Toronto",
            locale="fr",
            languages=["fr"],
        )
        session.add(row)
        await session.flush()
        session.add(
            PlatformIdentity(
                person_id=row.id,
                platform="teams",
                tenant_id=TENANT,
                user_id=f"aad-{name}",
                conversation_ref=reference,
            )
        )
        return row.id


class Delivering:
    def __init__(self, database: Database, channel: TeamsChannel, **config: Any) -> None:
        self.clock = ManualClock(T0)
        self.notifier = Notifier(
            database, {"teams": channel}, NotifierConfig(**config), clock=self.clock
        )
        handlers = DueHandlers()
        self.notifier.register(handlers)
        self.runner = DueRunner(self.notifier.queue, handlers, clock=self.clock)

    async def remind(self, person_id: str, text: str) -> None:
        async with self.notifier.database.unit_of_work() as session:
            await self.notifier.notify(
                session, person_id, Announcement(text, text), key=text, proactive=False
            )


def sent_texts(connector: FakeBotConnector, conversation: str) -> list[str]:
    return [str(a.get("summary") or a.get("text")) for a in connector.sent_to(conversation)]


def channel_of(bot: RunningBot) -> TeamsChannel:
    assert bot.channel is not None
    return bot.channel


@pytest.mark.parametrize("paced", [True, False])
async def test_a_backlog_to_one_conversation_stays_within_teams_limits(
    database: Database, teams_bot: RunningBot, fake_connector: FakeBotConnector, paced: bool
) -> None:
    """Nine reminders due together: paced, Teams never throttles; unpaced (another replica
    took the slots), the 8th gets 429 and the retry policy waits: each arrives once."""
    fake_connector.limits = TeamsLimits()
    channel = channel_of(teams_bot)
    if not paced:
        channel.per_conversation = None
        # Stricter than Teams, so that a slow machine cannot stay under it by chance.
        fake_connector.limits = TeamsLimits(per_second=Window(3, 3.0))
    marc = await person(database, fake_connector, "marc")
    delivering = Delivering(database, channel)
    for n in range(9):
        await delivering.remind(marc, f"rappel {n}")
    report = await delivering.runner.drain(T0 + timedelta(minutes=5))
    assert report.done == 9
    assert sent_texts(fake_connector, "a:marc") == [f"rappel {n}" for n in range(9)]
    assert (fake_connector.limiter.refused == 0) is paced
    assert fake_connector.violations == []


async def test_412_502_and_504_are_retried_then_the_due_action_tries_later(
    database: Database, teams_bot: RunningBot, fake_connector: FakeBotConnector
) -> None:
    marc = await person(database, fake_connector, "marc")
    delivering = Delivering(database, channel_of(teams_bot))
    await delivering.remind(marc, "rappel")
    for status in (412, 502, 504, 502):  # four tries, four failures: the policy lets go
        fake_connector.fail_next(status)
    first = await delivering.runner.drain(T0)
    assert (first.done, first.retried) == (0, 1)
    assert [c.status for c in fake_connector.calls] == [412, 502, 504, 502]
    async with database.sessions() as session:
        retry_at = (await session.execute(select(DueAction.due_at))).scalar_one()
    delivering.clock.set(retry_at)
    assert (await delivering.runner.drain(retry_at)).done == 1
    assert sent_texts(fake_connector, "a:marc") == ["rappel"]


async def test_a_person_who_removed_the_app_is_reported_once_and_not_retried(
    database: Database, teams_bot: RunningBot, fake_connector: FakeBotConnector
) -> None:
    marc = await person(database, fake_connector, "marc")
    await person(database, fake_connector, "rose")  # the admin
    fake_connector.blocked.add("a:marc")
    delivering = Delivering(database, channel_of(teams_bot), admins=("rose@acme.example",))
    await delivering.remind(marc, "rappel")
    report = await delivering.runner.drain(T0)
    assert (report.done, report.retried) == (2, 0)
    assert sent_texts(fake_connector, "a:marc") == []
    (alert,) = fake_connector.sent_to("a:rose")
    assert "Marc Test" in str(alert) and "403" in str(alert)
    async with database.sessions() as session:
        reachable = (
            await session.execute(
                select(PlatformIdentity.reachable).where(PlatformIdentity.user_id == "aad-marc")
            )
        ).scalar_one()
    assert reachable is False
    calls = len(fake_connector.calls)
    await delivering.remind(marc, "rappel 2")
    await delivering.runner.drain(T0 + timedelta(minutes=1))
    assert [c.conversation_id for c in fake_connector.calls[calls:]] == []  # not tried again
