"""Files in Slack: a message's ``Attachment`` blocks are uploaded into the conversation with
slack_sdk's ``files_upload_v2`` (files.getUploadURLExternal, the upload itself, then
files.completeUploadExternal; the retired files.upload is never used), and where each went
is recorded so that forgetting its owner can delete it (``files.delete``)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from dialogs.core.ui import Attachment, Message
from storage.db import Database
from storage.files import uploaded_to_slack
from storage.models import StoredFile

log = logging.getLogger(__name__)
# Deleting a file that is already gone is done, not a failure.
ALREADY_GONE = frozenset({"file_not_found", "file_deleted"})


def attachments_of(message: Message) -> list[Attachment]:
    return [block for block in message.blocks if isinstance(block, Attachment)]


async def upload(
    client: AsyncWebClient, database: Database, team_id: str, channel: str, message: Message
) -> None:
    """Upload each file the message carries into ``channel`` (the person's DM)."""
    for item in attachments_of(message):
        async with database.unit_of_work() as session:
            stored = await session.get(StoredFile, item.file_id)
            content = bytes(stored.content) if stored is not None else None
        if content is None:  # deleted meanwhile (its owner was forgotten): nothing to send
            log.info("slack: file %s is gone, not uploaded", item.file_id)
            continue
        answer = await client.files_upload_v2(
            channel=channel, file=content, filename=item.filename, title=item.filename
        )
        files = answer.get("files") or []
        slack_id = str(files[0].get("id", "")) if files and isinstance(files[0], dict) else ""
        if slack_id:
            async with database.unit_of_work(immediate=True) as session:  # read, then write
                await uploaded_to_slack(session, item.file_id, team_id, slack_id)


async def delete_file(client: AsyncWebClient, file_id: str) -> None:
    try:
        await client.files_delete(file=file_id)
    except SlackApiError as error:
        if error.response.get("error") not in ALREADY_GONE:
            raise
