"""Slack's rules on the notifier's path, over real HTTP to the fake Slack enforcing them:
about 1 message per second per channel (429 + Retry-After beyond), people who blocked the
bot reported once and not retried, and reminders that became pointless not sent late."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.clock import ManualClock
from bot.domain.notifications import Announcement
from dialogs.notify.notifier import Notifier, NotifierConfig
from handlers.slack.channel import SlackChannel
from handlers.slack.config import SlackConfig
from handlers.slack.web_client import web_client
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import DueAction, Person, PlatformIdentity
from tests.fakes.rate_limits import Bucket, SlackLimits
from tests.fakes.slack_api import FakeSlack
from tests.support.clock import T0

TEAM = "T0TANDEM1"
ALICE, BOB = "U0ALICE01", "U0BOB0002"


async def person(database: Database, email: str, slack_user: str) -> str:
    async with database.unit_of_work() as session:
        row = Person(
            email=email,
            first_name=email.split("@")[0].title(),
            last_name="Test",
            timezone="Europe/Paris",
            locale="en",
            languages=["en"],
        )
        session.add(row)
        await session.flush()
        session.add(
            PlatformIdentity(person_id=row.id, platform="slack", tenant_id=TEAM, user_id=slack_user)
        )
        return row.id


def slack_channel(fake: FakeSlack, **pacing: Any) -> SlackChannel:
    client = web_client(SlackConfig("s", api_url=fake.base_url), fake.bot_token)

    async def client_for(team_id: str) -> Any:
        return client

    return SlackChannel(client_for, **pacing)


class Delivering:
    """A notifier on the fake Slack and a runner draining its queue on one manual clock."""

    def __init__(self, database: Database, channel: SlackChannel, **config: Any) -> None:
        self.clock = ManualClock(T0)
        self.notifier = Notifier(
            database, {"slack": channel}, NotifierConfig(**config), clock=self.clock
        )
        handlers = DueHandlers()
        self.notifier.register(handlers)
        self.runner = DueRunner(self.notifier.queue, handlers, clock=self.clock)

    async def remind(self, person_id: str, text: str, **options: Any) -> None:
        async with self.notifier.database.unit_of_work() as session:
            await self.notifier.notify(
                session, person_id, Announcement(text, text), key=text, proactive=False, **options
            )


@pytest.fixture
async def limited_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(limits=SlackLimits()) as slack:
        yield slack


def texts(fake: FakeSlack) -> list[str]:
    return [
        str(call.args.get("text"))
        for call in fake.calls
        if call.method == "chat.postMessage" and call.status == 200
    ]


async def test_a_backlog_to_one_person_is_paced_under_slacks_limit(
    database: Database, limited_slack: FakeSlack
) -> None:
    """Five reminders fallen due together (after an outage) reach the person once each, in
    order, and Slack never has to say 429: the channel waits for the next free second."""
    alice = await person(database, "alice@acme.example", ALICE)
    delivering = Delivering(database, slack_channel(limited_slack))
    for n in range(5):
        await delivering.remind(alice, f"reminder {n}")
    report = await delivering.runner.drain(T0 + timedelta(minutes=5))
    assert report.done == 5
    assert texts(limited_slack) == [f"reminder {n}" for n in range(5)]
    assert limited_slack.limiter.refused == 0
    assert limited_slack.violations == []


async def test_slacks_429_is_honoured_and_the_message_still_arrives_once(
    database: Database, limited_slack: FakeSlack
) -> None:
    """Without client pacing (another replica took the slots), Slack answers 429 with
    Retry-After and slack_sdk's retry handler waits that long: each message arrives once."""
    alice = await person(database, "alice@acme.example", ALICE)
    # Stricter than Slack, so that a slow machine cannot stay under it by chance.
    limited_slack.limits = SlackLimits(per_channel=Bucket(per_second=0.5, burst=2))
    delivering = Delivering(database, slack_channel(limited_slack, conversation_rate=None))
    for n in range(5):
        await delivering.remind(alice, f"reminder {n}")
    report = await delivering.runner.drain(T0 + timedelta(minutes=5))
    assert report.done == 5
    assert texts(limited_slack) == [f"reminder {n}" for n in range(5)]
    assert limited_slack.limiter.refused >= 1  # the 3rd came faster than allowed


async def test_throttled_beyond_the_retries_the_due_action_tries_again_later(
    database: Database, fake_slack: FakeSlack
) -> None:
    alice = await person(database, "alice@acme.example", ALICE)
    delivering = Delivering(database, slack_channel(fake_slack))
    await delivering.remind(alice, "see you tomorrow")
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=3)
    first = await delivering.runner.drain(T0)
    assert (first.done, first.retried) == (0, 1)  # 1 try + 2 retries, then let go
    assert texts(fake_slack) == []
    async with database.sessions() as session:
        retry_at = (await session.execute(select(DueAction.due_at))).scalar_one()
    delivering.clock.set(retry_at)
    assert (await delivering.runner.drain(retry_at)).done == 1
    assert texts(fake_slack) == ["see you tomorrow"]


@pytest.mark.parametrize("error", ["cannot_dm_bot", "user_not_found", "account_inactive"])
async def test_a_person_who_blocked_the_bot_is_reported_once_and_not_retried(
    database: Database, fake_slack: FakeSlack, error: str
) -> None:
    alice = await person(database, "alice@acme.example", ALICE)
    await person(database, "rose@acme.example", BOB)  # the admin
    fake_slack.blocked[ALICE] = error
    delivering = Delivering(database, slack_channel(fake_slack), admins=("rose@acme.example",))
    await delivering.remind(alice, "your session starts in one hour")
    report = await delivering.runner.drain(T0)
    assert (report.done, report.retried) == (2, 0)  # the reminder, then the admin's report
    posted = [c for c in fake_slack.calls if c.method == "chat.postMessage"]
    assert [c.args["channel"] for c in posted] == ["D" + BOB[1:]]
    report_blocks = str(posted[0].args["blocks"]).replace("\\u200b", "")
    assert "Alice Test" in report_blocks and error in report_blocks  # who, and why
    async with database.sessions() as session:
        reachable = (
            await session.execute(
                select(PlatformIdentity.reachable).where(PlatformIdentity.user_id == ALICE)
            )
        ).scalar_one()
    assert reachable is False
    opened = len(fake_slack.calls_to("conversations.open"))
    await delivering.remind(alice, "your session starts now")
    await delivering.runner.drain(T0 + timedelta(minutes=1))
    assert len(fake_slack.calls_to("conversations.open")) == opened  # Slack not asked again


async def test_a_reminder_whose_session_has_begun_is_not_sent_late(
    database: Database, fake_slack: FakeSlack
) -> None:
    """Queued for 08:00, the processes down until 10:30: the 09:00 session's reminder is
    dropped, the 11:00 one's is delivered."""
    alice = await person(database, "alice@acme.example", ALICE)
    delivering = Delivering(database, slack_channel(fake_slack))
    await delivering.remind(alice, "9:00 session", at=T0, not_after=T0 + timedelta(hours=1))
    await delivering.remind(alice, "11:00 session", at=T0, not_after=T0 + timedelta(hours=3))
    late = T0 + timedelta(hours=2, minutes=30)
    delivering.clock.set(late)
    report = await delivering.runner.drain(late)
    assert report.done == 2  # both handled: one sent, one dropped, neither retried
    assert texts(fake_slack) == ["11:00 session"]
