"""A message to the program team is never silently dropped (issue 10, item 4).

Over the real path: signed Slack requests to the server's endpoint, in a workspace with
no allow-list, with the deployment's admin named in TANDEM_ADMINS by Slack user id (as
the README suggests when emails cannot be trusted). The due actions run as ``tandem serve``
wires them, and /metrics is read from the real server application.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.domain.clock import ManualClock
from bot.domain.participation import Contact
from bot.server import Runtime, create_app
from bot.settings import Settings
from dialogs.core.feature import DueContext
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.participation.feature import PARTICIPATION
from dialogs.participation.jobs import contact
from storage.db import Database
from storage.due_runner import DueRunner, Wait
from storage.people.admins import WAITING_FOR_AN_ADMIN
from storage.queue import DueQueue
from tests.enrollment.test_enrollment_over_http import submission
from tests.fakes.fixtures import fake_slack
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import event_request, interactivity_request, slash_command_request
from tests.slack.conftest import SECRET, SlackServer, start_server
from tests.support.clock import T0, fixed_clock

__all__ = ["fake_slack"]
ADMIN, LEO = "U0BOSS001", "U0LEO0001"
ADMINS = (ADMIN,)
WORDS = "Bonjour, mon mentor ne répond plus depuis trois semaines."
WAITING = "Votre message attend l’équipe du programme"
PEOPLE = (
    FakeUser(ADMIN, "rose", "rose@acme.example", "Europe/Paris", "fr-FR", "Rose Hache"),
    FakeUser(LEO, "leo", "leo@acme.example", "Europe/Paris", "fr-FR", "Léo Dupont"),
)


def meet(slack: FakeSlack) -> None:
    for person in PEOPLE:
        slack.add_user(person)


async def write_to_the_team(server: SlackServer, user: str) -> str:
    """``/tandem contact``, then the modal submitted as Slack sends it: what the person reads."""
    slack = server.slack
    before = set(slack.views)
    opened = await server.post(slash_command_request(SECRET, text="contact", user_id=user))
    assert opened.status == 200
    await server.settle()
    [view] = [v for k, v in slack.views.items() if k not in before and v["type"] == "modal"]
    [block_id] = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    signed = interactivity_request(SECRET, submission(user, view, {block_id: WORDS}))
    response = await server.http.post(
        server.url + "/slack/events", data=signed.body, headers=signed.headers
    )
    assert response.status == 200, await response.text()
    answer = await response.text()
    await server.settle()
    return answer


async def say(server: SlackServer, user: str, text: str) -> None:
    dm = {"type": "message", "channel_type": "im", "user": user, "channel": f"D{user}"}
    assert (await server.post(event_request(SECRET, {**dm, "text": text}))).status == 200
    await server.settle()


async def run_queue(server: SlackServer, database: Database, at: datetime) -> None:
    """The due actions, with the handlers ``tandem serve`` registers for them."""
    if "participation.contact" not in server.due_handlers:
        notifier = Notifier(
            database,
            {"slack": server.channel},
            NotifierConfig(admins=ADMINS, quiet_hours=None),
            clock=fixed_clock(),
        )
        notifier.register(server.due_handlers)
        PARTICIPATION.register(server.due_handlers, database, notifier)
    runner = DueRunner(DueQueue(database), server.due_handlers, clock=fixed_clock())
    for _ in range(5):
        report = await runner.drain(at)
        assert report.parked == 0, "a message to the team failed instead of waiting"
        if not report.done:
            return


def dms_to(slack: FakeSlack, user: str) -> list[str]:
    """What the app posted in its DM with ``user`` (the fake names it D + the id's tail)."""
    return [
        json.dumps(call.args, ensure_ascii=False)
        for call in slack.calls_to("chat.postMessage")
        if str(call.args.get("channel")) in (user, "D" + user[1:])
    ]


async def waiting_gauge(database_url: str) -> float:
    """``tandem_messages_waiting_for_an_admin`` as the real server's /metrics shows it."""
    settings = Settings(database_url=database_url)
    runtime = Runtime(
        settings=settings,
        database=Database(settings.database_url),
        mode="serve",
        clock=ManualClock(datetime(2026, 12, 1, tzinfo=UTC)),
    )
    client = TestClient(TestServer(create_app(runtime, clock=False)))
    await client.start_server()
    try:
        body = await (await client.get("/metrics")).text()
    finally:
        await client.close()
    gauge = "tandem_messages_waiting_for_an_admin "
    [line] = [row for row in body.splitlines() if row.startswith(gauge)]
    return float(line.split()[1])


async def test_an_admin_named_by_slack_id_reads_messages_to_the_team(
    database: Database, fake_slack: FakeSlack
) -> None:
    meet(fake_slack)
    async with asyncio.timeout(90):
        async for server in start_server(database, fake_slack, team_ids=(), admins=ADMINS):
            await say(server, ADMIN, "aide")  # the admin has talked to Tandem once
            answer = await write_to_the_team(server, LEO)
            assert WAITING not in answer
            await run_queue(server, database, T0 + timedelta(minutes=1))
            assert any(WORDS in dm for dm in dms_to(fake_slack, ADMIN))


async def test_with_nobody_to_read_it_the_message_waits_for_the_first_admin(
    database_url: str, database: Database, fake_slack: FakeSlack
) -> None:
    meet(fake_slack)
    async with asyncio.timeout(90):
        async for server in start_server(database, fake_slack, team_ids=(), admins=ADMINS):
            answer = await write_to_the_team(server, LEO)
            # The sender is told, in their language, at once.
            seen = answer + " ".join(dms_to(fake_slack, LEO))
            assert WAITING in seen, seen
            await run_queue(server, database, T0 + timedelta(minutes=1))
            assert await waiting_gauge(database_url) == 1
            assert not any(WORDS in dm for dm in dms_to(fake_slack, ADMIN))

            await say(server, ADMIN, "aide")  # the admin's first interaction
            await run_queue(server, database, T0 + timedelta(minutes=2))
            assert any(WORDS in dm for dm in dms_to(fake_slack, ADMIN))
            assert await waiting_gauge(database_url) == 0


async def test_the_contact_handler_alone_waits_when_nobody_can_read(database: Database) -> None:
    """A due-action handler is a named function: called here without a queue or a server."""
    notifier = Notifier(database, {}, NotifierConfig(admins=ADMINS), clock=fixed_clock())
    due = DueContext(database, notifier, key="participation.contact:alone", due_at=T0)
    with pytest.raises(Wait) as waited:
        await contact(due, Contact(person_id="nobody-yet", text=WORDS))
    assert waited.value.reason == WAITING_FOR_AN_ADMIN
