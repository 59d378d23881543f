"""Interactions recorded by a process that died before answering are finished by another."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from dialogs.core.i18n import Translator
from handlers.slack import translate
from storage.db import Database
from storage.due_runner import DueRunner
from storage.queue import DueQueue
from storage.types import utcnow
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import new_trigger_id, slash_command_request
from tests.slack.conftest import SECRET, TEAM, SlackServer, start_server
from tests.support.clock import fixed_clock

ALICE = "U0ALICE01"


def command_body(text: str) -> dict[str, Any]:
    request = slash_command_request(SECRET, text=text, user_id=ALICE)
    return dict(parse_qsl(request.body.decode(), keep_blank_values=True))


def profile_edit_click() -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": ALICE, "team_id": TEAM},
        "trigger_id": new_trigger_id(),
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "D0A"},
        "channel": {"id": "D0ALICE01"},
        "actions": [
            {
                "type": "button",
                "action_id": "tandem.0.profile:edit",
                "value": '{"r":"","v":""}',
                "action_ts": "1700000000.5",
            }
        ],
    }


async def crash_after_recording(server: SlackServer, body: dict[str, Any]) -> None:
    """What a process does before the ack, and nothing after: it died."""
    translated = translate.from_body(body)
    assert translated is not None
    assert await server.runtime.inbox.record(translated, body)


async def test_a_command_left_behind_is_answered_once_by_another_process(
    server: SlackServer, database: Database, fake_slack: FakeSlack
) -> None:
    await crash_after_recording(server, command_body("help"))
    assert fake_slack.calls_to("chat.postMessage") == []
    async for other in start_server(database, fake_slack):  # another replica
        runner = DueRunner(DueQueue(database), other.due_handlers, clock=fixed_clock())
        assert (await runner.drain(utcnow() + timedelta(seconds=30))).done == 0  # not yet
        assert (await runner.drain(utcnow() + timedelta(minutes=3))).done == 1
        assert (await runner.drain(utcnow() + timedelta(minutes=10))).done == 0
    [answer] = fake_slack.calls_to("chat.postMessage")
    assert answer.args["text"] == Translator("fr")("What I can do")
    assert fake_slack.violations == []


async def test_a_form_whose_trigger_expired_becomes_a_button(
    server: SlackServer, database: Database, fake_slack: FakeSlack
) -> None:
    await crash_after_recording(server, profile_edit_click())
    runner = DueRunner(DueQueue(database), server.due_handlers, clock=fixed_clock())
    assert (await runner.drain(utcnow() + timedelta(minutes=3))).done == 1
    assert fake_slack.calls_to("views.open") == []
    [offer] = fake_slack.calls_to("chat.postMessage")
    assert offer.answer is not None
    shown = fake_slack.messages[(offer.answer["channel"], offer.answer["ts"])]
    [actions] = [block for block in shown["blocks"] if block["type"] == "actions"]
    assert actions["elements"][0]["action_id"].endswith("profile:edit")
    assert fake_slack.violations == []


async def test_an_interaction_answered_in_time_is_not_answered_again(
    server: SlackServer, database: Database, fake_slack: FakeSlack
) -> None:
    await server.post(slash_command_request(SECRET, text="help", user_id=ALICE))
    await server.settle()
    runner = DueRunner(DueQueue(database), server.due_handlers, clock=fixed_clock())
    assert (await runner.drain(utcnow() + timedelta(minutes=3))).done == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.violations == []
