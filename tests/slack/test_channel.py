"""Proactive delivery (``SlackChannel``): DMs, updates, introductions, unreachable people."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.core.content import Paragraph
from dialogs.core.ui import Message, MessageRef, Section
from dialogs.notify.delivery import Recipient, Unreachable
from handlers.slack.channel import SlackChannel
from handlers.slack.config import SlackConfig
from handlers.slack.web_client import web_client
from tests.fakes.slack_api import FakeSlack

TEAM = "T0TANDEM1"
ALICE, BOB = "U0ALICE01", "U0BOB0002"


def recipient(user_id: str) -> Recipient:
    return Recipient(f"p-{user_id}", "slack", TEAM, user_id, "en", "Europe/Paris")


def note(text: str) -> Message:
    return Message((Section((Paragraph.of(text),)),), summary=text)


@pytest.fixture
def channel(fake_slack: FakeSlack) -> SlackChannel:
    client = web_client(SlackConfig("s", api_url=fake_slack.base_url), fake_slack.bot_token)

    async def client_for(team_id: str) -> Any:
        return client

    return SlackChannel(client_for)


async def test_send_opens_the_dm_and_returns_where_the_message_lives(
    fake_slack: FakeSlack, channel: SlackChannel
) -> None:
    ref = await channel.send(recipient(ALICE), note("Your session is tomorrow"))
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.args["users"] == ALICE
    [posted] = fake_slack.calls_to("chat.postMessage")
    assert posted.args["channel"] == "D0ALICE01"
    assert ref == MessageRef("slack", "D0ALICE01", ref.message_id)
    assert ("D0ALICE01", ref.message_id) in fake_slack.messages
    assert fake_slack.violations == []


async def test_update_replaces_the_message(fake_slack: FakeSlack, channel: SlackChannel) -> None:
    ref = await channel.send(recipient(ALICE), note("Before"))
    await channel.update(ref, note("After"))
    [updated] = fake_slack.calls_to("chat.update")
    assert (updated.args["channel"], updated.args["ts"]) == (ref.conversation_id, ref.message_id)
    assert fake_slack.messages[(ref.conversation_id, ref.message_id)]["text"] == "After"
    assert fake_slack.violations == []


async def test_introduce_opens_one_group_dm_with_both(
    fake_slack: FakeSlack, channel: SlackChannel
) -> None:
    refs = await channel.introduce([recipient(ALICE), recipient(BOB)], note("Meet each other"))
    [opened] = fake_slack.calls_to("conversations.open")
    assert sorted(opened.args["users"].split(",")) == [ALICE, BOB]
    [posted] = fake_slack.calls_to("chat.postMessage")
    assert str(posted.args["channel"]).startswith("G")
    assert len(refs) == 1 and refs[0].conversation_id == posted.args["channel"]
    assert fake_slack.violations == []


class RefusingSlack(FakeSlack):
    """The fake Slack, refusing to post with one error code (as Slack does for such people)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self._answers["chat.postMessage"] = lambda args: {"ok": False, "error": error}


@pytest.mark.parametrize("error", ["account_inactive", "cannot_dm_bot", "not_in_channel"])
async def test_a_person_slack_refuses_to_reach_is_unreachable(error: str) -> None:
    async with RefusingSlack(error) as slack:
        client = web_client(SlackConfig("s", api_url=slack.base_url), slack.bot_token)

        async def client_for(team_id: str) -> Any:
            return client

        with pytest.raises(Unreachable) as raised:
            await SlackChannel(client_for).send(recipient(ALICE), note("Hello"))
        assert raised.value.reason == error
        assert slack.violations == []


async def test_an_unknown_user_is_unreachable(fake_slack: FakeSlack, channel: SlackChannel) -> None:
    with pytest.raises(Unreachable) as raised:
        await channel.send(recipient("U0NOBODY9"), note("Hello"))
    assert raised.value.reason == "user_not_found"
    with pytest.raises(Unreachable):
        await channel.introduce([recipient(ALICE), recipient("U0NOBODY9")], note("Meet"))
    assert fake_slack.calls_to("chat.postMessage") == []
    assert fake_slack.violations == []
