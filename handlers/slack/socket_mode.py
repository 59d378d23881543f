"""Socket Mode (``SLACK_APP_TOKEN``): Slack pushes over a WebSocket, no public URL needed.

bolt's handler opens the socket with ``apps.connections.open`` through its own web client,
which therefore gets the same ``SLACK_API_URL`` base as every other call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from handlers.slack.web_client import web_client

if TYPE_CHECKING:
    from handlers.slack.app import SlackRuntime


def socket_handler(runtime: SlackRuntime) -> AsyncSocketModeHandler:
    return AsyncSocketModeHandler(
        runtime.bolt,
        app_token=runtime.config.app_token,
        web_client=web_client(runtime.config, session=runtime.session),
    )


def add_socket_mode(app: web.Application, runtime: SlackRuntime) -> None:
    handler = socket_handler(runtime)

    async def connect(_app: web.Application) -> None:
        await handler.connect_async()  # type: ignore[no-untyped-call]

    async def disconnect(_app: web.Application) -> None:
        await handler.close_async()  # type: ignore[no-untyped-call]

    app.on_startup.append(connect)
    app.on_cleanup.append(disconnect)
