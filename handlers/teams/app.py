"""Wire the Teams channel into the aiohttp application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants, GovernmentConstants

from handlers.teams.channel import TeamsChannel
from handlers.teams.config import TeamsConfig
from handlers.teams.deliver import Core
from handlers.teams.inbox import TeamsEndpoint
from handlers.teams.private import PrivateChats
from handlers.teams.recovery import Recovery
from handlers.teams.signing_keys import SigningKeys
from handlers.teams.web_client import ClientCache, ReusingAuthentication
from storage.db import Database
from storage.due_runner import DueHandlers

ROUTE = "/api/messages"
TEAMS_ENDPOINT = web.AppKey("teams_endpoint", TeamsEndpoint)


def botbuilder_configuration(config: TeamsConfig) -> SimpleNamespace:
    """The attributes botbuilder's ``ConfigurationBotFrameworkAuthentication`` reads.

    With an app id every address is given (botbuilder's "parameterized" mode), so that the
    metadata address is the one ``SigningKeys`` serves from its cache; a partial set would
    leave the login address and scope empty. Without an app id none is given: no token is
    ever checked then (the endpoint refuses any), and botbuilder stays anonymous.
    """
    settings: dict[str, Any] = {
        "APP_ID": config.app_id,
        "APP_PASSWORD": config.app_password,
        "APP_TYPE": config.app_type,
        "APP_TENANTID": config.app_tenant_id,
    }
    if config.authenticated:
        cloud = GovernmentConstants if config.government else AuthenticationConstants
        settings.update(
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=config.metadata_url,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=config.channel_token_issuer,
            TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=str(
                cloud.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
            ),
            TO_CHANNEL_FROM_BOT_LOGIN_URL=str(cloud.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX),
            TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=str(cloud.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE),
            OAUTH_URL=str(
                GovernmentConstants.OAUTH_URL_GOV
                if config.government
                else AuthenticationConstants.OAUTH_URL
            ),
            CALLER_ID=str(
                CallerIdConstants.us_gov_channel.value
                if config.government
                else CallerIdConstants.public_azure_channel.value
            ),
            VALIDATE_AUTHORITY=True,
        )
    return SimpleNamespace(**settings)


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
    keys = None
    if config.authenticated:
        keys = SigningKeys(config.metadata_url, expected_issuer=config.channel_token_issuer)
    endpoint = TeamsEndpoint(adapter, conversation, database, config, channel, private, keys)
    app.router.add_post(ROUTE, endpoint.handle)
    app[TEAMS_ENDPOINT] = endpoint
    if due_handlers is not None:
        # Registered even when Teams is off: records left by an earlier run are closed
        # by it rather than parked as a kind nobody handles.
        Recovery(endpoint).register(due_handlers)
    if not config.enabled:
        return None

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        # The keys are fetched in the background: the server (Slack, console, health) starts
        # whatever Microsoft answers, and Teams answers 503 until the first keys arrive.
        if keys is not None:
            keys.start()
        yield
        await endpoint.idle()
        if keys is not None:
            await keys.close()
        await cache.close()

    app.cleanup_ctx.append(lifecycle)
    return channel
