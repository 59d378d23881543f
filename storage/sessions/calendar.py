"""What a person's calendar feed is made of: their pairings' sessions and each partner's name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from storage.db import Database
from storage.models import CheckIn, Pairing, Person, PlatformIdentity


@dataclass(frozen=True)
class CalendarRow:
    """One check-in of the reader's, with only what a calendar may show of the partner."""

    id: int  # the check-in's
    scheduled_at: datetime
    duration_minutes: int
    status: str
    sequence: int
    confirmed_at: datetime | None
    zone: str | None
    partner_name: str | None  # first and last name; None once erased or never given


@dataclass(frozen=True)
class PersonCalendar:
    person_id: str
    locale: str | None  # the person's own choice
    platform_locales: tuple[str, ...]  # what their platforms last reported
    # One entry per pairing: None while active, else when it ended.
    pairing_ends: tuple[datetime | None, ...]
    rows: tuple[CalendarRow, ...]


def calendar_name(person: Person | None) -> str | None:
    """How calendars name a partner: first and last name, nothing when erased or unnamed."""
    # Never the email (Person.display_name falls back to it): a calendar may be shared.
    if person is None or person.erased_at is not None:
        return None
    return " ".join(p for p in (person.first_name, person.last_name) if p) or None


async def person_calendar(
    database: Database, person_id: str, *, check_in_id: int | None = None
) -> PersonCalendar | None:
    """The reader's pairings and their check-ins (only ``check_in_id`` when given);
    None when the person does not exist or was erased."""
    async with database.unit_of_work() as session:
        person = await session.get(Person, person_id)
        if person is None or person.erased_at is not None:
            return None
        locales = (
            await session.scalars(
                select(PlatformIdentity.locale).where(PlatformIdentity.person_id == person_id)
            )
        ).all()
        pairings = (
            await session.scalars(
                select(Pairing).where(
                    or_(Pairing.mentor_id == person_id, Pairing.mentee_id == person_id)
                )
            )
        ).all()
        partners = {
            p.id: p.mentee_id if p.mentor_id == person_id else p.mentor_id for p in pairings
        }
        people = {
            p.id: p
            for p in (
                await session.scalars(select(Person).where(Person.id.in_(set(partners.values()))))
            ).all()
        }
        query = select(CheckIn).where(CheckIn.pairing_id.in_(list(partners)))
        if check_in_id is not None:
            query = query.where(CheckIn.id == check_in_id)
        check_ins = (await session.scalars(query.order_by(CheckIn.scheduled_at))).all()
        rows = tuple(
            CalendarRow(
                id=c.id,
                scheduled_at=c.scheduled_at,
                duration_minutes=c.duration_minutes,
                status=c.status,
                sequence=c.sequence,
                confirmed_at=c.confirmed_at,
                zone=c.zone,
                partner_name=calendar_name(people.get(partners[c.pairing_id])),
            )
            for c in check_ins
        )
        return PersonCalendar(
            person_id=person_id,
            locale=person.locale,
            platform_locales=tuple(locale for locale in locales if locale),
            pairing_ends=tuple(
                None if p.status == "active" else (p.ended_at or p.updated_at) for p in pairings
            ),
            rows=rows,
        )
