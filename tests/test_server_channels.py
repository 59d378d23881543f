"""The whole server as `serve` builds it: Slack and Teams side by side on one application,
talking to fake Slack and Bot Connector servers on loopback, and the notifier introducing
two people who use different platforms."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.domain.notifications import Introduction
from bot.server import RUNTIME, Runtime, create_app
from bot.settings import load_settings
from handlers.slack.app import SLACK_APP_KEY
from handlers.teams.app import TEAMS_ENDPOINT
from storage.db import Database
from storage.due_runner import DueRunner
from storage.models import Person, PlatformIdentity
from storage.queue import DueQueue
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import slash_command_request
from tests.support.clock import fixed_clock
from tests.support.waiting import within

SECRET = "server-test-signing-secret"
TENANT = "tenant-acme"


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeSlack, FakeBotConnector]]:
    async with FakeSlack() as slack, FakeBotConnector() as connector:
        yield slack, connector


async def start(database_url: str, slack: FakeSlack) -> tuple[web.AppRunner, str]:
    settings = load_settings(
        database_url=database_url,
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SECRET,
        slack_api_url=slack.base_url,
        slack_team_ids=[slack.team_id],
        teams_tenant_ids=[TENANT],
        quiet_hours_text="off",
    )
    runtime = Runtime(
        settings=settings, database=Database(database_url), mode="serve", clock=fixed_clock()
    )
    runner = web.AppRunner(create_app(runtime, clock=False))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_slack_and_teams_people_are_introduced_each_on_their_platform(
    database_url: str, fakes: tuple[FakeSlack, FakeBotConnector]
) -> None:
    slack, connector = fakes
    runner, url = await start(database_url, slack)
    runtime: Runtime = runner.app[RUNTIME]
    try:
        async with aiohttp.ClientSession() as http:
            # Alice talks to Tandem in Slack (fr-FR in the fake directory).
            signed = slash_command_request(SECRET, text="help", team_id=slack.team_id)
            async with http.post(
                f"{url}/slack/events", data=signed.body, headers=signed.headers
            ) as r:
                assert r.status == 200
            # Sam installs Tandem in Teams: his conversation reference is stored.
            installed = {
                "type": "conversationUpdate", "id": "f:1", "channelId": "msteams",
                "serviceUrl": connector.service_url, "locale": "en-US",
                "from": {"id": "29:sam", "name": "Sam Tan", "aadObjectId": "aad-sam"},
                "recipient": {"id": "28:tandem", "name": "Tandem"},
                "conversation": {"id": "a:sam-1on1", "conversationType": "personal", "tenantId": TENANT},
                "channelData": {"tenant": {"id": TENANT}},
                "membersAdded": [{"id": "28:tandem"}],
            }  # fmt: skip
            async with http.post(f"{url}/api/messages", json=installed) as r:
                assert r.status in (200, 201, 202)
        # Both answers are delivered after the ack: wait for the work in progress.
        slack_inbox = runner.app[SLACK_APP_KEY].inbox
        await within(slack_inbox.drain(), "the Slack inbox to deliver the help answer")
        await within(runner.app[TEAMS_ENDPOINT].idle(), "the Teams endpoint to store Sam's install")
        assert "Ce que je sais faire" in json.dumps(
            slack.calls_to("chat.postMessage")[0].args, ensure_ascii=False
        )

        database = runtime.database
        async with database.unit_of_work() as session:
            rows = (
                await session.execute(select(PlatformIdentity.platform, PlatformIdentity.person_id))
            ).all()
            ids = {platform: person_id for platform, person_id in rows}
            people = {p.id: p for p in (await session.execute(select(Person))).scalars()}
            teams_identity = (
                await session.execute(
                    select(PlatformIdentity).where(PlatformIdentity.platform == "teams")
                )
            ).scalar_one()
            assert teams_identity.conversation_ref is not None
            assert runtime.notifier is not None
            await runtime.notifier.introduce(
                session, [ids["slack"], ids["teams"]],
                Introduction((ids["slack"], ids["teams"]), "Mentorat inversé"), key="intro-1",
            )  # fmt: skip
        slack_posts_before = len(slack.calls_to("chat.postMessage"))
        activities_before = len(connector.activities)
        report = await DueRunner(DueQueue(database), runtime.handlers, clock=runtime.clock).drain(
            runtime.clock.now() + timedelta(seconds=5)
        )
        assert report.done == 1 and report.parked == 0

        # Alice, in Slack and in French, meets Sam by name.
        intro_for_alice = slack.calls_to("chat.postMessage")[slack_posts_before:]
        assert len(intro_for_alice) == 1
        text = json.dumps(intro_for_alice[0].args, ensure_ascii=False)
        assert (
            "Votre binôme de mentorat inversé" in text and people[ids["teams"]].display_name in text
        )
        # Sam, in Teams and in English, gets a card naming Alice, with a way to chat.
        intro_for_sam = connector.activities[activities_before:]
        assert len(intro_for_sam) == 1
        card = json.dumps(intro_for_sam[0], ensure_ascii=False)
        assert (
            "Your reverse-mentoring partner" in card and people[ids["slack"]].display_name in card
        )
        assert "teams.microsoft.com/l/chat" in card
        assert slack.violations == [] and connector.violations == []
    finally:
        await runner.cleanup()
