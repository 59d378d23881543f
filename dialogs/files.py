"""Sending a file to a person in chat: the one way every capability does it.

Store the bytes with ``storage.files.store_file``, then send ``file_message(...)`` (as a
turn's reply, or from a presenter): Slack uploads the file into the person's direct
messages (files.getUploadURLExternal / completeUploadExternal) and records where it went;
Teams and the console get a signed, expiring link to ``GET /files/{token}`` on
``TANDEM_PUBLIC_URL`` (and an image shown inline).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.files import FileKeys, link_expiry
from bot.domain.sessions.calendar_access import CalendarKeys
from dialogs.core.content import Paragraph
from dialogs.core.ui import Attachment, Header, Message, Section, Visibility
from storage.db import Database
from storage.files import live_file
from storage.models import StoredFile


def file_keys(calendar: CalendarKeys | None) -> FileKeys | None:
    """File links are signed with the deployment's secret and public URL, the same pair
    that signs calendar links (``ctx.calendar``, ``NotifierConfig.calendar``); None
    without a secret (links are then left out, Slack still gets the file)."""
    if calendar is None:
        return None
    return FileKeys(calendar.public_url, calendar.secret_key)


def attachment(stored: StoredFile, keys: FileKeys | None, label: str, now: datetime) -> Attachment:
    """The file as a message block; its link lives ``LINK_LIFETIME`` (never past the file)."""
    url = keys.url(stored.id, link_expiry(now, stored.expires_at)) if keys is not None else ""
    return Attachment(stored.id, stored.filename, stored.media_type, label, url)


def file_message(
    stored: StoredFile,
    keys: FileKeys | None,
    *,
    title: str,
    text: str,
    label: str,
    now: datetime,
    visibility: Visibility = "conversation",
) -> Message:
    """A message carrying one stored file: ``title`` (header and notification text),
    ``text`` (what it is), ``label`` (the link's words on Teams and the console)."""
    return Message(
        (
            Header(title),
            Section((Paragraph.of(text),)),
            attachment(stored, keys, label, now),
        ),
        summary=title,
        visibility=visibility,
    )


async def served_file(
    database: Database, keys: FileKeys, token: str, now: datetime
) -> tuple[str, str, bytes] | None:
    """``GET /files/{token}``: (filename, media type, bytes), or None for a token we did
    not sign, one past its time, or a file deleted or expired since (the same 404)."""
    file_id = keys.file_of(token, now)
    if file_id is None:
        return None
    async with database.unit_of_work() as session:
        stored = await live_file(session, file_id, now)
        if stored is None:
            return None
        return stored.filename, stored.media_type, bytes(stored.content)
