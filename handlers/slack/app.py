"""The Slack channel's assembly: bolt ``AsyncApp``, web client, routes on the lead's server."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import listeners
from handlers.slack.channel import SlackChannel
from handlers.slack.config import SlackConfig
from handlers.slack.deliver import Delivery
from handlers.slack.guard import BODY_KEY, slack_guard
from handlers.slack.inbox import Converses, Inbox
from handlers.slack.people import People
from handlers.slack.web_client import leveled_logger, web_client
from storage.db import Database
from storage.due_runner import DueHandlers

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class SlackRuntime:
    """Everything one mounted Slack channel holds (bolt app, inbox, proactive channel)."""

    def __init__(self, conversation: Converses, database: Database, config: SlackConfig) -> None:
        config.check()
        self.config = config
        # One connection pool for every Web API call of this process (closed at shutdown).
        self.session = aiohttp.ClientSession()
        self.client = web_client(config, config.bot_token, self.session)
        self.inbox = Inbox(
            conversation, database, config, Delivery(database), People(config.user_cache_seconds)
        )
        self.bolt = AsyncApp(**self._bolt_options(database))
        listeners.register(self.bolt, self.inbox)
        self.channel = SlackChannel(self.client_for, database=database)

    def _bolt_options(self, database: Database) -> dict[str, Any]:
        options: dict[str, Any] = {
            "signing_secret": self.config.signing_secret,
            "client": self.client,
            "logger": leveled_logger("slack_bolt.AsyncApp"),
            # Our listeners only record and ack (answers inside the ack need it too), so the
            # ack leaves as soon as they return: no 10 ms polling for it.
            "process_before_response": True,
        }
        if self.config.oauth:
            from handlers.slack.oauth import oauth_flow

            # Each workspace's bot token comes from its stored installation.
            self.client = web_client(self.config, session=self.session)
            options["client"] = self.client
            options["oauth_flow"] = oauth_flow(self.config, database, self.client)
        return options

    def register_due_handlers(self, handlers: DueHandlers) -> None:
        """Add ``slack.recover`` (finish interactions a dead process left behind)."""
        from handlers.slack.recovery import Recovery

        Recovery(self.inbox, self.client_for).register(handlers)

    async def client_for(self, team_id: str) -> AsyncWebClient:
        """A client holding the bot token of ``team_id`` (single workspace: the one token)."""
        if not self.config.oauth:
            return self.client
        settings = self.bolt.oauth_flow.settings if self.bolt.oauth_flow else None
        store = settings.installation_store if settings else None
        bot = await store.async_find_bot(enterprise_id=None, team_id=team_id) if store else None
        return web_client(self.config, bot.bot_token if bot else None, self.session)

    async def events(self, request: web.Request) -> web.StreamResponse:
        body = request.get(BODY_KEY)
        if body is None:  # the guard did not run: never let bolt parse an unchecked body
            return web.Response(status=400, text="unchecked request")
        bolt_request = AsyncBoltRequest(
            body=body,
            query=request.query_string,
            headers=dict(request.headers),
        )
        return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))


SLACK_APP_KEY: web.AppKey[SlackRuntime] = web.AppKey("tandem_slack", SlackRuntime)


def mount(
    app: web.Application,
    conversation: Converses,
    database: Database,
    config: SlackConfig,
    due_handlers: DueHandlers | None = None,
) -> SlackChannel:
    """Add ``POST /slack/events`` (and OAuth routes, Socket Mode) to the server's app, and
    the ``slack.recover`` due action to ``due_handlers``.

    Raises ``SlackConfigError`` (a clear message) when the configuration cannot work.
    """
    runtime = SlackRuntime(conversation, database, config)
    app[SLACK_APP_KEY] = runtime
    app.middlewares.append(slack_guard(config.signing_secret, EVENTS_PATH))
    app.router.add_post(EVENTS_PATH, runtime.events)
    if due_handlers is not None:
        runtime.register_due_handlers(due_handlers)
    if runtime.bolt.oauth_flow is not None:
        from handlers.slack.oauth import add_oauth_routes

        add_oauth_routes(app, runtime.bolt.oauth_flow)
    if config.socket_mode:
        from handlers.slack.socket_mode import add_socket_mode

        add_socket_mode(app, runtime)

    async def finish_work(_app: web.Application) -> None:
        await runtime.inbox.drain()

    async def close_session(_app: web.Application) -> None:
        await runtime.session.close()

    app.on_shutdown.append(finish_work)
    app.on_cleanup.append(close_session)
    return runtime.channel
