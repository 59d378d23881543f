"""Each person's own data: ``my data`` and ``forget me``, in the chat; and the nightly
removal of files past their expiry."""

from __future__ import annotations

import structlog

from bot.domain.personal_data import FORGET_ME, PURGE_FILES_ROUTINE, PURGE_FILES_TRIGGER
from dialogs.core.feature import DueContext, Feature, Recurring
from dialogs.personal_data.forget_me import (
    FORGET_ME_ACTION,
    FORGET_ME_FLOW,
    ask_to_confirm,
    forget_me,
)
from dialogs.personal_data.my_data import send_my_data
from storage.files import purge_expired

log = structlog.get_logger("tandem.files")


async def purge_files(due: DueContext) -> None:
    async with due.database.unit_of_work(immediate=True) as session:
        purged = await purge_expired(session, due.due_at)
    if purged:
        log.info("files.purged", count=purged)


PERSONAL_DATA = Feature(
    name="personal_data",
    flows=(FORGET_ME_FLOW,),
    commands={"my data": send_my_data, "forget me": ask_to_confirm},
    actions={FORGET_ME_ACTION: ask_to_confirm},
    due={FORGET_ME: forget_me},
    routines=(Recurring(PURGE_FILES_ROUTINE, PURGE_FILES_TRIGGER, purge_files),),
)
