"""Socket Mode: the fake Slack's ``apps.connections.open`` and WebSocket, real envelopes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import pytest

from dialogs.core.i18n import Translator
from storage.db import Database
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import event_callback, slash_command_request
from tests.slack.conftest import SECRET, SlackServer, start_server

ALICE, BOB = "U0ALICE01", "U0BOB0002"


@pytest.fixture
async def socket_server(database: Database, fake_slack: FakeSlack) -> AsyncIterator[SlackServer]:
    async for running in start_server(database, fake_slack, app_token=fake_slack.app_token):
        yield running


async def test_slash_command_and_app_home_over_the_socket(socket_server: SlackServer) -> None:
    slack = socket_server.slack
    await slack.socket.wait_connected()
    assert len(slack.calls_to("apps.connections.open")) == 1
    request = slash_command_request(SECRET, text="help", user_id=ALICE)
    command = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    ack = await slack.socket.request("slash_commands", command)
    assert ack["envelope_id"] == slack.socket.sent[-1]["envelope_id"]
    home = {"type": "app_home_opened", "user": BOB, "channel": "D0BOB0002", "tab": "home"}
    event_ack = await slack.socket.request("events_api", event_callback(home))
    assert event_ack["envelope_id"] == slack.socket.sent[-1]["envelope_id"]
    await socket_server.settle()
    [answer] = slack.calls_to("chat.postMessage")
    assert answer.args["text"] == Translator("fr")("What I can do")
    assert [c.args["user_id"] for c in slack.calls_to("views.publish")] == [BOB]
    assert slack.violations == []
