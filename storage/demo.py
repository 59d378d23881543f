"""Seed the demo organisation (bot/domain/demo_organisation.py) into an empty database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import demo_organisation as demo
from bot.domain.sessions.scheduling import OFFER, PairingSlots
from storage.db import Database
from storage.enqueue import enqueue_due
from storage.models import (
    AuditEvent,
    AvailabilityWindow,
    CareerStage,
    Consent,
    Enrollment,
    Organisation,
    Pairing,
    Person,
    PlatformIdentity,
    Program,
    ProgramAdmin,
    ProgramText,
)
from storage.types import new_opaque_id

TEXT_VERSION = 1


@dataclass(frozen=True)
class DemoSummary:
    created: bool  # False: the demo organisation was already there, nothing was written
    organisation: str
    people: int
    departments: int
    time_zones: tuple[str, ...]
    program_slug: str
    program_name: str
    admin_email: str
    enrollments: int


class DemoDatabaseNotEmpty(Exception):
    """The database holds people or programs of a real organisation: the demo stays out."""

    def __init__(self) -> None:
        super().__init__(
            "this database already holds people or programs; "
            "the demo organisation is only seeded into an empty database"
        )


async def _summary(session: AsyncSession, organisation: Organisation, created: bool) -> DemoSummary:
    people = (
        await session.execute(
            select(
                func.count(Person.id),
                func.count(func.distinct(Person.department)),
            ).where(Person.organisation_id == organisation.id)
        )
    ).one()
    zones = await session.scalars(
        select(Person.timezone)
        .where(Person.organisation_id == organisation.id, Person.timezone.is_not(None))
        .distinct()
    )
    program = await session.scalar(select(Program).where(Program.slug == demo.PROGRAM_SLUG))
    enrollments = 0
    if program is not None:
        enrollments = (
            await session.scalar(
                select(func.count(Enrollment.id)).where(Enrollment.program_id == program.id)
            )
            or 0
        )
    return DemoSummary(
        created=created,
        organisation=organisation.name,
        people=people[0],
        departments=people[1],
        time_zones=tuple(sorted(z for z in zones if z)),
        program_slug=demo.PROGRAM_SLUG,
        program_name=program.name if program is not None else "",
        admin_email=demo.ADMIN_EMAIL,
        enrollments=enrollments,
    )


async def seed_demo(database: Database, now: datetime) -> DemoSummary:
    """Create the demo organisation once; later calls change nothing and say so.

    Raises DemoDatabaseNotEmpty when the database holds other people or programs.
    """
    async with database.unit_of_work(immediate=True) as session:
        existing = await session.scalar(
            select(Organisation).where(Organisation.name == demo.ORGANISATION_NAME)
        )
        if existing is not None:
            return await _summary(session, existing, created=False)
        people_count = await session.scalar(select(func.count(Person.id)))
        program_count = await session.scalar(select(func.count(Program.id)))
        if people_count or program_count:
            raise DemoDatabaseNotEmpty()

        organisation = Organisation(name=demo.ORGANISATION_NAME)
        session.add(organisation)
        await session.flush()
        stages = await session.execute(select(CareerStage.key, CareerStage.id))
        stage_ids: dict[str, int] = {key: stage_id for key, stage_id in stages}

        ids = {p.email: new_opaque_id() for p in demo.PEOPLE}
        for number, entry in enumerate(demo.PEOPLE, start=1):
            person_id = ids[entry.email]
            # Managers come before their reports, and the ORM inserts in the order added.
            session.add(
                Person(
                    id=person_id,
                    organisation_id=organisation.id,
                    employee_id=f"TD{number:04d}",
                    email=entry.email,
                    first_name=entry.first_name,
                    last_name=entry.last_name,
                    title=entry.title,
                    department=entry.department,
                    manager_id=ids[entry.manager] if entry.manager else None,
                    career_stage_id=stage_ids.get(entry.stage),
                    location=entry.location,
                    timezone=entry.timezone,
                    locale=entry.locale,
                    languages=entry.languages,
                    preferred_platform="console",
                )
            )
            session.add(
                PlatformIdentity(
                    person_id=person_id,
                    platform="console",
                    tenant_id=demo.CONSOLE_TENANT,
                    user_id=person_id,
                    display_name=f"{entry.first_name} {entry.last_name}",
                    email=entry.email,
                    last_seen_at=now,
                )
            )
        await session.flush()

        spec = demo.demo_program(now.date())
        program = Program(
            organisation_id=organisation.id,
            slug=spec.slug,
            name=spec.name,
            timezone=spec.timezone,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            enrollment_closes_on=spec.enrollment_closes_on,
            cadence=spec.cadence,
            session_minutes=spec.session_minutes,
            capacity_default=1,
            approval_required=False,
            rules=dict(spec.rules),
            charter_version=TEXT_VERSION,
            privacy_version=TEXT_VERSION,
            status="open",
        )
        session.add(program)
        await session.flush()
        admin_id = ids[demo.ADMIN_EMAIL]
        session.add(ProgramAdmin(program_id=program.id, person_id=admin_id))
        for kind, texts in (("charter", demo.CHARTER), ("privacy", demo.PRIVACY)):
            for locale, body in texts.items():
                session.add(
                    ProgramText(
                        program_id=program.id,
                        kind=kind,
                        version=TEXT_VERSION,
                        locale=locale,
                        body=body,
                        published_at=now,
                        created_by=admin_id,
                    )
                )
        by_email = {p.email: p for p in demo.PEOPLE}
        for enrolment in demo.ENROLLMENTS:
            person = by_email[enrolment.email]
            session.add(_enrollment(program.id, ids[enrolment.email], person, enrolment))
            for kind in ("charter", "privacy"):
                session.add(
                    Consent(
                        person_id=ids[enrolment.email],
                        program_id=program.id,
                        text_kind=kind,
                        text_version=TEXT_VERSION,
                        locale=person.locale,
                        accepted_at=now,
                    )
                )
        for mentor, mentee in demo.ACTIVE_PAIRS:
            pairing = Pairing(
                program_id=program.id, mentor_id=ids[mentor], mentee_id=ids[mentee], started_at=now
            )
            session.add(pairing)
            await session.flush()
            # Both accepted: each gets the first slot card as soon as the demo serves.
            await enqueue_due(session, OFFER, PairingSlots(pairing.id), now)
        session.add(AuditEvent(action="demo.seeded", subject_id=str(organisation.id)))
        await session.flush()
        return await _summary(session, organisation, created=True)


def _enrollment(
    program_id: int, person_id: str, person: demo.DemoPerson, spec: demo.DemoEnrollment
) -> Enrollment:
    return Enrollment(
        program_id=program_id,
        person_id=person_id,
        role=spec.role,
        skills_offered=[{"skill": key, "level": level} for key, level in spec.skills_offered],
        skills_wanted=[{"skill": key, "level": level} for key, level in spec.skills_wanted],
        offers_back=list(spec.offers_back),
        goals=spec.goals,
        languages=person.languages,
        format=spec.format,
        location=person.location,
        capacity=spec.capacity,
        motivation=spec.motivation,
        status="active",
        availability=[
            AvailabilityWindow(
                weekday=weekday,
                start=time.fromisoformat(start),
                end=time.fromisoformat(end),
                timezone=person.timezone,
            )
            for weekday, start, end in spec.windows
        ],
    )
