"""Installing into several workspaces: bolt's OAuth flow, our stores, tokens sealed at rest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from dialogs.core.i18n import Translator
from handlers.slack.installation_store import TokenCipher
from storage.db import Database
from storage.models import slack_bots, slack_installations
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import slash_command_request
from tests.slack.conftest import SECRET, TEAM, SlackServer, start_server

ALICE = "U0ALICE01"
OAUTH = {
    "bot_token": "",
    "client_id": "1234.5678",
    "client_secret": "oauth-client-secret",
    "secret_key": "a passphrase that is not a Fernet key",
}


async def oauth_server(database: Database, slack: FakeSlack) -> AsyncIterator[SlackServer]:
    async for running in start_server(database, slack, **OAUTH):
        yield running


@pytest.fixture
async def server(database: Database, fake_slack: FakeSlack) -> AsyncIterator[SlackServer]:
    async for running in oauth_server(database, fake_slack):
        yield running


async def install(server: SlackServer, code: str) -> int:
    """Click "Add to Slack", consent, come back: the callback's HTTP status."""
    started = await server.http.get(server.url + "/slack/install", allow_redirects=False)
    assert started.status == 302
    location = urlparse(started.headers["Location"])
    assert (location.netloc, location.path) == ("slack.com", "/oauth/v2/authorize")
    query = parse_qs(location.query)
    assert query["client_id"] == [OAUTH["client_id"]]
    state = query["state"][0]
    cookie = started.headers["Set-Cookie"].split(";", 1)[0]  # what the browser sends back
    callback = await server.http.get(
        server.url + "/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": cookie},
        allow_redirects=False,
    )
    await callback.read()
    return callback.status


async def stored(database: Database) -> list[tuple[str | None, str | None]]:
    async with database.unit_of_work() as session:
        bots = (await session.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token))).all()
        return [(team, token) for team, token in bots]


async def test_install_stores_sealed_tokens_and_events_use_them(
    server: SlackServer, database: Database
) -> None:
    slack = server.slack
    assert await install(server, "code-1") == 200
    [issued] = [t for t, kind in slack.tokens.items() if kind == "bot" and t != slack.bot_token]
    [(team, sealed)] = await stored(database)
    assert team == TEAM and sealed is not None
    assert issued not in sealed and "xoxb-" not in sealed
    assert TokenCipher(OAUTH["secret_key"]).open(sealed) == issued
    async with database.unit_of_work() as session:
        raw = (await session.execute(select(slack_installations.c.bot_token))).scalar_one()
    assert raw is not None and issued not in raw

    await server.post(slash_command_request(SECRET, text="help", user_id=ALICE))
    await server.settle()
    [answer] = slack.calls_to("chat.postMessage")
    assert answer.args["text"] == Translator("fr")("What I can do")
    assert answer.token == issued
    assert slack.violations == []


async def test_a_replayed_callback_installs_nothing_more(
    server: SlackServer, database: Database
) -> None:
    assert await install(server, "code-1") == 200
    started = await server.http.get(server.url + "/slack/install", allow_redirects=False)
    forged = await server.http.get(
        server.url + "/slack/oauth_redirect",
        params={"code": "code-2", "state": "not-a-state-we-issued"},
        headers={"Cookie": started.headers["Set-Cookie"].split(";", 1)[0]},
    )
    assert forged.status in (400, 401)
    assert len(await stored(database)) == 1
    assert server.slack.violations == []


async def test_an_install_from_a_workspace_outside_the_allow_list_is_refused(
    database: Database,
) -> None:
    async with FakeSlack(team_id="T0OUTSIDE") as outside:
        async for running in oauth_server(database, outside):
            assert await install(running, "code-1") == 403
        assert outside.violations == []
    async with database.unit_of_work() as session:
        for table in (slack_installations, slack_bots):
            count = (await session.execute(select(func.count()).select_from(table))).scalar_one()
            assert count == 0


def test_a_fernet_key_is_used_as_is() -> None:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    sealed = TokenCipher(key.decode()).seal("xoxb-1-2-abc")
    assert sealed is not None and Fernet(key).decrypt(sealed.encode()) == b"xoxb-1-2-abc"
