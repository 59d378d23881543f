"""Files the bot makes and sends (an export, a certificate, a chart): stored with an owner,
served from ``GET /files/{token}`` while they live, uploaded to Slack where people are.

Where a file went on Slack (``slack_team_id`` / ``slack_file_id``) is kept, so that
forgetting its owner deletes it there too; the rows themselves go with the erasure
(``storage.erasure.ROWS_DELETED``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Recognition, StoredFile


async def store_file(
    session: AsyncSession,
    *,
    owner_id: str | None,
    purpose: str,
    filename: str,
    media_type: str,
    content: bytes,
    now: datetime,
    expires_at: datetime | None = None,
) -> StoredFile:
    """Keep a file inside the caller's unit of work; its id is known on return."""
    stored = StoredFile(
        owner_id=owner_id,
        purpose=purpose,
        filename=filename,
        media_type=media_type,
        content=content,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(stored)
    await session.flush()
    return stored


async def live_file(session: AsyncSession, file_id: int, now: datetime) -> StoredFile | None:
    """The file if it still exists and has not expired."""
    stored = await session.get(StoredFile, file_id)
    if stored is None or (stored.expires_at is not None and stored.expires_at <= now):
        return None
    return stored


async def uploaded_to_slack(
    session: AsyncSession, file_id: int, team_id: str, slack_file_id: str
) -> None:
    """Remember where Slack keeps it (so that ``forget me`` can delete it there)."""
    stored = await session.get(StoredFile, file_id)
    if stored is not None:
        stored.slack_team_id, stored.slack_file_id = team_id, slack_file_id


@dataclass(frozen=True)
class SlackFile:
    team_id: str
    file_id: str


async def slack_files_of(session: AsyncSession, owner_id: str) -> list[SlackFile]:
    """The person's files that were uploaded to Slack."""
    rows = await session.execute(
        select(StoredFile.slack_team_id, StoredFile.slack_file_id).where(
            StoredFile.owner_id == owner_id, StoredFile.slack_file_id.is_not(None)
        )
    )
    return [SlackFile(team or "", file_id) for team, file_id in rows if file_id]


async def posts_about(session: AsyncSession, person_id: str) -> list[dict[str, Any]]:
    """Where shout-outs and notes about the person were posted (``Recognition.posted``:
    ``{"platform": "slack", "channel", "ts"}`` or ``{"platform": "teams", "channel",
    "activity_id"}``), not yet deleted."""
    rows: Sequence[dict[str, Any]] = (
        await session.scalars(
            select(Recognition.posted).where(
                Recognition.to_id == person_id, Recognition.deleted_at.is_(None)
            )
        )
    ).all()
    return [dict(posted) for posted in rows if posted and posted.get("platform")]


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    """Delete the files whose time has passed (their links already answer 404); how many.
    A copy uploaded to a person's Slack DM is theirs and stays there."""
    result = await session.execute(
        delete(StoredFile).where(StoredFile.expires_at.is_not(None), StoredFile.expires_at <= now)
    )
    return (result.rowcount or 0) if isinstance(result, CursorResult) else 0
