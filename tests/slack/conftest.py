"""A Tandem server with the Slack channel mounted, on loopback, talking to the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from dialogs.core.conversation import Conversation, ConversationConfig
from handlers.slack.app import SLACK_APP_KEY, SlackRuntime, mount
from handlers.slack.channel import SlackChannel
from handlers.slack.config import SlackConfig
from storage.db import Database
from storage.due_runner import DueHandlers
from tests.fakes.fixtures import fake_slack
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import SignedRequest
from tests.support.clock import fixed_clock
from tests.support.waiting import within

__all__ = ["fake_slack"]
SECRET = "tandem-test-signing-secret"
TEAM = "T0TANDEM1"


@dataclass
class SlackServer:
    url: str
    http: aiohttp.ClientSession
    runtime: SlackRuntime
    channel: SlackChannel
    slack: FakeSlack
    due_handlers: DueHandlers

    async def post(self, request: SignedRequest, **headers: str) -> aiohttp.ClientResponse:
        response = await self.http.post(
            self.url + "/slack/events", data=request.body, headers={**request.headers, **headers}
        )
        await response.read()
        return response

    async def settle(self) -> None:
        await within(self.runtime.inbox.drain(), "the Slack inbox to finish its work in flight")


async def start_server(
    database: Database, slack: FakeSlack, **config: Any
) -> AsyncIterator[SlackServer]:
    app = web.Application()
    teams = config.pop("team_ids", (TEAM,))  # one allow-list for both, as bot/server.py does
    admins = tuple(config.pop("admins", ()))
    conversation = Conversation(
        database,
        ConversationConfig(default_locale="fr", slack_team_ids=teams, admins=admins),
        clock=fixed_clock(),
    )
    settings = SlackConfig(
        **{
            "signing_secret": SECRET,
            "bot_token": slack.bot_token,
            "api_url": slack.base_url,
            "team_ids": teams,
            **config,
        }
    )
    handlers = DueHandlers()
    channel = mount(app, conversation, database, settings, handlers)
    runner = web.AppRunner(app, handle_signals=False)
    # Start-up opens the Socket Mode connection when there is an app token, and slack_sdk
    # retries that for ever if the fake Slack refuses it.
    await within(runner.setup(), "the Slack app to start (and open Socket Mode, if on)")
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as http:
        yield SlackServer(
            f"http://127.0.0.1:{port}", http, app[SLACK_APP_KEY], channel, slack, handlers
        )
    await runner.cleanup()


@pytest.fixture
async def server(database: Database, fake_slack: FakeSlack) -> AsyncIterator[SlackServer]:
    async for running in start_server(database, fake_slack):
        yield running
