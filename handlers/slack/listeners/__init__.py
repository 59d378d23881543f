"""Bolt listeners, one module per kind, each with ``register(app, inbox)``."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.inbox import Inbox
from handlers.slack.listeners import actions, commands, events, options, views


def register(app: AsyncApp, inbox: Inbox) -> None:
    for kind in (commands, events, actions, views, options):
        kind.register(app, inbox)
