"""The due actions of matching: proposal cards to both sides, the one reminder, expiry,
telling the other side of a decline, introducing a new pair, telling a partner that a
pairing ended, and the weekly round for rolling enrollment.

Wire them with ``register_due_handlers(handlers, database, notifier)``; it returns the
routines to give the clock.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.matching_notifications import (
    PairingEnded,
    PairingIntroduction,
    PairProposed,
    ProposalClosed,
    RoundReady,
)
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
    agenda,
    card_purpose,
)
from dialogs.notify.notifier import Notifier
from storage.career_stages import stage_labels
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.enrollments import program_admin_ids
from storage.match_runs import enrollment, expire
from storage.matching_population import skill_labels
from storage.models import Pairing, Person, Program, Proposal
from storage.participation import open_programs
from storage.queue import ClaimedAction
from storage.routines import Routine

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
        "reasons": list(proposal.reasons or []),
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


def register_due_handlers(
    handlers: DueHandlers, database: Database, notifier: Notifier
) -> list[Routine]:
    async def send(action: ClaimedAction, *, reminder: bool) -> None:
        async with database.unit_of_work(immediate=True) as session:
            proposal = await session.get(Proposal, int(action.payload["proposal_id"]))
            if proposal is None or proposal.status != SENT:
                return  # answered, expired or withdrawn meanwhile
            cards = await proposal_cards(session, proposal, reminder=reminder)
            if reminder:
                proposal.reminded_at = notifier.clock.now()
            for person_id, card in cards.items():
                answered = (
                    proposal.mentor_answer
                    if person_id == proposal.mentor_id
                    else proposal.mentee_answer
                )
                if reminder and answered is not None:
                    continue  # only the side that has not answered is reminded
                await notifier.notify(
                    session, person_id, card, key=f"notify:{action.idempotency_key}:{person_id}"
                )

    async def first(action: ClaimedAction) -> None:
        await send(action, reminder=False)

    async def remind(action: ClaimedAction) -> None:
        await send(action, reminder=True)

    async def close_for(
        session: AsyncSession, proposal: Proposal, person_id: str, outcome: str, key: str
    ) -> None:
        other = partner_of(proposal.mentor_id, proposal.mentee_id, person_id)
        program = await session.get(Program, proposal.program_id)
        name = program.name if program else ""
        card = ProposalClosed(proposal.id, name, (other,), outcome, card=True)
        await notifier.replace(
            session, person_id, card_purpose(proposal.id), card, key=f"replace:{key}:{person_id}"
        )
        message = ProposalClosed(proposal.id, name, (other,), outcome)
        await notifier.notify(session, person_id, message, key=f"notify:{key}:{person_id}")

    async def expire_one(action: ClaimedAction) -> None:
        async with database.unit_of_work(immediate=True) as session:
            proposal = await session.get(Proposal, int(action.payload["proposal_id"]))
            if proposal is None or proposal.status != SENT:
                return
            expire(proposal, notifier.clock.now())
            for person_id in (proposal.mentor_id, proposal.mentee_id):
                await close_for(session, proposal, person_id, "expired", action.idempotency_key)

    async def withdrawn(action: ClaimedAction) -> None:
        async with database.unit_of_work(immediate=True) as session:
            proposal = await session.get(Proposal, int(action.payload["proposal_id"]))
            if proposal is None:
                return
            await close_for(
                session,
                proposal,
                str(action.payload["tell"]),
                str(action.payload["outcome"]),
                action.idempotency_key,
            )

    async def started(action: ClaimedAction) -> None:
        async with database.unit_of_work(immediate=True) as session:
            pairing = await session.get(Pairing, int(action.payload["pairing_id"]))
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
            await notifier.introduce(
                session,
                [pairing.mentor_id, pairing.mentee_id],
                intro,
                key=f"introduce:{action.idempotency_key}",
            )

    async def ended(action: ClaimedAction) -> None:
        payload = action.payload
        async with database.unit_of_work(immediate=True) as session:
            pairing = await session.get(Pairing, int(payload["pairing_id"]))
            if pairing is None:
                return
            program = await session.get(Program, pairing.program_id)
            by_admin = bool(payload.get("by_admin"))
            notice = PairingEnded(
                pairing.id,
                program.name if program else "",
                () if by_admin else (str(payload["ender_id"]),),
                by_admin,
            )
            await notifier.notify(
                session, str(payload["partner_id"]), notice, key=f"notify:{action.idempotency_key}"
            )

    async def weekly_round(action: ClaimedAction) -> None:
        from dialogs.matching.rounds import dry_run  # the solver loads only when a round runs

        async with database.unit_of_work() as session:
            programs = [
                p for p in await open_programs(session) if (p.rules or {}).get("rounds") == "weekly"
            ]
            ids = [p.id for p in programs]
        for program_id in ids:
            async with database.unit_of_work(immediate=True) as session:
                done = await dry_run(
                    session,
                    program_id,
                    created_by=None,
                    trigger="schedule",
                    now=notifier.clock.now(),
                )
                if not done.result.pairs:
                    continue
                program = await session.get(Program, program_id)
                assert program is not None
                notice = RoundReady(
                    done.run.id, program.name, len(done.result.pairs), len(done.result.unmatched)
                )
                for admin_id in await _admins(session, program_id, notifier):
                    await notifier.notify(
                        session, admin_id, notice, key=f"notify:round:{done.run.id}:{admin_id}"
                    )
        log.info("matching.weekly_round", programs=len(ids))

    handlers.register(SEND)(first)
    handlers.register(REMIND)(remind)
    handlers.register(EXPIRE)(expire_one)
    handlers.register(WITHDRAWN)(withdrawn)
    handlers.register(STARTED)(started)
    handlers.register(ENDED)(ended)
    return [Routine(ROUND, ROUNDS_TRIGGER, weekly_round)]


async def _admins(session: AsyncSession, program_id: int, notifier: Notifier) -> list[str]:
    admins = await program_admin_ids(session, program_id)
    if admins:
        return admins
    emails = [a.lower() for a in notifier.config.admins if "@" in a]
    if not emails:
        return []
    rows = await session.scalars(select(Person.id).where(Person.email.in_(emails)))
    return sorted(set(rows))
