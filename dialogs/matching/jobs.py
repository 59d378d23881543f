"""The due actions of matching: proposal cards to both sides, the one reminder, expiry,
telling the other side of a decline, introducing a new pair, telling a partner that a
pairing ended, and the weekly round for rolling enrollment.

``DUE`` and ``ROUTINES`` list them for the matching feature.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import DueKind
from bot.domain.matching_notifications import (
    PairingEnded,
    PairingIntroduction,
    PairProposed,
    ProposalClosed,
    RoundReady,
)
from bot.domain.notifications import Notification
from bot.domain.participation import partner_of
from bot.domain.proposals import (
    ENDED,
    EXPIRE,
    REMIND,
    ROUND,
    ROUNDS_TRIGGER,
    SEND,
    SENT,
    STARTED,
    WITHDRAWN,
    PairingEndedNotice,
    PairingRef,
    ProposalRef,
    ProposalWithdrawn,
    agenda,
    answer_of,
    card_purpose,
)
from dialogs.core.feature import DueContext, DueHandler, Recurring
from dialogs.matching.reasons import for_people
from storage.enrollment.participation import open_programs
from storage.matching.population import skill_labels
from storage.matching.runs import enrollment, expire
from storage.models import Pairing, Person, Program, Proposal
from storage.people.admins import admins_of
from storage.programs.career_stages import stage_labels

log = structlog.get_logger("tandem.matching")


def _levels(items: list[dict[str, Any]] | None) -> list[tuple[str, int]]:
    return [(str(i.get("skill")), int(i.get("level") or 0)) for i in items or [] if i.get("skill")]


async def first_session(
    session: AsyncSession, program_id: int, mentor_id: str, mentee_id: str
) -> list[str]:
    """The agenda an introduction suggests, from the pair's enrollments."""
    mentor = await enrollment(session, program_id, mentor_id)
    mentee = await enrollment(session, program_id, mentee_id)
    offered = {k for k, _ in _levels(mentor.skills_offered if mentor else [])}
    return agenda(_levels(mentee.skills_wanted if mentee else []), offered)


async def proposal_cards(
    session: AsyncSession, proposal: Proposal, *, reminder: bool
) -> dict[str, PairProposed]:
    """Each side's card: the other person's highlights as the proposal was made."""
    program = await session.get(Program, proposal.program_id)
    mentor = await enrollment(session, proposal.program_id, proposal.mentor_id)
    mentee = await enrollment(session, proposal.program_id, proposal.mentee_id)
    people = {
        pid: await session.get(Person, pid) for pid in (proposal.mentor_id, proposal.mentee_id)
    }
    offered = {k for k, _ in _levels(mentor.skills_offered if mentor else [])}
    wanted = _levels(mentee.skills_wanted if mentee else [])
    plan = agenda(wanted, offered)
    labels = await skill_labels(session)
    names = {pid: p.display_name for pid, p in people.items() if p is not None}

    def highlights(person_id: str, side: str) -> dict[str, Any]:
        person, row = people[person_id], mentor if side == "mentor" else mentee
        skills = (
            [k for k, _ in _levels(row.skills_offered)]
            if side == "mentor" and row
            else [k for k, _ in wanted]
        )
        return {
            "side": side,
            "title": person.title if person else None,
            "skills": skills[:6],
            "goals": row.goals if row else None,
            "languages": list(row.languages) if row else [],
            "format": row.format if row else None,
            "location": row.location if row else None,
        }

    used = set(plan) | {k for r in proposal.reasons for k in r.get("skills", []) or []}
    used |= {
        k
        for side in ("mentor", "mentee")
        for k in highlights(proposal.mentor_id if side == "mentor" else proposal.mentee_id, side)[
            "skills"
        ]
    }
    common: dict[str, Any] = {
        "proposal_id": proposal.id,
        "program_name": program.name if program else "",
        "reasons": for_people(proposal.reasons or []),
        "agenda": plan,
        "skill_labels": {k: v for k, v in labels.items() if k in used},
        "names": names,
        "expires_at": proposal.expires_at.isoformat() if proposal.expires_at else "",
        "reminder": reminder,
        "mentor_id": proposal.mentor_id,
        "mentee_id": proposal.mentee_id,
        "stage_labels": await stage_labels(session),
    }
    return {
        proposal.mentor_id: PairProposed(
            person_ids=(proposal.mentee_id,),
            role="mentor",
            highlights=highlights(proposal.mentee_id, "mentee"),
            **common,
        ),
        proposal.mentee_id: PairProposed(
            person_ids=(proposal.mentor_id,),
            role="mentee",
            highlights=highlights(proposal.mentor_id, "mentor"),
            **common,
        ),
    }


async def card_outdated(session: AsyncSession, card: Notification, person_id: str) -> bool:
    """A proposal card falling due after its reader answered, or after the proposal closed,
    is not sent: it would offer Accept / Decline again."""
    if not isinstance(card, PairProposed):
        return False
    proposal = await session.get(Proposal, card.proposal_id)
    if proposal is None or proposal.status != SENT:
        return True
    return answer_of(proposal, person_id) is not None


