"""Teams without ``MICROSOFT_APP_ID`` (loopback only): a token is refused, never checked.

Issue 10, item 2. botbuilder checks a token by fetching signing keys with blocking
``requests`` calls on the event loop. Before the fix every JWT below (alg none, HS256, RS256)
made the bot call the metadata address from inside the request, and the request got a 500;
any local caller could trigger that outbound call. Now the endpoint answers 401 itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from handlers.teams.config import TeamsConfig
from storage.db import Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.teams.conftest import APP_ID, TENANT, RunningBot, activity, start_bot
from tests.teams.outbound import RecordingProxy, forged_tokens

DEADLINE_S = 15.0


@dataclass
class Anonymous:
    bot: RunningBot
    issuer: FakeOpenIdIssuer
    proxy: RecordingProxy


@pytest.fixture(params=["fake-issuer", "microsoft"])
async def anonymous(
    request: pytest.FixtureRequest, database: Database, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Anonymous]:
    """A bot with no app id. ``fake-issuer``: its metadata address set to a fresh fake issuer
    (so botbuilder's per-address cache is cold and any fetch is recorded); ``microsoft``: the
    default address, any call to it recorded by the proxy."""
    with FakeOpenIdIssuer() as issuer, RecordingProxy() as proxy:
        proxy.install(monkeypatch)
        pointed = request.param == "fake-issuer"
        config = TeamsConfig(
            listen_host="127.0.0.1",
            tenant_ids=(TENANT,),
            openid_metadata_url=issuer.metadata_url if pointed else None,
            token_issuer=issuer.issuer if pointed else None,
        )
        runner, bot = await asyncio.wait_for(start_bot(database, config), DEADLINE_S)
        try:
            yield Anonymous(bot, issuer, proxy)
        finally:
            await bot.http.close()
            await asyncio.wait_for(runner.cleanup(), DEADLINE_S)


async def test_tokens_get_401_and_no_outbound_call(
    anonymous: Anonymous, fake_connector: FakeBotConnector
) -> None:
    service_url = fake_connector.service_url
    headers = [f"Bearer {t}" for t in forged_tokens(anonymous.issuer, APP_ID, service_url).values()]
    headers += ["Basic abc", "Bearer", "", "bearer x.y.z"]
    for header in headers:
        status, _ = await asyncio.wait_for(
            anonymous.bot.post(
                activity(service_url, text="help"), headers={"Authorization": header}
            ),
            DEADLINE_S,
        )
        assert status == 401, header
        assert anonymous.issuer.requests == [] and anonymous.proxy.requests == [], header
    assert anonymous.bot.core.seen == [] and fake_connector.calls == []


async def test_without_a_token_the_local_emulator_is_still_answered(anonymous: Anonymous) -> None:
    async with FakeBotConnector() as emulator:  # the Emulator expects no token back either
        status, _ = await asyncio.wait_for(
            anonymous.bot.post(activity(emulator.service_url, text="help")), DEADLINE_S
        )
        assert status == 200
        [reply] = emulator.sent_to("a:alice-1on1")
    assert reply["replyToId"]
    assert anonymous.issuer.requests == [] and anonymous.proxy.requests == []
