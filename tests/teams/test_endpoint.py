"""``POST /api/messages`` over real HTTP on loopback, with real tokens from the fake issuer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from dialogs.notify.delivery import Recipient
from storage.models import InboundEvent, PlatformIdentity
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.teams.conftest import APP_ID, TENANT, RunningBot, activity


def bearer(issuer: FakeOpenIdIssuer, connector: FakeBotConnector, **claims: Any) -> dict[str, str]:
    token = issuer.authorization(app_id=APP_ID, service_url=connector.service_url, **claims)
    return {"Authorization": token}


def texts(sent: dict[str, Any]) -> list[str]:
    content = sent["attachments"][0]["content"]
    return [e["text"] for e in content["body"] if e["type"] == "TextBlock"]


@pytest.mark.parametrize(
    ("locale", "answer"),
    [("fr-FR", "Voici ce que je sais faire"), ("en-US", "Here is what I can do")],
)
async def test_help_is_answered_in_the_persons_language(
    teams_bot: RunningBot,
    openid_issuer: FakeOpenIdIssuer,
    fake_connector: FakeBotConnector,
    locale: str,
    answer: str,
) -> None:
    body = activity(
        fake_connector.service_url,
        text="<at>Tandem</at> help",
        locale=locale,
        entities=[{"type": "clientInfo", "locale": locale, "timezone": "Europe/Paris"}],
    )
    status, _ = await teams_bot.post(body, headers=bearer(openid_issuer, fake_connector))
    assert status == 200
    [reply] = fake_connector.sent_to("a:alice-1on1")
    assert texts(reply) == [answer] and reply["replyToId"] == body["id"]
    [inbound] = teams_bot.core.seen
    assert (inbound.text, inbound.actor.timezone, inbound.actor.tenant_id) == (
        "help",
        "Europe/Paris",
        TENANT,
    )
    assert fake_connector.violations == []


async def test_adding_the_bot_welcomes_and_stores_the_reference_for_proactive_messages(
    teams_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    body = activity(
        fake_connector.service_url,
        type="conversationUpdate",
        membersAdded=[{"id": f"28:{APP_ID}"}, {"id": "29:alice", "aadObjectId": "aad-alice"}],
    )
    status, _ = await teams_bot.post(body, headers=bearer(openid_issuer, fake_connector))
    assert status == 200
    [welcome] = fake_connector.sent_to("a:alice-1on1")
    assert texts(welcome) == ["Bienvenue"]
    async with teams_bot.core.database.unit_of_work() as session:
        identity = (await session.execute(select(PlatformIdentity))).scalar_one()
    reference = identity.conversation_ref
    assert reference is not None
    assert reference["serviceUrl"] == fake_connector.service_url
    assert reference["conversation"]["id"] == "a:alice-1on1"

    assert teams_bot.channel is not None
    recipient = Recipient(
        identity.person_id,
        "teams",
        TENANT,
        "aad-alice",
        "fr",
        "Europe/Paris",
        conversation_ref=reference,
    )
    from tests.teams.conftest import say

    ref = await teams_bot.channel.send(recipient, say("Votre binôme vous attend"))
    sent = fake_connector.sent_to("a:alice-1on1")[-1]
    assert (ref.conversation_id, ref.message_id) == ("a:alice-1on1", sent["id"])
    assert sent["operation"] == "send" and texts(sent) == ["Votre binôme vous attend"]
    await teams_bot.channel.update(ref, say("Réponse enregistrée"))
    assert texts(fake_connector.messages[("a:alice-1on1", ref.message_id)]) == [
        "Réponse enregistrée"
    ]
    assert fake_connector.violations == []


def invoke(service_url: str, data: dict[str, Any], verb: str = "join") -> dict[str, Any]:
    return activity(
        service_url,
        type="invoke",
        name="adaptiveCard/action",
        replyToId="1:7",
        value={
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        },
    )


async def test_card_click_is_answered_with_the_replacement_card_and_a_late_one_changes_nothing(
    teams_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    data = {"ref": "welcome|inst-1|start|1", "value": "42"}
    status, answer = await teams_bot.post(
        invoke(fake_connector.service_url, data), headers=bearer(openid_issuer, fake_connector)
    )
    assert status == 200
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert answer["value"]["body"][0]["text"] == "C'est noté"
    [click] = teams_bot.core.seen
    assert (click.kind, click.action, click.value) == ("action", "join", "42")
    assert click.source is not None and click.source.message_id == "1:7"

    repeated = invoke(fake_connector.service_url, data)
    repeated["id"] = "f:late"
    _, late = await teams_bot.post(repeated, headers=bearer(openid_issuer, fake_connector))
    assert late["value"]["body"][0]["text"] == "Déjà répondu"
    assert len(teams_bot.core.answered) == 1
    # The very same activity delivered again is recorded once and not handed to the core.
    _, again = await teams_bot.post(repeated, headers=bearer(openid_issuer, fake_connector))
    assert again["type"] == "application/vnd.microsoft.activity.message"
    assert len(teams_bot.core.seen) == 2
    async with teams_bot.core.database.unit_of_work() as session:
        events = (await session.execute(select(InboundEvent))).scalars().all()
    assert sorted(e.status for e in events) == ["processed", "processed"]
    assert fake_connector.calls == [] and fake_connector.violations == []


async def test_form_submission_values_reach_the_core(
    teams_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    data = {"ref": "profile|i|edit|2", "multi": ["days"], "days": "mon,tue", "bio": "Salut"}
    _, answer = await teams_bot.post(
        invoke(fake_connector.service_url, data, verb="tandem.form.submit"),
        headers=bearer(openid_issuer, fake_connector),
    )
    assert answer["value"]["body"][0]["text"] == "C'est noté"
    [submission] = teams_bot.core.seen
    assert submission.kind == "submission"
    assert submission.values == {"days": ("mon", "tue"), "bio": "Salut"}


@pytest.mark.parametrize(
    "claims",
    [
        {"expires_in": -301},
        {"issuer": "https://login.example.net/"},
        {"audience": "another-bot"},
        {"service_url": "https://smba.trafficmanager.net/emea/"},
    ],
    ids=["expired-301s", "wrong-issuer", "wrong-audience", "serviceurl-mismatch"],
)
async def test_bad_tokens_get_401_and_nothing_happens(
    teams_bot: RunningBot,
    openid_issuer: FakeOpenIdIssuer,
    fake_connector: FakeBotConnector,
    claims: dict[str, Any],
) -> None:
    merged = {"app_id": APP_ID, "service_url": fake_connector.service_url, **claims}
    headers = {"Authorization": openid_issuer.authorization(**merged)}
    status, _ = await teams_bot.post(
        activity(fake_connector.service_url, text="help"), headers=headers
    )
    assert status == 401
    assert teams_bot.core.seen == [] and fake_connector.calls == []


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer not-a-jwt"])
async def test_missing_or_garbled_authorization_gets_401(
    teams_bot: RunningBot, fake_connector: FakeBotConnector, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    status, _ = await teams_bot.post(activity(fake_connector.service_url), headers=headers)
    assert status == 401
    assert teams_bot.core.seen == [] and fake_connector.calls == []


async def test_a_token_for_an_unknown_key_gets_401(
    teams_bot: RunningBot, fake_connector: FakeBotConnector
) -> None:
    from tests.fakes.openid_issuer import FakeOpenIdIssuer as Issuer

    stranger = Issuer()  # never started: its key is published nowhere
    token = stranger.authorization(app_id=APP_ID, service_url=fake_connector.service_url)
    status, _ = await teams_bot.post(
        activity(fake_connector.service_url), headers={"Authorization": token}
    )
    assert status == 401


async def test_bad_input_gets_4xx_and_never_reaches_the_core(
    teams_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    auth = bearer(openid_issuer, fake_connector)
    good = activity(fake_connector.service_url)
    cases: list[tuple[int, dict[str, str], bytes]] = [
        (415, {"Content-Type": "text/plain"}, json.dumps(good).encode()),
        (400, {}, b"{not json"),
        (400, {}, b"[1, 2]"),
        (400, {}, b"[" * 100_000),
        (413, {}, b'{"text": "' + b"x" * (1024 * 1024) + b'"}'),
    ]
    for field, wrong in [
        ("type", 3),
        ("id", ["x"]),
        ("serviceUrl", {"u": 1}),
        ("from", "alice"),
        ("conversation", 7),
        ("channelData", "tenant"),
        ("entities", {"a": 1}),
    ]:
        cases.append((400, {}, json.dumps({**good, field: wrong}).encode()))
    for url in [
        None,
        "https://evil.example.com/",
        "http://smba.trafficmanager.net/emea/",
        "https://smba.trafficmanager.net.evil.com/",
    ]:
        broken = {k: v for k, v in good.items() if k != "serviceUrl"}
        if url:
            broken["serviceUrl"] = url
        cases.append((400, {}, json.dumps(broken).encode()))
    for status, headers, raw in cases:
        got, _ = await teams_bot.post(None, headers={**auth, **headers}, raw=raw)
        assert got == status, (status, raw[:80])
    # No Content-Type at all.
    async with teams_bot.http.post(
        teams_bot.url, data=json.dumps(good).encode(), headers={**auth, "Content-Type": ""}
    ) as response:
        assert response.status == 415
    assert teams_bot.core.seen == [] and fake_connector.calls == []


async def test_unknown_activity_types_are_acknowledged_and_ignored(
    teams_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    for kind in ("typing", "messageReaction", "somethingNew"):
        status, _ = await teams_bot.post(
            activity(fake_connector.service_url, type=kind),
            headers=bearer(openid_issuer, fake_connector),
        )
        assert status == 200
    assert teams_bot.core.seen == [] and fake_connector.calls == []