async def _send(due: DueContext, payload: ProposalRef, *, reminder: bool) -> None:
    notifier = due.notifier
    async with due.database.unit_of_work(immediate=True) as session:
        proposal = await session.get(Proposal, payload.proposal_id)
        if proposal is None or proposal.status != SENT:
            return  # answered, expired or withdrawn meanwhile
        cards = await proposal_cards(session, proposal, reminder=reminder)
        if reminder:
            proposal.reminded_at = notifier.clock.now()
        for person_id, card in cards.items():
            if reminder and answer_of(proposal, person_id) is not None:
                continue  # only the side that has not answered is reminded
            await notifier.notify(session, person_id, card, key=f"notify:{due.key}:{person_id}")


async def send_proposal(due: DueContext, payload: ProposalRef) -> None:
    """Both sides get the proposal card."""
    await _send(due, payload, reminder=False)


async def remind_proposal(due: DueContext, payload: ProposalRef) -> None:
    """The side that has not answered gets the card again, once."""
    await _send(due, payload, reminder=True)


async def _close_for(
    due: DueContext, session: AsyncSession, proposal: Proposal, person_id: str, outcome: str
) -> None:
    """Close the person's proposal cards and tell them why."""
    other = partner_of(proposal.mentor_id, proposal.mentee_id, person_id)
    program = await session.get(Program, proposal.program_id)
    name = program.name if program else ""
    card = ProposalClosed(proposal.id, name, (other,), outcome, card=True)
    await due.notifier.replace(
        session, person_id, card_purpose(proposal.id), card, key=f"replace:{due.key}:{person_id}"
    )
    message = ProposalClosed(proposal.id, name, (other,), outcome)
    await due.notifier.notify(session, person_id, message, key=f"notify:{due.key}:{person_id}")


async def expire_proposal(due: DueContext, payload: ProposalRef) -> None:
    """Nobody decided in time: the proposal expires and both sides are told."""
    async with due.database.unit_of_work(immediate=True) as session:
        proposal = await session.get(Proposal, payload.proposal_id)
        if proposal is None or proposal.status != SENT:
            return
        expire(proposal, due.notifier.clock.now())
        for person_id in (proposal.mentor_id, proposal.mentee_id):
            await _close_for(due, session, proposal, person_id, "expired")


async def tell_withdrawn(due: DueContext, payload: ProposalWithdrawn) -> None:
    """One side declined or left: the other side's card closes, and they are told."""
    async with due.database.unit_of_work(immediate=True) as session:
        proposal = await session.get(Proposal, payload.proposal_id)
        if proposal is None:
            return
        await _close_for(due, session, proposal, payload.tell, payload.outcome)


async def introduce_pair(due: DueContext, payload: PairingRef) -> None:
    """Both accepted: one conversation with the two of them and a suggested agenda."""
    async with due.database.unit_of_work(immediate=True) as session:
        pairing = await session.get(Pairing, payload.pairing_id)
        if pairing is None or pairing.status != "active":
            return
        plan = await first_session(
            session, pairing.program_id, pairing.mentor_id, pairing.mentee_id
        )
        labels = {k: v for k, v in (await skill_labels(session)).items() if k in plan}
        program = await session.get(Program, pairing.program_id)
        intro = PairingIntroduction(
            pairing.id,
            program.name if program else "",
            (pairing.mentor_id, pairing.mentee_id),
            plan,
            labels,
        )
        await due.notifier.introduce(
            session, [pairing.mentor_id, pairing.mentee_id], intro, key=f"introduce:{due.key}"
        )


async def tell_pairing_ended(due: DueContext, payload: PairingEndedNotice) -> None:
    """A pairing ended early: the partner is told, with no fault."""
    async with due.database.unit_of_work(immediate=True) as session:
        pairing = await session.get(Pairing, payload.pairing_id)
        if pairing is None:
            return
        program = await session.get(Program, pairing.program_id)
        notice = PairingEnded(
            pairing.id,
            program.name if program else "",
            () if payload.by_admin else (payload.ender_id,),
            payload.by_admin,
        )
        await due.notifier.notify(session, payload.partner_id, notice, key=f"notify:{due.key}")


async def weekly_round(due: DueContext) -> None:
    """Programs with weekly rounds get a dry run; their admins are told it is ready."""
    from dialogs.matching.rounds import dry_run  # the solver loads only when a round runs

    notifier = due.notifier
    async with due.database.unit_of_work() as session:
        programs = [
            p for p in await open_programs(session) if (p.rules or {}).get("rounds") == "weekly"
        ]
        ids = [p.id for p in programs]
    for program_id in ids:
        async with due.database.unit_of_work(immediate=True) as session:
            done = await dry_run(
                session, program_id, created_by=None, trigger="schedule", now=notifier.clock.now()
            )
            if not done.result.pairs:
                continue
            program = await session.get(Program, program_id)
            assert program is not None
            notice = RoundReady(
                done.run.id, program.name, len(done.result.pairs), len(done.result.unmatched)
            )
            for admin_id in await admins_of(session, [program_id], notifier.config.admins):
                await notifier.notify(
                    session, admin_id, notice, key=f"notify:round:{done.run.id}:{admin_id}"
                )
    log.info("matching.weekly_round", programs=len(ids))


DUE: dict[DueKind[Any], DueHandler] = {
    SEND: send_proposal,
    REMIND: remind_proposal,
    EXPIRE: expire_proposal,
    WITHDRAWN: tell_withdrawn,
    STARTED: introduce_pair,
    ENDED: tell_pairing_ended,
}
ROUTINES = (Recurring(ROUND, ROUNDS_TRIGGER, weekly_round),)


# A proposal card held back by quiet hours is not sent once it no longer applies.
OUTDATED = {PairProposed.type: card_outdated}
