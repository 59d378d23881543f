"""Proactive delivery: retries on throttling, Unreachable when Teams says the person is gone,
and the loopback rule for unauthenticated bots."""

from __future__ import annotations

import pytest

from dialogs.notify.delivery import Recipient, Unreachable
from handlers.teams.channel import chat_link
from handlers.teams.config import TeamsConfig
from handlers.teams.retry import retry_after_seconds
from storage.db import Database
from storage.models import Person, PlatformIdentity
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.teams.conftest import TENANT, RunningBot, activity, authenticated_config, say, start_bot


def recipient(
    connector: FakeBotConnector, user: str = "aad-alice", email: str | None = None
) -> Recipient:
    reference = {
        "user": {"id": "29:alice", "aadObjectId": user},
        "bot": {"id": "28:bot"},
        "conversation": {"id": f"a:{user}", "conversationType": "personal"},
        "channelId": "msteams",
        "serviceUrl": connector.service_url,
    }
    return Recipient(
        "p1", "teams", TENANT, user, "fr", "Europe/Paris", email=email, conversation_ref=reference
    )


async def test_throttled_and_failing_sends_are_retried_honouring_retry_after(
    teams_bot: RunningBot, fake_connector: FakeBotConnector
) -> None:
    assert teams_bot.channel is not None
    fake_connector.fail_next(429, retry_after=1)
    fake_connector.fail_next(503)
    ref = await teams_bot.channel.send(recipient(fake_connector), say("Bonjour"))
    assert [c.status for c in fake_connector.calls] == [429, 503, 201]
    assert fake_connector.sent_to("a:aad-alice")[0]["id"] == ref.message_id
    assert fake_connector.violations == []


@pytest.mark.parametrize("status", [403, 404])
async def test_a_person_teams_says_is_gone_is_unreachable(
    teams_bot: RunningBot, fake_connector: FakeBotConnector, status: int
) -> None:
    assert teams_bot.channel is not None
    fake_connector.fail_next(status)
    with pytest.raises(Unreachable):
        await teams_bot.channel.send(recipient(fake_connector), say("Bonjour"))


async def test_no_stored_reference_is_unreachable(teams_bot: RunningBot) -> None:
    assert teams_bot.channel is not None
    bare = Recipient("p1", "teams", TENANT, "aad-x", "fr", "Europe/Paris")
    with pytest.raises(Unreachable):
        await teams_bot.channel.send(bare, say("Bonjour"))


async def test_introduce_sends_each_a_card_with_a_chat_link(
    teams_bot: RunningBot, fake_connector: FakeBotConnector
) -> None:
    assert teams_bot.channel is not None
    pair = [
        recipient(fake_connector, "aad-alice", "alice@acme.example"),
        recipient(fake_connector, "aad-bob", "bob@acme.example"),
    ]
    refs = await teams_bot.channel.introduce(pair, say("Voici votre binôme"))
    assert len(refs) == 2
    alice_card = fake_connector.sent_to("a:aad-alice")[0]["attachments"][0]["content"]
    [link] = alice_card["body"][-1]["actions"]
    assert link["url"] == "https://teams.microsoft.com/l/chat/0/0?users=bob@acme.example"
    bob_card = fake_connector.sent_to("a:aad-bob")[0]["attachments"][0]["content"]
    assert bob_card["body"][-1]["actions"][0]["url"].endswith("users=alice@acme.example")
    assert fake_connector.violations == []


async def test_introduce_without_sign_in_names_sends_no_broken_link(
    teams_bot: RunningBot, fake_connector: FakeBotConnector
) -> None:
    # Teams' chat links take sign-in names only: an AAD object id would open nothing.
    assert teams_bot.channel is not None
    pair = [recipient(fake_connector, "aad-alice"), recipient(fake_connector, "aad-bob")]
    await teams_bot.channel.introduce(pair, say("Voici votre binôme"))
    alice_card = fake_connector.sent_to("a:aad-alice")[0]["attachments"][0]["content"]
    assert all(element["type"] != "ActionSet" for element in alice_card["body"])
    assert chat_link([]) is None
    assert chat_link(["a@x.com", "b@y.com"]) == (
        "https://teams.microsoft.com/l/chat/0/0?users=a@x.com,b@y.com"
    )


def test_retry_after_header_forms() -> None:
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


async def test_without_app_id_loopback_answers_unauthenticated(database: Database) -> None:
    async with FakeBotConnector() as connector:
        runner, bot = await start_bot(database, TeamsConfig(listen_host="127.0.0.1"))
        try:
            status, _ = await bot.post(activity(connector.service_url, text="help"))
            assert status == 200
            [reply] = connector.sent_to("a:alice-1on1")
            assert reply["attachments"][0]["content"]["body"][0]["text"].startswith("Voici")
            assert connector.calls[0].authorization is None
            assert connector.violations == []
        finally:
            await bot.http.close()
            await runner.cleanup()


async def test_without_app_id_on_a_public_address_teams_is_off(database: Database) -> None:
    config = TeamsConfig(listen_host="0.0.0.0")
    assert not config.enabled
    runner, bot = await start_bot(database, config)
    try:
        status, _ = await bot.post(activity("https://smba.trafficmanager.net/emea/"))
        assert status == 503 and bot.channel is None and bot.core.seen == []
    finally:
        await bot.http.close()
        await runner.cleanup()


async def test_connector_clients_are_reused_across_activities(
    teams_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    for _ in range(3):
        token = openid_issuer.authorization(
            app_id=authenticated_config(openid_issuer).app_id,
            service_url=fake_connector.service_url,
        )
        await teams_bot.post(
            activity(fake_connector.service_url, text="help"), headers={"Authorization": token}
        )
    assert len(fake_connector.sent_to("a:alice-1on1")) == 3
    cache = teams_bot.endpoint.adapter.bot_framework_authentication.cache
    assert cache.built == 1


async def test_an_old_card_is_updated_through_the_stored_reference_after_a_restart(
    teams_bot: RunningBot, fake_connector: FakeBotConnector, database: Database
) -> None:
    """A proposal card sent days ago (another replica, or before a restart) is closed
    through the connector its conversation's stored reference names."""
    assert teams_bot.channel is not None
    alice = recipient(fake_connector)
    ref = await teams_bot.channel.send(alice, say("Accept or decline?"))
    async with database.unit_of_work() as session:
        person = Person(first_name="Alice")
        session.add(person)
        await session.flush()
        session.add(PlatformIdentity(person_id=person.id, platform="teams", tenant_id=TENANT,
                                     user_id="aad-alice", conversation_ref=alice.conversation_ref))  # fmt: skip
    teams_bot.channel.service_urls.clear()  # what a fresh process knows: nothing
    await teams_bot.channel.update(ref, say("Answered"))
    [updated] = [c for c in fake_connector.calls if c.operation == "update"]
    assert updated.conversation_id == "a:aad-alice" and updated.activity_id == ref.message_id
    assert "Answered" in str(updated.body) and fake_connector.violations == []
