"""The Slack Web API client every call goes through: ``SLACK_API_URL`` and the retry handlers."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.config import SlackConfig


def leveled_logger(name: str) -> logging.Logger:
    """A logger for slack_sdk or bolt with its level set. They format a whole request and
    response for a debug line whenever the logger's *own* level is at most DEBUG, and an
    unset level (0) is: every call paid for long strings nobody logged. The effective
    level (from the logging configuration) is kept, so debug logging still works."""
    logger = logging.getLogger(name)
    if logger.level == logging.NOTSET:
        logger.setLevel(logger.getEffectiveLevel())
    return logger


def web_client(
    config: SlackConfig, token: str | None = None, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """A Web API client with slack_sdk's retry handlers. Pass the runtime's ``session``: without
    one, slack_sdk opens a new connection (and TLS handshake) for every call."""
    return AsyncWebClient(
        token=token or None,
        base_url=config.api_url,
        session=session,
        logger=leveled_logger("slack_sdk.web.async_client"),
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
