"""The ``/tandem`` slash command: recorded, acked empty, answered by the Web API."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import translate
from handlers.slack.inbox import Inbox

COMMAND = "/tandem"


def register(app: AsyncApp, inbox: Inbox) -> None:
    @app.command(COMMAND)
    async def tandem(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await inbox.accept(translate.command(body), body, client)
        await ack()
