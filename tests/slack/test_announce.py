"""``admin announce``: the real core queues it, the real SlackChannel posts it to the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.announcements import ChannelTarget, parse_channel
from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.core.events import Actor, Inbound, Outcome
from dialogs.core.replies import JOIN_ACTION
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.programs.announce import ANNOUNCE
from handlers.slack.channel import SlackChannel
from handlers.slack.config import SlackConfig
from handlers.slack.render import decode_click
from handlers.slack.web_client import web_client
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import AuditEvent, DueAction, Program
from tests.fakes.slack_api import FakeSlack
from tests.support.clock import T0, fixed_clock

TEAM = "T0TANDEM1"
ADMIN, BOB = "U0ALICE01", "U0BOB0002"
GENERAL, ELSEWHERE = "C0GENERAL1", "C0NOTIN001"


class PartlyMemberSlack(FakeSlack):
    """The fake Slack, where the bot is not a member of ELSEWHERE (as Slack answers)."""

    def __init__(self) -> None:
        super().__init__()
        post = self._answers["chat.postMessage"]

        def answer(args: dict[str, Any]) -> Any:
            if args.get("channel") == ELSEWHERE:
                return {"ok": False, "error": "not_in_channel"}
            return post(args)

        self._answers["chat.postMessage"] = answer


@dataclass
class World:
    database: Database
    slack: FakeSlack
    conversation: Conversation
    runner: DueRunner

    async def say(self, user: str, text: str, locale: str = "fr-FR") -> Outcome:
        actor = Actor("slack", TEAM, user, locale_hint=locale, display_name=f"Person {user}")
        return await self.conversation.handle(Inbound(actor, "command", text=text))

    async def run_due(self) -> None:
        await self.runner.drain(T0 + timedelta(minutes=1))

    def channel_posts(self, channel: str) -> list[dict[str, Any]]:
        return [m for (c, _ts), m in self.slack.messages.items() if c == channel]


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    async with PartlyMemberSlack() as slack:
        client = web_client(SlackConfig("s", api_url=slack.base_url), slack.bot_token)

        async def client_for(team_id: str) -> Any:
            return client

        notifier = Notifier(database, {"slack": SlackChannel(client_for)},
                            NotifierConfig(default_locale="en", quiet_hours=None), clock=fixed_clock())  # fmt: skip
        handlers = DueHandlers()
        notifier.register(handlers)
        ANNOUNCE.register(handlers, database, notifier)
        config = ConversationConfig(default_locale="en", admins=(ADMIN,), slack_team_ids=(TEAM,))
        yield World(database, slack, Conversation(database, config, clock=fixed_clock()),
                    DueRunner(notifier.queue, handlers, clock=fixed_clock()))  # fmt: skip


async def add_program(database: Database, slug: str) -> None:
    async with database.unit_of_work() as session:
        session.add(Program(slug=slug, name=f"Tandem {slug}", timezone="Europe/Paris",
                            starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
                            status="open"))  # fmt: skip


def texts(message: dict[str, Any]) -> str:
    return repr(message.get("blocks")) + message.get("text", "")


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


async def test_the_announcement_reaches_the_channel_with_a_join_button_in_the_admins_language(
    world: World,
) -> None:
    await add_program(world.database, "rm-2027")
    answer = await world.say(ADMIN, f"admin announce <#{GENERAL}|general>")
    assert "#general" in answer.messages[0].summary
    assert world.channel_posts(GENERAL) == []  # queued with the command, posted when due
    await world.run_due()
    [post] = world.channel_posts(GENERAL)
    assert "Volontaires" in texts(post) and "Tandem rm-2027" in texts(post)
    [join] = buttons(post)
    clicked = decode_click(join["action_id"], join["value"])
    assert (clicked.action, clicked.value) == (JOIN_ACTION, "rm-2027")
    assert world.slack.violations == []
    async with world.database.unit_of_work() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "program.announced" in actions


async def test_a_channel_the_bot_is_not_in_gives_the_admin_a_clear_message(
    world: World,
) -> None:
    await add_program(world.database, "rm-2027")
    await world.say(ADMIN, f"admin announce {ELSEWHERE}", locale="en-US")
    await world.run_due()  # the post fails, the admin's notice is queued
    await world.run_due()  # the notice is delivered
    assert world.channel_posts(ELSEWHERE) == []
    [notice] = world.channel_posts("D" + ADMIN[1:])
    assert "not a member of this channel" in texts(notice)
    assert f"#{ELSEWHERE}" in texts(notice)
    assert world.slack.violations == []


async def test_several_open_programs_ask_which_one(world: World) -> None:
    await add_program(world.database, "rm-paris")
    await add_program(world.database, "rm-lyon")
    answer = await world.say(ADMIN, f"admin announce <#{GENERAL}|general>", locale="en-US")
    assert "Which one" in answer.messages[0].summary
    async with world.database.unit_of_work() as session:
        assert (await session.scalars(select(DueAction))).all() == []
    answer = await world.say(ADMIN, f"admin announce <#{GENERAL}|general> rm-lyon", "en-US")
    await world.run_due()
    [post] = world.channel_posts(GENERAL)
    [join] = buttons(post)
    assert decode_click(join["action_id"], join["value"]).value == "rm-lyon"


async def test_a_plain_channel_name_is_explained_and_nothing_is_queued(world: World) -> None:
    await add_program(world.database, "rm-2027")
    answer = await world.say(ADMIN, "admin announce #general", locale="en-US")
    assert "Which channel?" in answer.messages[0].summary
    async with world.database.unit_of_work() as session:
        assert (await session.scalars(select(DueAction))).all() == []


async def test_a_non_admin_is_refused_and_nothing_is_posted(world: World) -> None:
    await add_program(world.database, "rm-2027")
    answer = await world.say(BOB, f"admin announce <#{GENERAL}|general>", locale="en-US")
    assert "for program admins" in answer.messages[0].summary
    await world.run_due()
    assert world.channel_posts(GENERAL) == []
    async with world.database.unit_of_work() as session:
        assert (await session.scalars(select(DueAction))).all() == []
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "admin.refused" in actions and "program.announced" not in actions


def test_channels_are_named_per_platform() -> None:
    assert parse_channel("slack", "<#C0123ABCD|général>") == ChannelTarget("C0123ABCD", "#général")
    assert parse_channel("slack", "C0123ABCD") == ChannelTarget("C0123ABCD", "#C0123ABCD")
    assert parse_channel("slack", "#general") is None
    assert parse_channel("teams", "19:abc@thread.tacv2") is not None
    assert parse_channel("teams", "general") is None
    assert parse_channel("console", "general") == ChannelTarget("#general", "#general")
