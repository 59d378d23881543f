"""The sender's email, asked of the connector: Teams activities carry none.

Without it a Teams user is never linked to the person imported from the HRIS (the core
links by email, inside the tenant allow-list). botbuilder's ``TeamsInfo.get_member``
(``GET /v3/conversations/{id}/members/{memberId}``) answers the member's ``email`` or
``userPrincipalName``. Answers are kept per (tenant, AAD object id) for an hour; a refusal
(403: the bot may not read members), an unknown member or a timeout leaves the email
unknown and never fails the activity.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from dialogs.core.events import Inbound

log = logging.getLogger(__name__)

KEEP_FOUND = 3600.0  # seconds: an hour, as the brief of the HRIS link asks
KEEP_MISSED = 300.0  # a failure is asked again sooner: it may have been passing
LOOKUP_TIMEOUT = 5.0  # the person waits for this turn's answer
MAX_KEPT = 100_000


def email_of_member(member: Any) -> str | None:
    """The member's email, else their UPN when it looks like an address."""
    for value in (getattr(member, "email", None), getattr(member, "user_principal_name", None)):
        if isinstance(value, str) and "@" in value:
            return value.strip()
    return None


class MemberEmails:
    """Emails of Teams senders, looked up once an hour per (tenant, AAD object id)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._kept: dict[tuple[str, str], tuple[str | None, float]] = {}
        self.lookups = 0  # how many times the connector was asked (tests check the cache)

    async def email(
        self, turn: TurnContext, tenant_id: str, user_id: str, member_id: str
    ) -> str | None:
        key = (tenant_id, user_id)
        now = self._clock()
        kept = self._kept.get(key)
        if kept is not None and kept[1] > now:
            return kept[0]
        self.lookups += 1
        email: str | None = None
        try:
            member = await asyncio.wait_for(
                TeamsInfo.get_member(turn, member_id), timeout=LOOKUP_TIMEOUT
            )
            email = email_of_member(member)
        except Exception as error:  # 403, 404, timeout, no connector: the email stays unknown
            log.info("teams: member lookup failed: %s", type(error).__name__)
        if len(self._kept) > MAX_KEPT:
            self._kept.clear()
        self._kept[key] = (email, now + (KEEP_FOUND if email else KEEP_MISSED))
        return email

    async def with_email(
        self, turn: TurnContext, body: dict[str, Any], inbound: Inbound
    ) -> Inbound:
        """``inbound`` with the sender's email, when the connector tells it."""
        actor = inbound.actor
        member_id = (body.get("from") or {}).get("id")
        if actor.email or not isinstance(member_id, str) or not member_id:
            return inbound
        email = await self.email(turn, actor.tenant_id, actor.user_id, member_id)
        if email is None:
            return inbound
        return dataclasses.replace(inbound, actor=dataclasses.replace(actor, email=email))
