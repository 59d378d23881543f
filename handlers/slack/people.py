"""Who is talking: ``users.info`` (time zone, locale, email, name), cached per user."""

from __future__ import annotations

import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from dialogs.core.events import Actor

MAX_CACHED = 10_000


@dataclass(frozen=True)
class _Entry:
    actor: Actor
    expires: float


class People:
    """``users.info`` answers kept for ``ttl`` seconds, so acks rarely wait for Slack."""

    def __init__(self, ttl: float = 3600.0) -> None:
        self.ttl = ttl
        self._cache: dict[tuple[str, str], _Entry] = {}

    async def actor(self, client: AsyncWebClient, team_id: str, user_id: str) -> Actor:
        key = (team_id, user_id)
        entry = self._cache.get(key)
        now = time.monotonic()
        if entry is not None and entry.expires > now:
            return entry.actor
        actor = await self._fetch(client, team_id, user_id)
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()  # a crude bound: refetching is cheap, growing is not
        self._cache[key] = _Entry(actor, now + self.ttl)
        return actor

    @staticmethod
    async def _fetch(client: AsyncWebClient, team_id: str, user_id: str) -> Actor:
        bare = Actor(platform="slack", tenant_id=team_id, user_id=user_id)
        try:
            answer = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError:
            return bare  # an unknown user still gets an answer, in the default language
        user = answer.get("user") or {}
        profile = user.get("profile") or {}
        return Actor(
            platform="slack",
            tenant_id=team_id,
            user_id=user_id,
            locale_hint=user.get("locale") or None,
            timezone=user.get("tz") or None,
            display_name=profile.get("display_name") or user.get("real_name") or None,
            email=profile.get("email") or None,
        )
