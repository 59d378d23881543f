"""Events API: direct messages, mentions and App Home; retries are recorded once."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import translate
from handlers.slack.inbox import Inbox


def register(app: AsyncApp, inbox: Inbox) -> None:
    @app.event("message")
    async def direct_message(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        # Only what a person typed to the bot: no edits, joins, or bots (ourselves included).
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await inbox.accept(translate.message_event(body, mention=False), body, client)

    @app.event("app_mention")
    async def mention(body: dict[str, Any], client: AsyncWebClient) -> None:
        await inbox.accept(translate.message_event(body, mention=True), body, client)

    @app.event("app_home_opened")
    async def home_opened(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        await inbox.accept(translate.home_opened(body), body, client)
