"""Queries for running programs: create, list, edit, open and close them; their admins;
the skills taxonomy; the counts admins watch (texts: ``storage.programs.texts``).

Every function works inside the caller's unit of work and records the admin action it
performs as an AuditEvent (opaque ids only); nothing here commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.programs import ProgramRules, ProgramSettings
from storage.audit import record_audit
from storage.models import (
    AuditEvent,
    Enrollment,
    Person,
    Program,
    ProgramAdmin,
    Skill,
    SkillTranslation,
)
from storage.programs.texts import add_default_texts


async def list_programs(session: AsyncSession) -> list[Program]:
    rows = await session.scalars(select(Program).order_by(Program.starts_on, Program.slug))
    return list(rows)


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return await session.scalar(select(Program.id).where(Program.slug == slug)) is not None


def _apply(program: Program, settings: ProgramSettings) -> None:
    program.name = settings.name
    program.timezone = settings.timezone
    program.starts_on = settings.starts_on
    program.ends_on = settings.ends_on
    program.enrollment_closes_on = settings.enrollment_closes_on
    program.cadence = settings.cadence
    program.session_minutes = settings.session_minutes
    program.capacity_default = settings.capacity_default
    program.approval_required = settings.approval_required
    program.proposal_expiry_days = settings.proposal_expiry_days


async def create_program(
    session: AsyncSession, settings: ProgramSettings, rules: ProgramRules, actor_id: str
) -> Program:
    """A draft program with draft texts to edit and publish; its creator becomes one of
    its admins."""
    program = Program(slug=settings.slug, status="draft", rules=rules.as_json())
    _apply(program, settings)
    session.add(program)
    await session.flush()
    session.add(ProgramAdmin(program_id=program.id, person_id=actor_id))
    add_default_texts(session, program, actor_id)
    record_audit(
        session,
        "program.created",
        actor_id=actor_id,
        program_id=program.id,
        details={"slug": program.slug},
    )
    return program


async def update_program(
    session: AsyncSession,
    program: Program,
    settings: ProgramSettings,
    rules: ProgramRules,
    actor_id: str,
) -> None:
    before = _snapshot(program)
    _apply(program, settings)
    program.rules = rules.as_json(program.rules)
    after = _snapshot(program)
    changed = sorted(k for k in after if after[k] != before[k])
    record_audit(
        session,
        "program.edited",
        actor_id=actor_id,
        program_id=program.id,
        details={"changed": changed},
    )


def _snapshot(program: Program) -> dict[str, object]:
    return {
        "name": program.name,
        "timezone": program.timezone,
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "enrollment_closes_on": program.enrollment_closes_on,
        "cadence": program.cadence,
        "session_minutes": program.session_minutes,
        "capacity_default": program.capacity_default,
        "approval_required": program.approval_required,
        "rules": dict(program.rules or {}),
        "proposal_expiry_days": program.proposal_expiry_days,
    }


def set_status(session: AsyncSession, program: Program, status: str, actor_id: str) -> None:
    record_audit(
        session,
        f"program.{'opened' if status == 'open' else status}",
        actor_id=actor_id,
        program_id=program.id,
        details={"from": program.status, "to": status},
    )
    program.status = status


async def add_program_admin(
    session: AsyncSession, program: Program, person: Person, actor_id: str
) -> bool:
    """False if they are one already."""
    exists = await session.scalar(
        select(ProgramAdmin.id).where(
            ProgramAdmin.program_id == program.id, ProgramAdmin.person_id == person.id
        )
    )
    if exists is not None:
        return False
    session.add(ProgramAdmin(program_id=program.id, person_id=person.id))
    record_audit(
        session,
        "program.admin_added",
        actor_id=actor_id,
        subject_id=person.id,
        program_id=program.id,
    )
    return True


# -- skills -----------------------------------------------------------------------------


async def all_skills(session: AsyncSession) -> list[Skill]:
    """Retired ones too (they stay readable in history), active first."""
    rows = await session.scalars(select(Skill).order_by(Skill.retired_at.is_not(None), Skill.key))
    return list(rows)


async def skill_by_key(session: AsyncSession, key: str) -> Skill | None:
    return await session.scalar(select(Skill).where(Skill.key == key))


async def add_skill(session: AsyncSession, key: str, names: dict[str, str], actor_id: str) -> Skill:
    skill = Skill(key=key, category="digital")
    skill.translations = [SkillTranslation(locale=loc, name=n) for loc, n in names.items()]
    session.add(skill)
    await session.flush()
    record_audit(session, "skill.added", actor_id=actor_id, subject_id=key)
    return skill


def rename_skill(
    session: AsyncSession, skill: Skill, locale: str, name: str, actor_id: str
) -> None:
    translation = next((t for t in skill.translations if t.locale == locale), None)
    old = translation.name if translation else None
    if translation is None:
        skill.translations.append(SkillTranslation(locale=locale, name=name))
    else:
        translation.name = name
    record_audit(
        session,
        "skill.renamed",
        actor_id=actor_id,
        subject_id=skill.key,
        details={"locale": locale, "from": old, "to": name},
    )


def retire_skill(session: AsyncSession, skill: Skill, actor_id: str, now: datetime) -> None:
    """Retired skills are no longer offered; enrollments that name them keep them."""
    skill.retired_at = now
    record_audit(session, "skill.retired", actor_id=actor_id, subject_id=skill.key)


# -- status -----------------------------------------------------------------------------


@dataclass
class ProgramStatus:
    program: Program
    by_role_status: Counter[tuple[str, str]] = field(default_factory=Counter)
    wanted: list[str] = field(default_factory=list)  # skill keys, one per person wanting it
    offered: list[str] = field(default_factory=list)
    invited_unanswered: int = 0

    def count(self, role: str, status: str) -> int:
        """``role`` mentor counts people enrolled as both too."""
        return sum(
            n for (r, s), n in self.by_role_status.items() if s == status and r in (role, "both")
        )


async def program_status(session: AsyncSession, program: Program) -> ProgramStatus:
    status = ProgramStatus(program)
    enrollments = await session.scalars(
        select(Enrollment).where(Enrollment.program_id == program.id)
    )
    answered: set[str] = set()
    for enrollment in enrollments:
        status.by_role_status[(enrollment.role, enrollment.status)] += 1
        if enrollment.status != "draft":
            answered.add(enrollment.person_id)
        if enrollment.status in ("pending", "active"):
            status.wanted += [s["skill"] for s in enrollment.skills_wanted or ()]
            status.offered += [s["skill"] for s in enrollment.skills_offered or ()]
    # Invitations live in the audit trail and the due-action queue, not as enrollments.
    invited = await session.scalars(
        select(func.distinct(AuditEvent.subject_id)).where(
            AuditEvent.program_id == program.id,
            AuditEvent.action == "invitation.sent",
        )
    )
    status.invited_unanswered = len({i for i in invited if i} - answered)
    return status


async def people_by_id(session: AsyncSession, ids: Sequence[str]) -> dict[str, Person]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return {p.id: p for p in await session.scalars(select(Person).where(Person.id.in_(wanted)))}


async def audit_events_since(
    session: AsyncSession,
    since: datetime | None,
    programs: frozenset[int] | None = None,
    limit: int = 30,
) -> list[AuditEvent]:
    """The latest events (at most ``limit``), oldest first; only those of ``programs`` when
    given (a program admin sees their programs' trail, not the deployment's)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if programs is not None:
        query = query.where(AuditEvent.program_id.in_(sorted(programs)))
    rows = list(await session.scalars(query.limit(limit)))
    return rows[::-1]
