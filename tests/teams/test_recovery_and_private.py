"""Recovery of activities a dead process left, continuing privately from a team channel,
and an introduction across Teams and Slack through the notifier."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.domain.notifications import Introduction
from dialogs.notify.notifier import Notifier, NotifierConfig
from handlers.teams.translate import inbound_of
from storage.due_runner import DueRunner
from storage.models import DueAction, InboundEvent, Person, PlatformIdentity
from storage.queue import DueQueue
from storage.types import utcnow
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.support.channels import RecordingChannel
from tests.support.clock import fixed_clock
from tests.teams.cards import bearer, card_of, texts
from tests.teams.conftest import APP_ID, TENANT, RunningBot, activity
from tests.teams.test_conversation import alice, install


async def recorded_by_a_dead_process(bot: RunningBot, body: dict[str, Any]) -> int:
    """What the endpoint does before its ack, and then nothing: the process died."""
    inbound = inbound_of(body, bot_id=f"28:{APP_ID}")
    assert inbound is not None
    record_id = await bot.endpoint.record(body, inbound, recoverable=True)
    assert record_id is not None
    return record_id


async def drain(bot: RunningBot, after: timedelta) -> int:
    # Recovery waits on the wall clock (a timeout, not business time), like the record itself.
    queue = DueQueue(bot.core.database)
    return (await DueRunner(queue, bot.handlers, clock=fixed_clock()).drain(utcnow() + after)).done


async def test_a_message_left_by_a_dead_process_is_answered_by_another(
    real_bot: RunningBot, fake_connector: FakeBotConnector
) -> None:
    body = activity(fake_connector.service_url, text="help", locale="en-US")
    record_id = await recorded_by_a_dead_process(real_bot, body)
    assert await drain(real_bot, timedelta(seconds=30)) == 0  # not yet: it may still be working
    assert await drain(real_bot, timedelta(minutes=3)) == 1
    [reply] = fake_connector.sent_to("a:alice-1on1")
    assert texts(card_of(reply)).startswith("What I can do")
    async with real_bot.core.database.unit_of_work() as session:
        record = await session.get(InboundEvent, record_id)
        assert record is not None and record.processed_at is not None
    assert await drain(real_bot, timedelta(minutes=10)) == 0
    assert len(fake_connector.sent_to("a:alice-1on1")) == 1
    assert fake_connector.violations == []


async def test_an_install_left_by_a_dead_process_still_welcomes_and_stores_the_reference(
    real_bot: RunningBot, fake_connector: FakeBotConnector
) -> None:
    body = activity(fake_connector.service_url, type="installationUpdate", action="add")
    await recorded_by_a_dead_process(real_bot, body)
    assert await drain(real_bot, timedelta(minutes=3)) == 1
    [welcome] = fake_connector.sent_to("a:alice-1on1")
    assert texts(card_of(welcome)).startswith("Bonjour Alice !")
    _, identity = await alice(real_bot)
    assert identity.conversation_ref is not None
    assert fake_connector.violations == []


async def test_a_processed_activity_is_not_processed_again(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    body = activity(fake_connector.service_url, text="help")
    status, _ = await real_bot.post(body, headers=bearer(openid_issuer, fake_connector))
    assert status == 200
    async with real_bot.core.database.unit_of_work() as session:
        [event] = (await session.execute(select(InboundEvent))).scalars().all()
        recovery = (
            await session.execute(
                select(DueAction).where(DueAction.idempotency_key == f"teams.recover:{event.id}")
            )
        ).scalar_one()
        assert (event.status, recovery.status, recovery.last_error) == (
            "processed",
            "done",
            "cancelled",
        )
    # Processed, but its recovery still pending (the processing replica died before
    # cancelling it): the handler finds the record closed and does nothing.
    second = activity(fake_connector.service_url, text="help")
    record_id = await recorded_by_a_dead_process(real_bot, second)
    async with real_bot.core.database.unit_of_work() as session:
        record = await session.get(InboundEvent, record_id)
        assert record is not None
        record.processed_at = utcnow()
    assert await drain(real_bot, timedelta(minutes=3)) == 1
    assert len(fake_connector.sent_to("a:alice-1on1")) == 1


def in_channel(service_url: str, text: str) -> dict[str, Any]:
    return activity(
        service_url,
        text=f"<at>Tandem</at> {text}",
        conversation={
            "id": "19:general@thread.tacv2;messageid=1",
            "conversationType": "channel",
            "tenantId": TENANT,
        },
        channelData={"tenant": {"id": TENANT}, "team": {"id": "19:team@thread.tacv2"}},
    )


async def test_private_answers_to_a_channel_continue_in_the_persons_chat(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    body = in_channel(fake_connector.service_url, "help")
    status, _ = await real_bot.post(body, headers=bearer(openid_issuer, fake_connector))
    assert status == 200
    [created] = [c for c in fake_connector.calls if c.operation == "create_conversation"]
    assert created.body["members"][0]["id"] == "29:alice"
    assert created.body["channelData"]["tenant"]["id"] == TENANT
    assert created.body["isGroup"] is False
    [chat_id] = fake_connector.conversations
    [answer] = fake_connector.sent_to(chat_id)
    assert texts(card_of(answer)).startswith("Ce que je sais faire")
    assert fake_connector.sent_to(body["conversation"]["id"]) == []  # nothing in the channel
    _, identity = await alice(real_bot)
    assert identity.conversation_ref is not None
    assert identity.conversation_ref["conversation"]["id"] == chat_id

    # The next one reuses the stored chat: no second conversation is created.
    again = in_channel(fake_connector.service_url, "help")
    await real_bot.post(again, headers=bearer(openid_issuer, fake_connector))
    assert len(fake_connector.sent_to(chat_id)) == 2
    assert [c.operation for c in fake_connector.calls].count("create_conversation") == 1
    assert fake_connector.violations == []


async def test_an_introduction_across_teams_and_slack_reaches_both(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    await install(real_bot, openid_issuer, fake_connector)
    teams_person, _ = await alice(real_bot)
    async with real_bot.core.database.unit_of_work() as session:
        marc = Person(email="marc@acme.example", first_name="Marc", last_name="Dupont",
                      timezone="Europe/Paris", languages=["fr"])  # fmt: skip
        session.add(marc)
        await session.flush()
        session.add(PlatformIdentity(person_id=marc.id, platform="slack", tenant_id="T1",
                                     user_id="U1"))  # fmt: skip
        marc_id = marc.id
    slack = RecordingChannel("slack")
    assert real_bot.channel is not None
    notifier = Notifier(
        real_bot.core.database,
        {"teams": real_bot.channel, "slack": slack},
        NotifierConfig(),
        clock=fixed_clock(),
    )
    notifier.register(real_bot.handlers)
    async with real_bot.core.database.unit_of_work() as session:
        pair = (teams_person.id, marc_id)
        await notifier.introduce(session, pair, Introduction(pair, "Mentorat"), key="intro-1")
    assert await drain(real_bot, timedelta(0)) == 1
    assert [ids for ids, _ in slack.introduced] == [[marc_id]]
    assert slack.sent == []  # an introduction does not send one by one
    card = card_of(fake_connector.sent_to("a:alice-1on1")[-1])
    assert "Marc Dupont" in texts(card)
    [link] = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert link["type"] == "Action.OpenUrl"
    assert link["url"] == "https://teams.microsoft.com/l/chat/0/0?users=marc@acme.example"
    assert fake_connector.violations == []
