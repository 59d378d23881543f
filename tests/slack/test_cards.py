"""Cards answered by their buttons: disabled once answered, late clicks change nothing."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from dialogs.core.i18n import Translator
from storage.db import Database
from storage.models import Person, PlatformIdentity
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.fakes.slack_signing import interactivity_request, new_trigger_id, slash_command_request
from tests.slack.conftest import SECRET, TEAM, SlackServer

ALICE = "U0ALICE01"


def blocks_of(call: SlackCall) -> list[dict[str, Any]]:
    raw = call.args["blocks"]
    result: list[dict[str, Any]] = json.loads(raw) if isinstance(raw, str) else raw
    return result


def click_on(slack: FakeSlack, user: str, posted: SlackCall, label: str) -> dict[str, Any]:
    """The ``block_actions`` payload Slack sends when ``user`` clicks ``label`` on a card the
    fake holds (with the message as the person's client shows it)."""
    assert posted.answer is not None
    channel, ts = str(posted.answer["channel"]), str(posted.answer["ts"])
    shown = slack.messages[(channel, ts)]
    button = next(
        element
        for block in shown["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["text"]["text"] == label
    )
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "tandem-test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel},
        "message": shown,
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b",
                "value": button.get("value", ""),
                "action_ts": f"{ts}{label}",
            }
        ],
    }


async def locale_of(database: Database, user: str) -> str:
    async with database.unit_of_work() as session:
        person = (
            await session.execute(
                select(Person)
                .join(PlatformIdentity, PlatformIdentity.person_id == Person.id)
                .where(PlatformIdentity.user_id == user)
            )
        ).scalar_one()
        return person.locale or ""


async def test_answered_card_is_disabled_and_a_late_click_changes_nothing(
    server: SlackServer, database: Database
) -> None:
    slack = server.slack
    await server.post(slash_command_request(SECRET, text="language", user_id=ALICE))
    await server.settle()
    [card] = slack.calls_to("chat.postMessage")
    assert card.args["text"] == Translator("fr")("Which language should I speak to you?")
    english = click_on(slack, ALICE, card, "English")
    french = click_on(slack, ALICE, card, "Français")  # the same card, clicked again later

    assert (await server.post(interactivity_request(SECRET, english))).status == 200
    await server.settle()
    [closed] = slack.calls_to("chat.update")
    assert card.answer is not None
    assert (closed.args["channel"], closed.args["ts"]) == (
        card.answer["channel"],
        card.answer["ts"],
    )
    blocks = blocks_of(closed)
    assert all(block["type"] != "actions" for block in blocks)
    assert blocks[-1]["type"] == "context" and blocks[-1]["elements"][0]["text"] == "Answered"
    assert slack.calls_to("chat.postMessage")[-1].args["text"] == (
        "From now on I will speak to you in English."
    )
    assert await locale_of(database, ALICE) == "en"

    assert (await server.post(interactivity_request(SECRET, french))).status == 200
    await server.settle()
    late = slack.calls_to("chat.postMessage")[-1]
    assert late.args["text"] == "This has already been answered: nothing was changed."
    assert await locale_of(database, ALICE) == "en"  # unchanged
    # Alice still reads English.
    await server.post(slash_command_request(SECRET, text="help", user_id=ALICE))
    await server.settle()
    assert slack.calls_to("chat.postMessage")[-1].args["text"] == "What I can do"
    assert slack.violations == []
