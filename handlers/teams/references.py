"""The conversation reference kept on a person's Teams identity, for proactive messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PlatformIdentity


def conversation_reference(body: dict[str, Any]) -> dict[str, Any]:
    """botbuilder's ``ConversationReference`` fields, as JSON, from an inbound activity."""
    conversation = body.get("conversation") or {}
    return {
        "activityId": body.get("id"),
        "user": body.get("from"),
        "bot": body.get("recipient"),
        "conversation": {
            key: conversation[key]
            for key in ("id", "conversationType", "tenantId", "isGroup")
            if key in conversation
        },
        "channelId": body.get("channelId") or "msteams",
        "serviceUrl": body.get("serviceUrl"),
        "locale": body.get("locale"),
    }


async def store_reference(
    session: AsyncSession, tenant_id: str, user_id: str, reference: dict[str, Any]
) -> bool:
    """Keep the reference on the identity the core created; False when there is none."""
    identity = (
        await session.execute(
            select(PlatformIdentity).where(
                PlatformIdentity.platform == "teams",
                PlatformIdentity.tenant_id == tenant_id,
                PlatformIdentity.user_id == user_id,
            )
        )
    ).scalar_one_or_none()
    if identity is None:
        return False
    # Only the parts that say where to post: a new activity id alone is no reason to write.
    current = {k: v for k, v in (identity.conversation_ref or {}).items() if k != "activityId"}
    if current != {k: v for k, v in reference.items() if k != "activityId"}:
        identity.conversation_ref = reference
    return True
