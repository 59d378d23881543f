"""What follows a confirmed session. (Stub until the series and reminders land: the
scheduling flow calls ``session_confirmed`` when a pair agrees on a time.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CheckIn


async def session_confirmed(session: AsyncSession, check_in: CheckIn, *, now: datetime) -> None:
    """Inside the caller's unit of work, after ``check_in`` became ``planned`` (its
    ``scheduled_at``, ``zone`` and ``local_start`` set): plan its reminders and its "did it
    happen?" question. Telling the two people is the caller's job."""
