"""The nightly look at every program and the erasure it queues.

The routine queues, for each program whose day has come (or comes before its next runs)
and that still holds free text, one ``retention.erase`` action keyed by program and
instant, so a rerun queues nothing twice. The action checks the program's date again when
it runs: a period lengthened meanwhile makes it do nothing; a period shortened queues its
own action (``dialogs/retention/feature.py``).
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.retention import EraseTexts, due_now, when_to_queue
from dialogs.core.feature import DueContext
from storage.models import Program
from storage.retention import erase_texts, program_erase_at, queue_erasure, waiting_texts

log = structlog.get_logger("tandem.retention")


async def queue_if_due(session: AsyncSession, program: Program, now: datetime) -> datetime | None:
    """Queue the program's erasure if its time comes before the next runs and text waits;
    when it was queued for (None: not queued)."""
    erase_when = program_erase_at(program)
    if when_to_queue(erase_when, now, 1) is None:  # not yet: no need to count
        return None
    waiting = (await waiting_texts(session, [program.id])).get(program.id)
    when = when_to_queue(erase_when, now, waiting.total if waiting else 0)
    if when is not None:
        await queue_erasure(session, program, when)
    return when


async def nightly(due: DueContext) -> None:
    """The daily routine: ``due.due_at`` is its fire time (its "now")."""
    queued = 0
    async with due.database.unit_of_work(immediate=True) as session:
        for program in await session.scalars(select(Program).order_by(Program.id)):
            queued += await queue_if_due(session, program, due.due_at) is not None
    log.info("retention.looked", queued=queued)


async def erase(due: DueContext, payload: EraseTexts) -> None:
    """Erase one program's free text if its date, as set now, has come."""
    async with due.database.unit_of_work(immediate=True) as session:
        program = await session.get(Program, payload.program_id)
        if program is None:
            return
        if not due_now(program_erase_at(program), due.due_at):
            log.info("retention.not_yet", program_id=program.id)
            return
        erased = await erase_texts(session, program, due.due_at)
    log.info("retention.erased", program_id=payload.program_id, **erased.counts())
