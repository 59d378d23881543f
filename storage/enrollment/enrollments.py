"""Queries for enrolling: open programs, the taxonomy, program texts, saving an enrollment
with its availability windows and consents.

Every function works inside the caller's unit of work; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.enrollment import (
    APPROVAL_REQUESTED,
    ENROLLING_STATUSES,
    ApprovalRequest,
    enrollment_open,
)
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.models import (
    AvailabilityWindow,
    CareerStage,
    Consent,
    Enrollment,
    Person,
    Program,
    ProgramText,
    Skill,
)

TEXT_KINDS = ("charter", "privacy")
OFFER_BACK = "offer_back"


def program_today(program: Program, now: datetime) -> date:
    return now.astimezone(ZoneInfo(program.timezone)).date()


def accepts_enrollment(program: Program, now: datetime) -> bool:
    return enrollment_open(
        program.status, program.enrollment_closes_on, program_today(program, now)
    )


async def enrolling_programs(session: AsyncSession, now: datetime) -> list[Program]:
    """Programs whose enrollment is open today (in each program's own time zone)."""
    programs = await session.scalars(
        select(Program)
        .where(Program.status.in_(ENROLLING_STATUSES))
        .order_by(Program.starts_on, Program.name)
    )
    return [p for p in programs if accepts_enrollment(p, now)]


async def program_by_slug(session: AsyncSession, slug: str) -> Program | None:
    """The program a person or an admin named: slugs are stored trimmed and lower case."""
    return await session.scalar(select(Program).where(Program.slug == slug.strip().lower()))


async def enrollment_of(
    session: AsyncSession, program_id: int, person_id: str
) -> Enrollment | None:
    return await session.scalar(
        select(Enrollment).where(
            Enrollment.program_id == program_id, Enrollment.person_id == person_id
        )
    )


async def career_stage_key(session: AsyncSession, person: Person) -> str | None:
    if person.career_stage_id is None:
        return None
    stage = await session.get(CareerStage, person.career_stage_id)
    return stage.key if stage else None


async def active_skills(session: AsyncSession) -> list[Skill]:
    """The taxonomy without retired skills, in a stable order."""
    rows = await session.scalars(
        select(Skill).where(Skill.retired_at.is_(None)).order_by(Skill.category, Skill.id)
    )
    return list(rows)


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(
        select(Person).where(
            func.lower(Person.email) == email.strip().lower(), Person.erased_at.is_(None)
        )
    )


@dataclass(frozen=True)
class CurrentText:
    kind: str
    version: int
    locale: str  # the language it is written in (the reader's, or the other one)
    body: str


async def current_text(
    session: AsyncSession, program: Program, kind: str, locale: str
) -> CurrentText | None:
    """The version people accept now, in their language or else the other one.

    The program's own texts win over the deployment-wide ones (``program_id`` None); the
    version is the one the program names, or the latest published.
    """
    named = program.charter_version if kind == "charter" else program.privacy_version
    for owner in (program.id, None):
        query = select(ProgramText).where(
            ProgramText.kind == kind,
            ProgramText.published_at.is_not(None),
            ProgramText.program_id.is_(None) if owner is None else ProgramText.program_id == owner,
        )
        texts = list(await session.scalars(query))
        if not texts:
            continue
        version = (
            named
            if named is not None and any(t.version == named for t in texts)
            else max(t.version for t in texts)
        )
        by_locale = {t.locale: t for t in texts if t.version == version}
        text = by_locale.get(locale) or next(iter(sorted(by_locale.items())))[1]
        return CurrentText(kind, version, text.locale, text.body)
    return None


async def accepted_versions(
    session: AsyncSession, person_id: str, program_id: int
) -> set[tuple[str, int]]:
    rows = await session.execute(
        select(Consent.text_kind, Consent.text_version).where(
            Consent.person_id == person_id, Consent.program_id == program_id
        )
    )
    return {(kind, version) for kind, version in rows}


async def record_consent(
    session: AsyncSession, person_id: str, program_id: int, text: CurrentText, now: datetime
) -> bool:
    """A Consent row and its AuditEvent, once per text version; False if already given."""
    if (text.kind, text.version) in await accepted_versions(session, person_id, program_id):
        return False
    session.add(
        Consent(
            person_id=person_id,
            program_id=program_id,
            text_kind=text.kind,
            text_version=text.version,
            locale=text.locale,
            accepted_at=now,
        )
    )
    record_audit(
        session,
        "consent.accepted",
        actor_id=person_id,
        subject_id=person_id,
        program_id=program_id,
        details={"kind": text.kind, "version": text.version, "locale": text.locale},
    )
    return True


@dataclass
class EnrollmentAnswers:
    """What the person entered, ready to store."""

    role: str
    skills_offered: list[dict[str, Any]] = field(default_factory=list)
    skills_wanted: list[dict[str, Any]] = field(default_factory=list)
    offers_back: list[str] = field(default_factory=list)
    goals: str | None = None
    preferred_cadence: str | None = None
    languages: list[str] = field(default_factory=list)
    format: str = "remote"
    location: str | None = None
    capacity: int = 0
    motivation: str | None = None
    windows: Sequence[tuple[int, time, time]] = ()
    timezone: str = "Europe/Paris"


async def save_enrollment(
    session: AsyncSession,
    program_id: int,
    person_id: str,
    answers: EnrollmentAnswers,
    status: str,
) -> tuple[Enrollment, bool]:
    """Insert or update the person's one enrollment in the program; True when created.

    The row is locked while it is rewritten, and (program, person) is unique, so two late
    confirmations can never make two enrollments.
    """
    enrollment = await session.scalar(
        select(Enrollment)
        .where(Enrollment.program_id == program_id, Enrollment.person_id == person_id)
        .with_for_update()
    )
    created = enrollment is None
    if enrollment is None:
        enrollment = Enrollment(program_id=program_id, person_id=person_id)
        session.add(enrollment)
    enrollment.role = answers.role
    enrollment.skills_offered = list(answers.skills_offered)
    enrollment.skills_wanted = list(answers.skills_wanted)
    enrollment.offers_back = list(answers.offers_back)
    enrollment.goals = answers.goals
    enrollment.preferred_cadence = answers.preferred_cadence
    enrollment.languages = list(answers.languages)
    enrollment.format = answers.format
    enrollment.location = answers.location
    enrollment.capacity = answers.capacity
    enrollment.motivation = answers.motivation
    enrollment.status = status
    if status != "paused":
        enrollment.paused_until = None
    enrollment.availability = [
        AvailabilityWindow(weekday=day, start=start, end=end, timezone=answers.timezone)
        for day, start, end in answers.windows
    ]
    await session.flush()
    return enrollment, created


async def queue_approval_request(
    session: AsyncSession, program_id: int, enrollment_id: int, now: datetime
) -> bool:
    """Each time an enrollment becomes pending, its admins get the cards once."""
    return await enqueue_due(
        session, APPROVAL_REQUESTED, ApprovalRequest(program_id, enrollment_id), now
    )
