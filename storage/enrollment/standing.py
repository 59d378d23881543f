"""Where a person stands in each program they take part in: their enrollment, an active
pairing or a proposal waiting for answers, and the partner's record (App Home, read only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.proposals import SENT
from storage.enrollment.participation import enrollments_of
from storage.models import Enrollment, Pairing, Person, Program, Proposal
from storage.programs.programs import people_by_id

TAKING_PART = ("active", "pending", "paused")


@dataclass(frozen=True)
class Standing:
    program: Program
    enrollment: Enrollment
    pairing: Pairing | None = None
    proposal: Proposal | None = None  # sent, waiting for one answer or both
    partner: Person | None = None  # of the pairing, else of the proposal


def _partner_id(person_id: str, pair: Pairing | Proposal) -> str:
    return pair.mentee_id if pair.mentor_id == person_id else pair.mentor_id


async def standing_of(session: AsyncSession, person_id: str) -> list[Standing]:
    enrolled = await enrollments_of(session, person_id, TAKING_PART)
    involves = (Pairing.mentor_id == person_id) | (Pairing.mentee_id == person_id)
    pairings = {
        p.program_id: p
        for p in await session.scalars(
            select(Pairing).where(Pairing.status == "active", involves).order_by(Pairing.id)
        )
    }
    asked = (Proposal.mentor_id == person_id) | (Proposal.mentee_id == person_id)
    proposals = {
        p.program_id: p
        for p in await session.scalars(
            select(Proposal).where(Proposal.status == SENT, asked).order_by(Proposal.id)
        )
    }
    pairs: list[Pairing | Proposal] = [*pairings.values(), *proposals.values()]
    partners = await people_by_id(session, [_partner_id(person_id, p) for p in pairs])
    standings = []
    for enrollment, program in enrolled:
        pairing, proposal = pairings.get(program.id), proposals.get(program.id)
        pair = pairing or proposal
        partner = partners.get(_partner_id(person_id, pair)) if pair is not None else None
        standings.append(Standing(program, enrollment, pairing, proposal, partner))
    return standings
