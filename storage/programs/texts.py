"""Versioned program texts (charter, privacy notice): drafts, publishing, the versions
people accepted, and the default drafts a new program starts from.

Every function works inside the caller's unit of work and records the admin action it
performs as an AuditEvent (opaque ids only); nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.program_texts import DEFAULT_TEXTS
from bot.domain.programs import TEXT_KINDS, next_text_version
from storage.audit import record_audit
from storage.enrollment.enrollments import current_text
from storage.models import Consent, Enrollment, Program, ProgramText

ENROLLED = ("pending", "active", "paused")  # people a new text version concerns


def current_version(program: Program, kind: str) -> int | None:
    return program.charter_version if kind == "charter" else program.privacy_version


async def _own_texts(session: AsyncSession, program: Program, kind: str) -> list[ProgramText]:
    rows = await session.scalars(
        select(ProgramText).where(ProgramText.program_id == program.id, ProgramText.kind == kind)
    )
    return list(rows)


async def save_draft(
    session: AsyncSession,
    program: Program,
    kind: str,
    locale: str,
    body: str,
    actor_id: str | None,
) -> int:
    """The next version's text in one language, unpublished; returns that version."""
    texts = await _own_texts(session, program, kind)
    published = [t.version for t in texts if t.published_at is not None]
    version = next_text_version([*published, current_version(program, kind) or 0])
    draft = next((t for t in texts if t.version == version and t.locale == locale), None)
    if draft is None:
        draft = ProgramText(
            program_id=program.id,
            kind=kind,
            version=version,
            locale=locale,
            body=body,
            created_by=actor_id,
        )
        session.add(draft)
    else:
        draft.body, draft.created_by = body, actor_id
    record_audit(
        session,
        "texts.edited",
        actor_id=actor_id,
        program_id=program.id,
        details={"kind": kind, "locale": locale, "version": version},
    )
    return version


async def draft_of(
    session: AsyncSession, program: Program, kind: str, locale: str
) -> ProgramText | None:
    return next(
        (
            t
            for t in await _own_texts(session, program, kind)
            if t.published_at is None and t.locale == locale
        ),
        None,
    )


@dataclass(frozen=True)
class Published:
    version: int
    locales: tuple[str, ...]  # written for this version
    carried: tuple[str, ...]  # kept from the previous version (not edited this time)


async def publish(
    session: AsyncSession,
    program: Program,
    kind: str,
    actor_id: str | None,
    previous_bodies: dict[str, str],
    now: datetime,
) -> Published | None:
    """Publish the drafts of the next version; languages without a draft keep the previous
    wording (``previous_bodies``, by locale) so that nobody loses their language. None if
    there is no draft."""
    drafts = [t for t in await _own_texts(session, program, kind) if t.published_at is None]
    if not drafts:
        return None
    version = drafts[0].version
    for draft in drafts:
        draft.published_at = now
    written = {d.locale for d in drafts}
    carried = sorted(set(previous_bodies) - written)
    for locale in carried:
        session.add(
            ProgramText(
                program_id=program.id,
                kind=kind,
                version=version,
                locale=locale,
                body=previous_bodies[locale],
                published_at=now,
                created_by=actor_id,
            )
        )
    if kind == "charter":
        program.charter_version = version
    else:
        program.privacy_version = version
    details = {"kind": kind, "version": version, "locales": sorted(written)}
    record_audit(
        session, "texts.published", actor_id=actor_id, program_id=program.id, details=details
    )
    return Published(version, tuple(sorted(written)), tuple(carried))


async def published_bodies(
    session: AsyncSession, program: Program, kind: str, version: int | None
) -> dict[str, str]:
    """A published version's text by locale: the program's own, else the deployment's."""
    if version is None:
        return {}
    for owner in (program.id, None):
        rows = await session.scalars(
            select(ProgramText).where(
                ProgramText.kind == kind,
                ProgramText.version == version,
                ProgramText.published_at.is_not(None),
                ProgramText.program_id.is_(None)
                if owner is None
                else ProgramText.program_id == owner,
            )
        )
        found = {t.locale: t.body for t in rows}
        if found:
            return found
    return {}


async def stale_consents(session: AsyncSession, program: Program, kind: str) -> list[Enrollment]:
    """Enrolled people whose accepted version of the text is older than the current one."""
    version = current_version(program, kind)
    if version is None:
        return []
    accepted = (
        select(Consent.person_id, func.max(Consent.text_version).label("version"))
        .where(Consent.program_id == program.id, Consent.text_kind == kind)
        .group_by(Consent.person_id)
        .subquery()
    )
    rows = await session.scalars(
        select(Enrollment)
        .outerjoin(accepted, accepted.c.person_id == Enrollment.person_id)
        .where(
            Enrollment.program_id == program.id,
            Enrollment.status.in_(ENROLLED),
            func.coalesce(accepted.c.version, 0) < version,
        )
        .order_by(Enrollment.id)
    )
    return list(rows)


def add_default_texts(
    session: AsyncSession,
    program: Program,
    actor_id: str | None,
    published_at: datetime | None = None,
) -> None:
    """A new program's first charter and privacy notice, in French and English: drafts the
    program team edits and publishes (it cannot open for enrollment before), or published
    at once for a program that opens as it is created (``tandem demo-data``)."""
    for kind in TEXT_KINDS:
        for locale, body in DEFAULT_TEXTS[kind].items():
            session.add(
                ProgramText(
                    program_id=program.id,
                    kind=kind,
                    version=1,
                    locale=locale,
                    body=body,
                    published_at=published_at,
                    created_by=actor_id,
                )
            )
    if published_at is not None:
        program.charter_version = program.privacy_version = 1


async def published_kinds(session: AsyncSession, program: Program) -> tuple[str, ...]:
    """The texts people can read and accept now (the program's own or the deployment's)."""
    return tuple([kind for kind in TEXT_KINDS if await current_text(session, program, kind, "fr")])
