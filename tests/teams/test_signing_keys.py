"""Teams' signing keys are fetched in the background: Microsoft unreachable never stops Tandem.

Issue 10, item 3. Before the fix the server fetched the keys with blocking ``requests`` calls
while starting: with ``MICROSOFT_APP_ID`` set and the metadata address unreachable,
``runner.setup()`` raised (``tandem serve`` exited with "cannot listen"), taking Slack and the
console down with Teams. Now the whole server starts, Teams answers 503 until the keys
arrive, and recovers by itself once the issuer answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.server import Runtime, create_app
from bot.settings import SettingsError, load_settings
from handlers.teams.config import TeamsConfig
from handlers.teams.signing_keys import SigningKeys
from storage.db import Database
from tests.fakes.fixtures import FAKE_OUTBOUND_TOKEN
from tests.fakes.openid_issuer import FakeOpenIdIssuer, StaticTokenCredentialsFactory
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import slash_command_request
from tests.teams.conftest import APP_ID, TENANT, activity, start_bot
from tests.teams.outbound import free_port

DEADLINE_S = 30.0  # the fetcher retries within MAX_RETRY_S (30 s) of the issuer answering
STEP_S = 0.1
SECRET = "signing-keys-test-secret"
# An activity that needs no reply: accepted means authenticated, and nothing is sent.
SERVICE_URL = "http://127.0.0.1:9/teams/"


def metadata_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/v1/.well-known/openidconfiguration"


def typing() -> dict[str, object]:
    return activity(SERVICE_URL, type="typing")


async def post(http: aiohttp.ClientSession, url: str, token: str) -> int:
    async with http.post(
        f"{url}/api/messages", json=typing(), headers={"Authorization": f"Bearer {token}"}
    ) as response:
        if response.status == 503:
            assert response.headers.get("Retry-After")
        return response.status


async def until_status(http: aiohttp.ClientSession, url: str, token: str, wanted: int) -> None:
    while await post(http, url, token) != wanted:
        await asyncio.sleep(STEP_S)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


async def test_the_server_starts_while_the_issuer_is_down_and_teams_recovers(
    database_url: str, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens there yet: connection refused, as when offline
    settings = load_settings(
        database_url=database_url,
        microsoft_app_id=APP_ID,
        microsoft_app_password="never-used-here",
        teams_openid_metadata_url=metadata_url(port),
        teams_tenant_ids=[TENANT],
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SECRET,
        slack_api_url=slack.base_url,
        slack_team_ids=[slack.team_id],
        console=True,
        quiet_hours_text="off",
    )
    runtime = Runtime(settings=settings, database=Database(database_url), mode="serve")
    runner = web.AppRunner(create_app(runtime, clock=False))
    await asyncio.wait_for(runner.setup(), DEADLINE_S)  # raised before the fix
    issuer = FakeOpenIdIssuer(port=port)
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await asyncio.wait_for(site.start(), DEADLINE_S)
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        token = issuer.mint(app_id=APP_ID, service_url=SERVICE_URL)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/healthz") as health:
                assert health.status == 200
            signed = slash_command_request(SECRET, text="help", team_id=slack.team_id)
            async with http.post(
                f"{url}/slack/events", data=signed.body, headers=signed.headers
            ) as answer:
                assert answer.status == 200
            async with http.get(f"{url}/console") as console:
                assert console.status == 200
            assert await asyncio.wait_for(post(http, url, token), DEADLINE_S) == 503
            assert await asyncio.wait_for(post(http, url, token), DEADLINE_S) == 503
            said = [r.getMessage() for r in caplog.records if "teams answers 503" in r.getMessage()]
            assert len(said) == 1 and metadata_url(port) in said[0]  # once per outage

            issuer.start()  # Microsoft answers again
            await asyncio.wait_for(until_status(http, url, token, 200), DEADLINE_S)
            wrong = issuer.mint(app_id="another-bot", service_url=SERVICE_URL)
            assert await asyncio.wait_for(post(http, url, wrong), DEADLINE_S) == 401
            async with http.get(f"{url}/healthz") as health:
                assert health.status == 200
        assert issuer.requests[:2] == [
            "/v1/.well-known/openidconfiguration",
            "/v1/.well-known/keys",
        ]
    finally:
        await asyncio.wait_for(runner.cleanup(), DEADLINE_S)
        issuer.close()


async def test_a_rolled_over_key_is_fetched_again_by_itself(database: Database) -> None:
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
    try:
        url = bot.url.removesuffix("/api/messages")
        with new:  # the same address now publishes another key only
            token = new.mint(app_id=APP_ID, service_url=SERVICE_URL)
            # The first token naming the new key is refused and makes the bot fetch again.
            assert await asyncio.wait_for(post(bot.http, url, token), DEADLINE_S) == 401
            await asyncio.wait_for(until_status(bot.http, url, token, 200), DEADLINE_S)
            assert new.requests[:2] == [
                "/v1/.well-known/openidconfiguration",
                "/v1/.well-known/keys",
            ]
    finally:
        await bot.http.close()
        await asyncio.wait_for(runner.cleanup(), DEADLINE_S)


async def test_keys_are_refreshed_periodically() -> None:
    with FakeOpenIdIssuer() as issuer:
        keys = SigningKeys(issuer.metadata_url, expected_issuer=issuer.issuer, refresh_every=0.05)
        keys.start()
        try:
            await asyncio.wait_for(keys.wait(), DEADLINE_S)
            assert (await keys.get(issuer.key_id)).endorsements == ["msteams"]

            async def refreshed() -> None:
                while keys.fetches < 3:
                    await asyncio.sleep(STEP_S / 2)

            await asyncio.wait_for(refreshed(), DEADLINE_S)
            with pytest.raises(PermissionError):
                await keys.get("unknown-key")
        finally:
            await keys.close()


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("https://login.botframework.azure.us/v1/.well-known/openidconfiguration", True),
        ("http://127.0.0.1:8080/v1/.well-known/openidconfiguration", True),
        ("http://login.example.com/v1/.well-known/openidconfiguration", False),
        ("ftp://login.example.com/", False),
    ],
)
def test_the_metadata_setting_is_https_except_on_loopback(value: str, accepted: bool) -> None:
    if accepted:
        assert load_settings(teams_openid_metadata_url=value).teams_openid_metadata_url == value
    else:
        with pytest.raises(SettingsError, match="TANDEM_TEAMS_OPENID_METADATA_URL"):
            load_settings(teams_openid_metadata_url=value)


def test_the_us_government_address_brings_its_cloud_along() -> None:
    from handlers.teams.app import botbuilder_configuration

    gov = TeamsConfig(
        app_id=APP_ID,
        openid_metadata_url="https://login.botframework.azure.us/v1/.well-known/openidconfiguration",
    )
    settings = botbuilder_configuration(gov)
    assert settings.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://api.botframework.us"
    assert settings.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE == "https://api.botframework.us"
    assert settings.TO_CHANNEL_FROM_BOT_LOGIN_URL == "https://login.microsoftonline.us/"
    public = botbuilder_configuration(TeamsConfig(app_id=APP_ID))
    assert public.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL == (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    assert public.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://api.botframework.com"
    assert not hasattr(botbuilder_configuration(TeamsConfig()), "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER")
