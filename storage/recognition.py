"""Recognition rows, certificate files and what they are made of.

``Recognition`` keeps what the program gave a mentor (``thanks``, ``certificate``,
``shout_out``, ``manager_note``) by opaque id; the mentee's words are its ``text``; a
shout-out's place in its channel is its ``posted`` ({"platform": "slack", "channel", "ts"}
or {"platform": "teams", "conversation_id", "activity_id"}) so that forgetting can delete
it there. A mentor's answer to "may we thank you publicly?" is an audit event.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.recognition import Consent
from storage.audit import record_audit
from storage.models import (
    AuditEvent,
    CheckIn,
    Enrollment,
    Pairing,
    Person,
    PlatformIdentity,
    Program,
    Recognition,
)

CONSENT_AUDIT = "recognition.consent"
CHANNEL_RULE = "recognition_channel"  # Program.rules key: where shout-outs go


async def held_sessions(session: AsyncSession, pairing_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.pairing_id == pairing_id, CheckIn.status == "held")
    )
    return int(count or 0)


async def thankable_pairings(
    session: AsyncSession, mentee_id: str
) -> Sequence[tuple[Pairing, Program, Person | None]]:
    """The pairings this person is (or was) the mentee of, newest first, with the mentor."""
    rows = await session.execute(
        select(Pairing, Program, Person)
        .join(Program, Program.id == Pairing.program_id)
        .join(Person, Person.id == Pairing.mentor_id, isouter=True)
        .where(Pairing.mentee_id == mentee_id)
        .order_by(Pairing.started_at.desc(), Pairing.id.desc())
    )
    return [(p, prog, mentor) for p, prog, mentor in rows.all()]


async def skills_taught(session: AsyncSession, pairing: Pairing) -> list[str]:
    """Skill keys the mentor offered that the mentee wanted (else all the mentor offered)."""
    enrollments = (
        await session.scalars(
            select(Enrollment).where(
                Enrollment.program_id == pairing.program_id,
                Enrollment.person_id.in_((pairing.mentor_id, pairing.mentee_id)),
            )
        )
    ).all()
    offered: list[str] = []
    wanted: set[str] = set()
    for row in enrollments:
        if row.person_id == pairing.mentor_id:
            offered += [str(s.get("skill")) for s in row.skills_offered if s.get("skill")]
        if row.person_id == pairing.mentee_id:
            wanted |= {str(s.get("skill")) for s in row.skills_wanted if s.get("skill")}
    offered = list(dict.fromkeys(offered))
    both = [key for key in offered if key in wanted]
    return both or offered


async def reader_locale(session: AsyncSession, person: Person, default: str) -> str:
    """The person's language: their own choice, else their platform's, else the default."""
    if person.locale in ("fr", "en"):
        return str(person.locale)
    hints = await session.scalars(
        select(PlatformIdentity.locale).where(PlatformIdentity.person_id == person.id)
    )
    for hint in hints:
        if hint and hint[:2] in ("fr", "en"):
            return hint[:2]
    return default


async def recognitions_of(
    session: AsyncSession, pairing_id: int, kind: str
) -> Sequence[Recognition]:
    return (
        await session.scalars(
            select(Recognition)
            .where(Recognition.pairing_id == pairing_id, Recognition.kind == kind)
            .order_by(Recognition.id)
        )
    ).all()


def add_recognition(
    session: AsyncSession,
    *,
    kind: str,
    to_id: str,
    at: datetime,
    pairing_id: int | None = None,
    from_id: str | None = None,
    text: str | None = None,
    file_id: int | None = None,
    consent_at: datetime | None = None,
) -> Recognition:
    row = Recognition(
        kind=kind,
        to_id=to_id,
        pairing_id=pairing_id,
        from_id=from_id,
        text=text,
        file_id=file_id,
        consent_at=consent_at,
        sent_at=at,
        posted={},
    )
    session.add(row)
    return row


async def consent_given(session: AsyncSession, pairing_id: int) -> Consent | None:
    """The mentor's answer for this pairing, if any (the first one stands)."""
    event = await session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == CONSENT_AUDIT, AuditEvent.subject_id == f"pairing:{pairing_id}")
        .order_by(AuditEvent.id)
        .limit(1)
    )
    if event is None:
        return None
    return "yes" if event.details.get("answer") == "yes" else "no"


def record_consent(session: AsyncSession, pairing: Pairing, answer: Consent, at: datetime) -> None:
    record_audit(
        session,
        CONSENT_AUDIT,
        actor_id=pairing.mentor_id,
        subject_id=f"pairing:{pairing.id}",
        program_id=pairing.program_id,
        details={"answer": answer},
        at=at,
    )


def shout_out_channel(program: Program) -> dict[str, Any] | None:
    """Where the admins want shout-outs: {"platform", "tenant_id", "channel", "label",
    "locale"}; None when they chose none."""
    chosen = (program.rules or {}).get(CHANNEL_RULE)
    return dict(chosen) if isinstance(chosen, dict) and chosen.get("channel") else None


def choose_channel(program: Program, chosen: dict[str, str]) -> None:
    # A new dict: the JSON column notices a replaced value, not an edited one.
    program.rules = {**(program.rules or {}), CHANNEL_RULE: dict(chosen)}


@dataclass
class MentorTally:
    mentor_id: str
    counts: Counter[str] = field(default_factory=Counter)


async def tallies(session: AsyncSession, program_ids: Sequence[int]) -> list[MentorTally]:
    """Per mentor of these programs: how many of each kind of recognition were sent."""
    rows = await session.execute(
        select(Recognition.to_id, Recognition.kind, func.count())
        .join(Pairing, Pairing.id == Recognition.pairing_id)
        .where(Pairing.program_id.in_(program_ids), Recognition.deleted_at.is_(None))
        .group_by(Recognition.to_id, Recognition.kind)
    )
    by_mentor: dict[str, MentorTally] = defaultdict(lambda: MentorTally(""))
    for mentor_id, kind, count in rows.all():
        tally = by_mentor[mentor_id]
        tally.mentor_id = mentor_id
        tally.counts[kind] += int(count)
    return sorted(by_mentor.values(), key=lambda t: t.mentor_id)
