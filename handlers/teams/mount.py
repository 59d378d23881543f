"""Wire the Teams channel into the aiohttp application."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from handlers.teams.bot import Core
from handlers.teams.channel import TeamsChannel
from handlers.teams.config import TeamsConfig
from handlers.teams.connector import ClientCache, ReusingAuthentication
from handlers.teams.endpoint import TeamsEndpoint
from handlers.teams.private import PrivateChats
from storage.db import Database
from storage.due_runner import DueHandlers

ROUTE = "/api/messages"
TEAMS_ENDPOINT = web.AppKey("teams_endpoint", TeamsEndpoint)


def botbuilder_configuration(config: TeamsConfig) -> SimpleNamespace:
    """The attributes botbuilder's ``ConfigurationBotFrameworkAuthentication`` reads."""
    settings: dict[str, Any] = {
        "APP_ID": config.app_id,
        "APP_PASSWORD": config.app_password,
        "APP_TYPE": config.app_type,
        "APP_TENANTID": config.app_tenant_id,
    }
    if config.openid_metadata_url:
        settings["TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"] = config.openid_metadata_url
    if config.token_issuer:
        settings["TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"] = config.token_issuer
    return SimpleNamespace(**settings)


def metadata_url(config: TeamsConfig) -> str:
    return config.openid_metadata_url or str(
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    )


def warm_metadata(url: str) -> None:
    """Fetch the signing keys once (botbuilder does it with blocking ``requests`` calls)."""
    # No key has the empty id (IndexError): the keys are fetched, which is the point.
    with contextlib.suppress(IndexError):
        asyncio.run(JwtTokenExtractor.get_open_id_metadata(url).get(""))


def build_adapter(config: TeamsConfig, cache: ClientCache) -> CloudAdapter:
    from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory

    configuration = botbuilder_configuration(config)
    credentials = config.credentials_factory or ConfigurationServiceClientCredentialFactory(
        configuration
    )
    authentication = ReusingAuthentication(
        configuration, credentials_factory=credentials, cache=cache
    )
    return CloudAdapter(authentication)


def mount(
    app: web.Application,
    conversation: Core,
    database: Database,
    config: TeamsConfig,
    due_handlers: DueHandlers | None = None,
) -> TeamsChannel | None:
    """Add ``POST /api/messages`` (and ``teams.recover`` to ``due_handlers``); None when
    Teams is off (the route then answers 503)."""
    cache = ClientCache()
    adapter = build_adapter(config, cache)
    channel = TeamsChannel(adapter, config, database)
    private = PrivateChats(channel, database)
    endpoint = TeamsEndpoint(adapter, conversation, database, config, channel, private)
    app.router.add_post(ROUTE, endpoint.handle)
    app[TEAMS_ENDPOINT] = endpoint
    if due_handlers is not None:
        # Registered even when Teams is off: records left by an earlier run are closed
        # by it rather than parked as a kind nobody handles.
        endpoint.register_due_handlers(due_handlers)
    if not config.enabled:
        return None

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        if config.authenticated:
            await asyncio.to_thread(warm_metadata, metadata_url(config))
        yield
        await endpoint.idle()
        await cache.close()

    app.cleanup_ctx.append(lifecycle)
    return channel
