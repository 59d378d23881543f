"""The Slack Web API client every call goes through: ``SLACK_API_URL`` and the retry handlers."""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.config import SlackConfig


def web_client(
    config: SlackConfig, token: str | None = None, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """A Web API client with slack_sdk's retry handlers. Pass the runtime's ``session``: without
    one, slack_sdk opens a new connection (and TLS handshake) for every call."""
    return AsyncWebClient(
        token=token or None,
        base_url=config.api_url,
        session=session,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
