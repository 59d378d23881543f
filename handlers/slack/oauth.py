"""Installing Tandem into several Slack workspaces: bolt's OAuth flow over our own stores.

``GET /slack/install`` redirects to Slack's consent page (with a one-time ``state`` in our
database and a browser cookie); ``GET /slack/oauth_redirect`` exchanges the code
(``oauth.v2.access``) and stores the installation, tokens sealed. A workspace outside
``TANDEM_SLACK_TEAM_IDS`` is refused and nothing is stored.
"""

from __future__ import annotations

import html

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.config import SlackConfig
from handlers.slack.installation_store import (
    DatabaseInstallationStore,
    DatabaseOAuthStateStore,
    TokenCipher,
)
from storage.db import Database

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes the code needs (tests/slack/test_manifest.py keeps manifest.json equal).
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:write",
    "mpim:write",
    "users:read",
    "users:read.email",
)
REFUSED_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Tandem</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Tandem is not available in this workspace</h1>
<p>The workspace {team} is not part of this Tandem program, so nothing was installed.
Ask your program team if you think it should be.</p></body></html>"""


class TeamNotAllowed(BoltError):
    def __init__(self, team_id: str) -> None:
        super().__init__(f"Slack workspace {team_id} is not in the allow-list")
        self.team_id = team_id


class AllowListedOAuthFlow(AsyncOAuthFlow):
    """bolt's flow, storing only installations into allowed workspaces."""

    def __init__(
        self, *, client: AsyncWebClient, settings: AsyncOAuthSettings, config: SlackConfig
    ) -> None:
        super().__init__(client=client, settings=settings)
        self.config = config

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        if not self.config.allows(installation.team_id):
            raise TeamNotAllowed(installation.team_id or "")
        await super().store_installation(request, installation)


async def _success(args: AsyncSuccessArgs) -> BoltResponse:
    return await args.default.success(args)


async def _failure(args: AsyncFailureArgs) -> BoltResponse:
    if isinstance(args.error, TeamNotAllowed):
        page = REFUSED_PAGE.format(team=html.escape(args.error.team_id))
        return BoltResponse(
            status=403, body=page, headers={"Content-Type": "text/html; charset=utf-8"}
        )
    return await args.default.failure(args)


def oauth_flow(config: SlackConfig, database: Database, client: AsyncWebClient) -> AsyncOAuthFlow:
    settings = AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=config.public_url.rstrip("/") + REDIRECT_PATH,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        install_page_rendering_enabled=False,  # straight to Slack's own consent page
        installation_store=DatabaseInstallationStore(
            database, config.client_id, TokenCipher(config.secret_key)
        ),
        state_store=DatabaseOAuthStateStore(database),
        callback_options=AsyncCallbackOptions(success=_success, failure=_failure),
    )
    return AllowListedOAuthFlow(client=client, settings=settings, config=config)


def add_oauth_routes(app: web.Application, flow: AsyncOAuthFlow) -> None:
    def bolt_request(request: web.Request) -> AsyncBoltRequest:
        return AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))

    async def install(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await flow.handle_installation(bolt_request(request)))

    async def redirect(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await flow.handle_callback(bolt_request(request)))

    app.router.add_get(INSTALL_PATH, install)
    app.router.add_get(REDIRECT_PATH, redirect)
