"""Over real HTTP on loopback: signed requests in, Web API calls out to the fake Slack."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import func, select

from dialogs.core.i18n import Translator
from storage.db import Database
from storage.models import InboundEvent, Person, PlatformIdentity
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import (
    event_request,
    interactivity_request,
    new_trigger_id,
    slash_command_request,
)
from tests.slack.conftest import SECRET, TEAM, SlackServer

ALICE, BOB = "U0ALICE01", "U0BOB0002"


def texts(slack: FakeSlack, method: str = "chat.postMessage") -> list[str]:
    return [str(call.args.get("text")) for call in slack.calls_to(method)]


def blocks_of(call: Any) -> list[dict[str, Any]]:
    raw = call.args["blocks"]
    result: list[dict[str, Any]] = json.loads(raw) if isinstance(raw, str) else raw
    return result


async def count_inbound(database: Database) -> int:
    async with database.unit_of_work() as session:
        return int((await session.execute(select(func.count(InboundEvent.id)))).scalar_one())


async def test_help_is_answered_in_each_persons_language(server: SlackServer) -> None:
    for user in (ALICE, BOB):
        response = await server.post(slash_command_request(SECRET, text="help", user_id=user))
        assert response.status == 200
    await server.settle()
    posted = server.slack.calls_to("chat.postMessage")
    assert len(posted) == 2
    by_channel = {str(call.args["channel"]): str(call.args["text"]) for call in posted}
    assert by_channel["D0ALICE01"] == Translator("fr")("What I can do")
    assert by_channel["D0BOB0002"] == "What I can do"
    assert Translator("fr")("What I can do") != "What I can do"
    assert server.slack.violations == []


async def test_help_in_a_channel_is_ephemeral(server: SlackServer) -> None:
    request = slash_command_request(SECRET, text="aide", user_id=BOB, channel_id="C0GENERAL")
    assert (await server.post(request)).status == 200
    await server.settle()
    ephemeral = server.slack.calls_to("chat.postEphemeral")
    assert [c.args["user"] for c in ephemeral] == [BOB]
    assert server.slack.calls_to("chat.postMessage") == []
    assert server.slack.violations == []


async def test_app_home_is_published(server: SlackServer) -> None:
    event = {"type": "app_home_opened", "user": BOB, "channel": "D0BOB0002", "tab": "home"}
    assert (await server.post(event_request(SECRET, event))).status == 200
    await server.settle()
    published = server.slack.calls_to("views.publish")
    assert [c.args["user_id"] for c in published] == [BOB]
    assert server.slack.views[f"VHOME{BOB}"]["type"] == "home"
    assert server.slack.violations == []


async def test_direct_message_and_mention_are_answered(server: SlackServer) -> None:
    dm = {"type": "message", "channel_type": "im", "user": BOB, "channel": "D0BOB0002"}
    await server.post(event_request(SECRET, {**dm, "text": "help"}))
    bot_echo = {**dm, "text": "help", "bot_id": "B0TANDBOT"}
    await server.post(event_request(SECRET, bot_echo))
    mention = {
        "type": "app_mention",
        "user": BOB,
        "channel": "C0GENERAL",
        "text": "<@U0TANDBOT> help",
    }
    await server.post(event_request(SECRET, mention))
    await server.settle()
    assert texts(server.slack) == ["What I can do"]
    assert [c.args["channel"] for c in server.slack.calls_to("chat.postEphemeral")] == ["C0GENERAL"]
    assert server.slack.violations == []


async def test_same_event_four_times_has_one_side_effect(
    server: SlackServer, database: Database
) -> None:
    event = {"type": "message", "channel_type": "im", "user": BOB, "channel": "D0BOB0002"}
    request = event_request(SECRET, {**event, "text": "help"}, event_id="Ev0RETRY1")
    first = await server.post(request)
    retries = await asyncio.gather(
        server.post(request, **{"X-Slack-Retry-Num": "1"}),
        server.post(request, **{"X-Slack-Retry-Num": "2"}),
    )
    last = await server.post(request, **{"X-Slack-Retry-Num": "3"})
    assert [r.status for r in (first, *retries, last)] == [200, 200, 200, 200]
    await server.settle()
    assert len(server.slack.calls_to("chat.postMessage")) == 1
    assert await count_inbound(database) == 1
    assert server.slack.violations == []


def click(user: str, channel: str, ts: str, button: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "tandem-test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel},
        "message": {"ts": ts},
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b",
                "value": button.get("value", ""),
                "action_ts": f"{ts}9",
            }
        ],
    }


async def test_forged_button_value_is_answered_politely(server: SlackServer) -> None:
    forged = click(
        BOB, "D0BOB0002", "1700000000.000100", {"action_id": "tandem.0.accept", "value": "{bad"}
    )
    assert (await server.post(interactivity_request(SECRET, forged))).status == 200
    await server.settle()
    assert len(server.slack.calls_to("chat.postMessage")) == 1
    assert server.slack.violations == []


async def count_rows(database: Database) -> dict[str, int]:
    counts = {}
    async with database.unit_of_work() as session:
        for model in (Person, PlatformIdentity, InboundEvent):
            query = select(func.count()).select_from(model)
            counts[model.__tablename__] = int((await session.execute(query)).scalar_one())
    return counts


async def test_a_team_outside_the_allow_list_is_refused_and_nothing_is_stored(
    server: SlackServer, database: Database
) -> None:
    outsider = "T0OUTSIDE"
    command = slash_command_request(SECRET, text="help", user_id=BOB, team_id=outsider)
    dm = {"type": "message", "channel_type": "im", "user": BOB, "channel": "D0BOB0002"}
    event = event_request(SECRET, {**dm, "text": "help"}, team_id=outsider)
    for request in (command, event):
        assert (await server.post(request)).status == 200
    await server.settle()
    refusal = Translator("en")(
        "Tandem is not available for this workspace. Please contact your HR team."
    )
    assert texts(server.slack) == [refusal, refusal]
    assert await count_rows(database) == {
        "persons": 0,
        "platform_identities": 0,
        "inbound_events": 0,
    }
    assert server.slack.violations == []
