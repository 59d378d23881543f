"""The options endpoint: suggestions for searchable selects (lists over 100 options)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from handlers.slack import forms
from handlers.slack.inbox import Inbox


def register(app: AsyncApp, inbox: Inbox) -> None:
    @app.options(forms.ELEMENT_ID)
    async def suggest(ack: AsyncAck, body: dict[str, Any]) -> None:
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        metadata = str((view or {}).get("private_metadata", ""))
        field, query = str(body.get("block_id", "")), str(body.get("value", ""))
        known = await inbox.delivery.options(metadata, field)
        await ack(options=forms.suggestions(known, query))
