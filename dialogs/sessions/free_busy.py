"""Free/busy for slot offers: busy times of both people dropped, their calendar's working
hours used when they gave no windows. Read before a unit of work opens (a provider may
take up to its 2-s deadline; no database lock waits on it), kept only in the reader's
memory for minutes; a click reuses what was read, never waits on a provider.

The server sets ``FREE_BUSY.reader`` at start-up from the settings (None: no provider).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.sessions.busy import Answer, FreeBusyReader
from bot.domain.sessions.settings import SessionSettings
from storage.db import Database
from storage.models import Pairing, Person, Program


class FreeBusySource:
    def __init__(self) -> None:
        self.reader: FreeBusyReader | None = None


FREE_BUSY = FreeBusySource()


def window(now: datetime, settings: SessionSettings) -> tuple[datetime, datetime]:
    """What is read: as far as the slot rules may look (twice the horizon when taken)."""
    return now, now + timedelta(days=2 * settings.horizon_days + 1)


async def readable(session: AsyncSession, pairing: Pairing) -> dict[str, str]:
    """Email -> person id of the pair's people whose calendar may be read: not those who
    said "don't read my calendar", nor anyone when the program reads none by default and
    they never said yes."""
    program = await session.get(Program, pairing.program_id)
    default = SessionSettings.of(program.session_settings if program else None).read_calendars
    people = await session.scalars(
        select(Person).where(Person.id.in_((pairing.mentor_id, pairing.mentee_id)))
    )
    return {
        p.email.lower(): p.id
        for p in people
        if p.email and p.erased_at is None
        and (p.reads_calendar if p.reads_calendar is not None else default)
    }  # fmt: skip


async def read_for_pairing(
    database: Database, pairing_id: int, now: datetime, settings: SessionSettings
) -> dict[str, Answer]:
    """Person id -> what their calendar says (absent: not read, windows apply)."""
    reader = FREE_BUSY.reader
    if reader is None:
        return {}
    async with database.unit_of_work() as session:
        pairing = await session.get(Pairing, pairing_id)
        people = await readable(session, pairing) if pairing is not None else {}
    if not people:
        return {}
    answers = await reader.read(list(people), *window(now, settings))
    return _by_person(answers, people)


async def remembered_for_pairing(
    session: AsyncSession, pairing: Pairing, now: datetime, settings: SessionSettings
) -> dict[str, Answer]:
    """The same from what was read in the last minutes, without calling a provider."""
    reader = FREE_BUSY.reader
    if reader is None:
        return {}
    people = await readable(session, pairing)
    return _by_person(reader.remembered(list(people), *window(now, settings)), people)


def _by_person(answers: Mapping[str, Answer], people: Mapping[str, str]) -> dict[str, Answer]:
    return {people[email]: answer for email, answer in answers.items() if email in people}
