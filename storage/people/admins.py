"""Who is an admin, decided in one place.

Deployment admins are named in ``TANDEM_ADMINS`` (emails or platform user ids) and see
every program; a program's admins (``program_admins``) see their program. Commands,
notifications and reports all ask here, so a person who can run ``admin …`` commands is
also a person the program team's messages reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Enrollment, Person, PlatformIdentity, Program, ProgramAdmin

# Why a message to the program team waits (see ``storage.due_runner.Wait``): any admin's
# next interaction releases it.
WAITING_FOR_AN_ADMIN = "waiting for an admin: nobody in the program team can read it yet"


def _entries(deployment_admins: Iterable[str]) -> tuple[set[str], set[str]]:
    """(emails, platform user ids) named in TANDEM_ADMINS, lower-cased."""
    entries = {a.strip().lower() for a in deployment_admins if a.strip()}
    emails = {e for e in entries if "@" in e}
    return emails, entries - emails


def names_deployment_admin(
    deployment_admins: Iterable[str], user_id: str, email: str | None, *, platform: str
) -> bool:
    """Does TANDEM_ADMINS name this actor? ``email`` only when it proves identity (an
    allow-listed tenant, or the person's own record); the console's user ids are anyone's."""
    emails, user_ids = _entries(deployment_admins)
    if platform != "console" and user_id.lower() in user_ids:
        return True
    return email is not None and email.lower() in emails


async def deployment_admin_ids(session: AsyncSession, deployment_admins: Iterable[str]) -> set[str]:
    """The people TANDEM_ADMINS names: by their recorded email (recorded only when it was
    proven), or by one of their platform user ids (not the console's)."""
    emails, user_ids = _entries(deployment_admins)
    clauses = []
    if emails:
        clauses.append(func.lower(Person.email).in_(emails))
    if user_ids:
        clauses.append(
            Person.id.in_(
                select(PlatformIdentity.person_id).where(
                    func.lower(PlatformIdentity.user_id).in_(user_ids),
                    PlatformIdentity.platform != "console",
                )
            )
        )
    if not clauses:
        return set()
    rows = await session.scalars(select(Person.id).where(or_(*clauses), Person.erased_at.is_(None)))
    return set(rows)


async def admins_among(
    session: AsyncSession, person_ids: Sequence[str], deployment_admins: Iterable[str]
) -> set[str]:
    """Which of these people are admins: of the deployment, or of at least one program."""
    program_admins = await session.scalars(
        select(ProgramAdmin.person_id).where(ProgramAdmin.person_id.in_(list(person_ids)))
    )
    admins = await deployment_admin_ids(session, deployment_admins) | set(program_admins)
    return admins & set(person_ids)


async def admins_of(
    session: AsyncSession, program_ids: Sequence[int], deployment_admins: Iterable[str]
) -> list[str]:
    """Who reads about these programs: their program admins and every deployment admin."""
    ids = await deployment_admin_ids(session, deployment_admins)
    if program_ids:
        ids |= set(
            await session.scalars(
                select(ProgramAdmin.person_id)
                .join(Person, Person.id == ProgramAdmin.person_id)
                .where(ProgramAdmin.program_id.in_(program_ids), Person.erased_at.is_(None))
            )
        )
    return sorted(ids)


async def program_team(
    session: AsyncSession, program_ids: Sequence[int], deployment_admins: Iterable[str]
) -> list[str]:
    """Who reads a person's message to the program team: the admins of the programs they
    take part in (none: of every open program) and the deployment admins."""
    if not program_ids:
        program_ids = list(
            await session.scalars(select(Program.id).where(Program.status == "open"))
        )
    return await admins_of(session, program_ids, deployment_admins)


async def admins_of_person(
    session: AsyncSession, person_id: str, deployment_admins: Iterable[str]
) -> list[str]:
    """Who reads about a person: the admins of the programs they enrolled in, and every
    deployment admin."""
    program_ids = await session.scalars(
        select(Enrollment.program_id).where(Enrollment.person_id == person_id)
    )
    return await admins_of(session, sorted(set(program_ids)), deployment_admins)


async def program_admin_ids(session: AsyncSession, program_id: int) -> list[str]:
    """The program's own admins (not the deployment's)."""
    rows = await session.scalars(
        select(ProgramAdmin.person_id).where(ProgramAdmin.program_id == program_id)
    )
    return sorted(set(rows))


async def administered_programs(session: AsyncSession, person_id: str) -> frozenset[int]:
    """The programs a person runs as a program admin (their admin commands reach those)."""
    rows = await session.scalars(
        select(ProgramAdmin.program_id).where(ProgramAdmin.person_id == person_id)
    )
    return frozenset(rows)
