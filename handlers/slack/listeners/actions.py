"""Button clicks (``block_actions``) on our cards: recorded, acked, then processed."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import translate
from handlers.slack.inbox import Inbox
from handlers.slack.render import ACTION_PREFIX

OUR_ACTIONS = re.compile("^" + re.escape(ACTION_PREFIX))


def register(app: AsyncApp, inbox: Inbox) -> None:
    @app.action(OUR_ACTIONS)
    async def clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        translated = translate.block_action(body)
        if translated is not None:
            await inbox.accept(translated, body, client)
        await ack()
