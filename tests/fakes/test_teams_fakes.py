"""The Teams fakes catch what they must, with botbuilder making real HTTP calls and checking
real tokens from the fake issuer."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import jwt
import pytest
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
)

from tests.fakes.adaptive_cards import ADAPTIVE_CARD, check_adaptive_card
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.fixtures import FAKE_OUTBOUND_TOKEN
from tests.fakes.openid_issuer import FakeOpenIdIssuer, StaticTokenCredentialsFactory
from tests.fakes.specs import specs_dir

APP_ID = "00000000-0000-0000-0000-00000000a11c"
TENANT = "72f988bf-0000-0000-0000-000000000001"
VALID_CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Bienvenue", "wrap": True}],
    "actions": [{"type": "Action.Execute", "title": "Rejoindre", "verb": "join", "data": {}}],
}


def adapter_for(issuer: FakeOpenIdIssuer) -> CloudAdapter:
    authentication = ConfigurationBotFrameworkAuthentication(
        issuer.botbuilder_configuration(APP_ID),
        credentials_factory=StaticTokenCredentialsFactory(APP_ID, FAKE_OUTBOUND_TOKEN),
    )
    return CloudAdapter(authentication)


def message(service_url: str, text: str = "help") -> Activity:
    return Activity(
        type="message",
        id="f:inbound-1",
        text=text,
        channel_id="msteams",
        service_url=service_url,
        from_property=ChannelAccount(id="29:alice", name="Alice", aad_object_id="aad-alice"),
        recipient=ChannelAccount(id=f"28:{APP_ID}", name="Tandem"),
        conversation=ConversationAccount(id="a:alice-1on1", conversation_type="personal"),
        channel_data={"tenant": {"id": TENANT}},
    )


def card(content: dict[str, Any]) -> Activity:
    return MessageFactory.attachment({"contentType": ADAPTIVE_CARD, "content": content})


async def test_valid_token_gets_the_reply_delivered(
    openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    async def bot(turn: TurnContext) -> None:
        await turn.send_activity(f"echo: {turn.activity.text}")
        await turn.send_activity(card(VALID_CARD))

    token = openid_issuer.authorization(app_id=APP_ID, service_url=fake_connector.service_url)
    await adapter_for(openid_issuer).process_activity(
        token, message(fake_connector.service_url), bot
    )
    replies = fake_connector.sent_to("a:alice-1on1")
    assert [r["operation"] for r in replies] == ["reply", "reply"]
    assert replies[0]["text"] == "echo: help" and replies[0]["replyToId"] == "f:inbound-1"
    assert replies[1]["attachments"][0]["content"] == VALID_CARD
    assert {c.authorization for c in fake_connector.calls} == {f"Bearer {FAKE_OUTBOUND_TOKEN}"}
    assert fake_connector.violations == []


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"audience": "another-bot"}, PermissionError),
        ({"service_url": "https://smba.trafficmanager.net/emea/"}, PermissionError),
        ({"issuer": "https://login.example.net/"}, PermissionError),
        ({"expires_in": -301}, jwt.ExpiredSignatureError),
    ],
    ids=["wrong-audience", "serviceurl-mismatch", "wrong-issuer", "expired"],
)
async def test_bad_tokens_are_rejected_and_nothing_is_sent(
    openid_issuer: FakeOpenIdIssuer,
    fake_connector: FakeBotConnector,
    override: dict[str, Any],
    error: type[Exception],
) -> None:
    async def bot(turn: TurnContext) -> None:
        await turn.send_activity("should never be sent")

    claims: dict[str, Any] = {"app_id": APP_ID, "service_url": fake_connector.service_url}
    token = openid_issuer.authorization(**{**claims, **override})
    with pytest.raises(error):
        await adapter_for(openid_issuer).process_activity(
            token, message(fake_connector.service_url), bot
        )
    assert fake_connector.calls == []


async def test_invalid_adaptive_card_is_a_violation(
    openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Input.Text"}]}

    async def bot(turn: TurnContext) -> None:
        await turn.send_activity(card(broken))

    token = openid_issuer.authorization(app_id=APP_ID, service_url=fake_connector.service_url)
    await adapter_for(openid_issuer).process_activity(
        token, message(fake_connector.service_url), bot
    )
    assert fake_connector.violations == [
        "attachments[0] fails the Adaptive Cards 1.5 schema at body/0: 'id' is a required property"
    ]


def test_official_sample_card_passes_and_newer_versions_do_not() -> None:
    sample_path = specs_dir() / "teams" / "adaptivecard-sample-InputForm-v1.5.json"
    sample = json.loads(sample_path.read_text(encoding="utf-8"))
    assert check_adaptive_card(sample) == []
    assert check_adaptive_card(VALID_CARD) == []
    assert check_adaptive_card({**VALID_CARD, "version": "1.6"}) == [
        "card: version 1.6 is newer than Teams' 1.5"
    ]


async def test_oversized_message_is_refused(fake_connector: FakeBotConnector) -> None:
    url = f"{fake_connector.service_url}v3/conversations/a:x/activities"
    activity = {"type": "message", "text": "x" * 41_000}
    headers = {"Authorization": f"Bearer {FAKE_OUTBOUND_TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=activity, headers=headers) as response,
    ):
        assert response.status == 413
    assert "over Teams' 40960" in fake_connector.violations[0]


async def test_throttling_answers_retry_after_then_recovers(
    fake_connector: FakeBotConnector,
) -> None:
    fake_connector.fail_next(429, retry_after=2)
    url = f"{fake_connector.service_url}v3/conversations/a:x/activities"
    headers = {"Authorization": f"Bearer {FAKE_OUTBOUND_TOKEN}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"type": "message"}, headers=headers) as first:
            assert (first.status, first.headers["Retry-After"]) == (429, "2")
        async with session.post(url, json={"type": "message"}, headers=headers) as second:
            assert second.status == 201


async def test_proactive_conversation_is_created_and_messaged(
    openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    received: list[str] = []

    async def greet(turn: TurnContext) -> None:
        received.append(turn.activity.conversation.id)
        await turn.send_activity("Votre binôme vous attend")

    parameters = ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id=f"28:{APP_ID}"),
        members=[ChannelAccount(id="29:bob")],
        tenant_id=TENANT,
        channel_data={"tenant": {"id": TENANT}},
    )
    await adapter_for(openid_issuer).create_conversation(
        APP_ID, greet, parameters, "msteams", fake_connector.service_url
    )
    [conversation_id] = fake_connector.conversations
    assert received == [conversation_id]
    assert fake_connector.sent_to(conversation_id)[0]["text"] == "Votre binôme vous attend"
    assert fake_connector.violations == []
