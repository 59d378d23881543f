"""Tokens checked once are trusted until they expire; nothing else gets through on their back.

The endpoint keeps botbuilder's verdict on a channel token (``ValidatedTokens``) and the
bot's own token for the connector (``OutboundToken``): the first saves a signature check
per activity, the second a thread hop per reply. These tests show that a forged, expired,
foreign or tampered token is still refused once a good one is cached, that a cached token
stops working when its key is withdrawn or its time is up, and that the outbound token is
asked for again when it runs out.
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest
from botbuilder.schema import Activity
from botframework.connector.auth import AppCredentials, AuthenticateRequestResult

from handlers.teams.config import TeamsConfig
from handlers.teams.validated_tokens import ValidatedTokens
from handlers.teams.web_client import REFRESH_BEFORE_S, ClientCache
from storage.db import Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.fixtures import FAKE_OUTBOUND_TOKEN
from tests.fakes.openid_issuer import FakeOpenIdIssuer, StaticTokenCredentialsFactory
from tests.support.clock import T0
from tests.teams.conftest import APP_ID, TENANT, RunningBot, activity, start_bot
from tests.teams.outbound import free_port
from tests.teams.test_signing_keys import SERVICE_URL, metadata_url, post, until_status

DEADLINE_S = 30.0
SECRET = "a test secret, never checked by these caches"  # 32 bytes or more, as PyJWT wants


def help_from(connector: FakeBotConnector) -> dict[str, Any]:
    return activity(connector.service_url, text="help")


async def send(bot: RunningBot, connector: FakeBotConnector, token: str) -> int:
    status, _ = await bot.post(help_from(connector), headers={"Authorization": token})
    return status


def tampered(token: str, **claims: Any) -> str:
    """The same header and signature around a payload with ``claims`` changed."""
    header, payload, signature = token.removeprefix("Bearer ").split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded.update(claims)
    raw = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode()
    return f"Bearer {header}.{raw}.{signature}"


async def test_a_cached_token_lets_no_other_token_through(
    teams_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    good = openid_issuer.authorization(app_id=APP_ID, service_url=fake_connector.service_url)
    assert await send(teams_bot, fake_connector, good) == 200
    assert await send(teams_bot, fake_connector, good) == 200
    tokens = teams_bot.endpoint.tokens
    assert tokens is not None and tokens.validations == 1  # the second one was a cache hit
    answered = len(teams_bot.core.seen)

    forger = FakeOpenIdIssuer()  # never started: its key is published nowhere
    unknown_key = forger.authorization(app_id=APP_ID, service_url=fake_connector.service_url)
    forger.key_id = openid_issuer.key_id  # the published key's id, signed with another key
    forged = forger.authorization(app_id=APP_ID, service_url=fake_connector.service_url)
    refused = {
        "unknown key": unknown_key,
        "forged signature": forged,
        "expired": openid_issuer.authorization(
            app_id=APP_ID, service_url=fake_connector.service_url, expires_in=-301
        ),
        "wrong audience": openid_issuer.authorization(
            app_id=APP_ID, service_url=fake_connector.service_url, audience="another-bot"
        ),
        "tampered audience": tampered(good, aud="another-bot"),
    }
    for name, token in refused.items():
        assert await send(teams_bot, fake_connector, token) == 401, name
    # The good token itself, on an activity naming another service, is refused too.
    elsewhere = activity("https://smba.trafficmanager.net/emea/", text="help")
    status, _ = await teams_bot.post(elsewhere, headers={"Authorization": good})
    assert status == 401
    assert len(teams_bot.core.seen) == answered


async def test_a_cached_token_is_refused_once_its_key_is_withdrawn(database: Database) -> None:
    port = free_port()
    old, new = FakeOpenIdIssuer(port=port), FakeOpenIdIssuer(port=port)
    config = TeamsConfig(
        app_id=APP_ID,
        listen_host="127.0.0.1",
        tenant_ids=(TENANT,),
        openid_metadata_url=metadata_url(port),
        credentials_factory=StaticTokenCredentialsFactory(APP_ID, FAKE_OUTBOUND_TOKEN),
    )
    with old:
        runner, bot = await asyncio.wait_for(start_bot(database, config), DEADLINE_S)
        url = bot.url.removesuffix("/api/messages")
        cached = old.mint(app_id=APP_ID, service_url=SERVICE_URL)
        assert await asyncio.wait_for(post(bot.http, url, cached), DEADLINE_S) == 200
    try:
        with new:  # the same address now publishes another key only
            token = new.mint(app_id=APP_ID, service_url=SERVICE_URL)
            await asyncio.wait_for(until_status(bot.http, url, token, 200), DEADLINE_S)
            assert await asyncio.wait_for(post(bot.http, url, cached), DEADLINE_S) == 401
    finally:
        await bot.http.close()
        await asyncio.wait_for(runner.cleanup(), DEADLINE_S)


def test_a_cached_verdict_ends_at_the_tokens_expiry_or_with_the_key_set() -> None:
    now = [T0.timestamp()]
    key_set = [1]
    tokens = ValidatedTokens(lambda: key_set[0], now=lambda: now[0])
    exp = int(now[0]) + 600
    header = "Bearer " + jwt.encode({"exp": exp}, SECRET, algorithm="HS256")
    tokens.put(header, "msteams", SERVICE_URL, AuthenticateRequestResult(), keys=1)
    assert tokens.get(header, "msteams", SERVICE_URL) is not None
    assert tokens.get(header, "msteams", "https://elsewhere.botframework.com/") is None
    assert tokens.get(header, "webchat", SERVICE_URL) is None
    now[0] = exp  # from its expiry on, botbuilder decides again (with its own leeway)
    assert tokens.get(header, "msteams", SERVICE_URL) is None

    now[0] = T0.timestamp()
    tokens.put(header, "msteams", SERVICE_URL, AuthenticateRequestResult(), keys=1)
    key_set[0] = 2  # the keys were fetched again: every token is checked against them
    assert tokens.get(header, "msteams", SERVICE_URL) is None


class RotatingCredentials(AppCredentials):  # type: ignore[misc]
    """AAD's part: a new token, valid for an hour from ``clock``, each time it is asked."""

    def __init__(self, clock: list[datetime]) -> None:
        super().__init__(app_id=APP_ID)
        self.clock = clock
        self.issued: list[str] = []

    def get_access_token(self, force_refresh: bool = False) -> str:
        expiry = self.clock[0] + timedelta(hours=1)
        claims = {"n": len(self.issued), "exp": int(expiry.timestamp())}
        token = jwt.encode(claims, SECRET, algorithm="HS256")
        self.issued.append(token)
        return token


@pytest.mark.timeout(60)
async def test_the_outbound_token_is_reused_until_it_runs_out_then_asked_again() -> None:
    clock = [T0]
    credentials = RotatingCredentials(clock)
    cache = ClientCache(now=lambda: clock[0].timestamp())
    try:
        async with FakeBotConnector() as connector:
            client = cache.client((APP_ID, connector.service_url, "scope"), credentials)

            async def say(text: str) -> str:
                message = Activity(type="message", text=text)
                await asyncio.wait_for(
                    client.conversations.send_to_conversation("a:alice-1on1", message), DEADLINE_S
                )
                return str(connector.calls[-1].authorization)

            first = await say("one")
            assert await say("two") == first
            assert len(credentials.issued) == 1
            # Shortly before it expires, the next reply asks for a new one.
            clock[0] += timedelta(hours=1, seconds=-REFRESH_BEFORE_S)
            second = await say("three")
            assert second != first and second == f"Bearer {credentials.issued[1]}"
            assert await say("four") == second
            assert [sent["text"] for sent in connector.sent_to("a:alice-1on1")] == [
                "one",
                "two",
                "three",
                "four",
            ]
    finally:
        await cache.close()
