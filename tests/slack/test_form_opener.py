"""A form whose trigger expired is offered as a button that opens that very form again.

Slack opens a modal only with a trigger at most three seconds old. When it expired, the
person gets a button instead; clicking it (a fresh trigger) must open the same form of the
same flow, whichever flow it is, not an "already answered" notice.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dialogs.core.i18n import Translator
from dialogs.core.ui import Form, NextForm
from storage.db import Database
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import interactivity_request, new_trigger_id, slash_command_request
from tests.slack.conftest import SECRET, TEAM, SlackServer, start_server
from tests.support.driver import SETTINGS, Driver, admin, someone
from tests.support.messages import words

ADMIN = "U0ALICE01"  # a user the fake Slack knows
STALE = "This has already been answered: nothing was changed."


@pytest.fixture
async def admin_server(database: Database, fake_slack: FakeSlack) -> AsyncIterator[SlackServer]:
    async for running in start_server(database, fake_slack, admins=(ADMIN,)):
        yield running


async def command_with_expired_trigger(server: SlackServer, text: str) -> dict[str, Any]:
    """Type ``text``; its trigger has expired: the one button of the message offered instead."""
    expired = new_trigger_id()
    server.slack.expired_trigger_ids.add(expired)
    request = slash_command_request(SECRET, text=text, user_id=ADMIN, trigger_id=expired)
    assert (await server.post(request)).status == 200
    await server.settle()
    [offer] = server.slack.calls_to("chat.postMessage")
    assert offer.answer is not None
    shown = server.slack.messages[(offer.answer["channel"], offer.answer["ts"])]
    [actions] = [block for block in shown["blocks"] if block["type"] == "actions"]
    [button] = actions["elements"]
    return {**button, "channel": offer.answer["channel"], "ts": offer.answer["ts"]}


async def click(server: SlackServer, button: dict[str, Any]) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": ADMIN, "team_id": TEAM},
        "trigger_id": new_trigger_id(),
        "container": {"type": "message", "message_ts": button["ts"]},
        "channel": {"id": button["channel"]},
        "message": {"ts": button["ts"]},
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b",
                "value": button.get("value", ""),
                "action_ts": "1700000000.5",
            }
        ],
    }
    assert (await server.post(interactivity_request(SECRET, payload))).status == 200
    await server.settle()


def opened_modals(slack: FakeSlack) -> list[dict[str, Any]]:
    opened = [c for c in slack.calls_to("views.open") if c.answer and c.answer.get("ok")]
    views = [call.args["view"] for call in opened]
    return [json.loads(view) if isinstance(view, str) else view for view in views]


async def test_the_button_of_a_new_program_form_opens_the_new_program_form(
    admin_server: SlackServer,
) -> None:
    t = Translator("fr")
    button = await command_with_expired_trigger(admin_server, "admin program new")
    assert button["text"]["text"] == t("New program")
    assert opened_modals(admin_server.slack) == []
    await click(admin_server, button)
    [modal] = opened_modals(admin_server.slack)
    assert modal["title"]["text"] == t("New program")
    assert modal["private_metadata"].startswith("program_new|")
    posted = [str(c.args["text"]) for c in admin_server.slack.calls_to("chat.postMessage")]
    assert t(STALE) not in posted
    assert admin_server.slack.violations == []


async def test_the_button_of_the_skills_form_opens_the_skills_form(
    admin_server: SlackServer,
) -> None:
    button = await command_with_expired_trigger(admin_server, "admin skills add")
    await click(admin_server, button)
    [modal] = opened_modals(admin_server.slack)
    assert modal["title"]["text"] == Translator("fr")("Add a skill")
    assert modal["private_metadata"].startswith("skill_add|")
    assert admin_server.slack.violations == []


async def test_a_form_answered_meanwhile_is_not_opened_again(database: Database) -> None:
    driver = Driver(database)
    opened = (await driver.say(admin(), "admin program new")).form
    assert isinstance(opened, Form)
    again = await driver.click(admin(), opened.opener)
    assert again.form == opened  # the same step of the same instance
    assert isinstance(await driver.submit(admin(), opened, SETTINGS), NextForm)
    late = await driver.click(admin(), opened.opener)
    assert late.form is None
    assert [words(m) for m in late.messages] == [Translator("fr")(STALE)]


async def test_a_non_admin_cannot_open_an_admin_form(database: Database) -> None:
    driver = Driver(database)
    opened = (await driver.say(admin(), "admin program new")).form
    assert isinstance(opened, Form)
    refused = await driver.click(someone(), opened.opener)
    assert refused.form is None and len(refused.messages) == 1
    assert Translator("fr")(STALE) not in words(refused.messages[0])
