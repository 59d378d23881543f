"""Who in a program the bot could not reach, and what the platform said (``admin sessions``).

The notifier marks a platform identity unreachable and records why in the audit trail
(``person.unreachable``); a person is unreachable when none of their identities is left.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent, Enrollment, Person, PlatformIdentity

UNREACHABLE_AUDIT = "person.unreachable"  # dialogs/notify/notifier.py records it


@dataclass(frozen=True)
class Unreached:
    person: Person
    platforms: tuple[str, ...]  # the identities the platforms refused
    reason: str | None  # the last refusal (a platform code such as cannot_dm_bot), if known


async def unreachable_in(session: AsyncSession, program_id: int) -> list[Unreached]:
    """Enrolled people of the program with no reachable identity, with the last reason."""
    enrolled = select(Enrollment.person_id).where(Enrollment.program_id == program_id)
    people = list(
        await session.scalars(
            select(Person).where(Person.id.in_(enrolled), Person.erased_at.is_(None))
        )
    )
    ids = [p.id for p in people]
    identities: dict[str, list[PlatformIdentity]] = {}
    for identity in await session.scalars(
        select(PlatformIdentity).where(PlatformIdentity.person_id.in_(ids))
    ):
        identities.setdefault(identity.person_id, []).append(identity)
    cut_off = [
        p for p in people if identities.get(p.id) and not any(i.reachable for i in identities[p.id])
    ]
    reasons: dict[str, str] = {}
    if cut_off:
        events = await session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == UNREACHABLE_AUDIT,
                AuditEvent.subject_id.in_([p.id for p in cut_off]),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        for event in events:
            reasons[str(event.subject_id)] = str((event.details or {}).get("reason", ""))
    return [
        Unreached(
            p,
            tuple(sorted(i.platform for i in identities[p.id])),
            reasons.get(p.id) or None,
        )
        for p in sorted(cut_off, key=lambda p: p.display_name)
    ]
