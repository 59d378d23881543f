"""Telling one person something about a session from inside a flow's transaction.

A flow holds a database session but no notifier: it queues ``NEWS``, whose handler hands
the notification to the notifier (quiet hours, pacing, preferred platform), so the message
exists exactly when the change that caused it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import DueKind
from bot.domain.notifications import Notification, notification_from_payload
from dialogs.core.feature import DueContext
from storage.enqueue import enqueue_due


@dataclass(frozen=True)
class News:
    person_id: str
    notification: dict[str, Any]  # ``Notification.to_payload()``


NEWS = DueKind("sessions.tell", News)  # the key names the event: the caller's


async def tell(
    session: AsyncSession, person_id: str, notification: Notification, *, key: str, at: datetime
) -> None:
    await enqueue_due(session, NEWS, News(person_id, notification.to_payload()), at, key=key)


async def deliver_news(due: DueContext, payload: News) -> None:
    notification = notification_from_payload(payload.notification)
    async with due.database.unit_of_work(immediate=True) as session:
        await due.notifier.notify(session, payload.person_id, notification, key=f"notify:{due.key}")
