"""The due actions around an enrollment, and closing the enrollments of people who left.

Flows queue these in the same transaction as the change that causes them (they hold a
session, not the notifier); each handler here runs later with the real notifier, so quiet
hours, pacing and the deployment's admins apply.

Wire them with ``register_due_handlers(handlers, database, notifier)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog

from bot.domain.notifications import Invitation, MessageToTeam, PartnerLeft, PauseEnded
from bot.domain.participation import (
    CONTACT,
    INVITE,
    INVITE_REMINDER,
    PARTNER_LEFT,
    RESUME,
    partner_left_key,
)
from dialogs.notify.notifier import Notifier
from storage.audit import record_audit
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.models import Person, Program
from storage.participation import (
    answered,
    close_enrollments,
    open_programs,
    program_team,
    resume_paused,
)
from storage.queue import ClaimedAction, enqueue_action

log = structlog.get_logger("tandem.participation")


class NobodyToTell(RuntimeError):
    """A message to the team found no admin: parked, so that it shows instead of vanishing."""


def register_due_handlers(handlers: DueHandlers, database: Database, notifier: Notifier) -> None:
    async def resume(action: ClaimedAction) -> None:
        until = datetime.fromisoformat(str(action.payload["until"]))
        async with database.unit_of_work(immediate=True) as session:
            resumed = await resume_paused(session, int(action.payload["enrollment_id"]), until)
            if resumed is None:  # resumed early, paused again to another date, or left
                return
            enrollment, program = resumed
            record_audit(
                session,
                "enrollment.resumed",
                subject_id=enrollment.person_id,
                program_id=program.id,
                details={"by": "date"},
            )
            await notifier.notify(
                session,
                enrollment.person_id,
                PauseEnded(program_name=program.name),
                key=f"notify:{action.idempotency_key}",
            )

    async def invite(action: ClaimedAction, *, reminder: bool) -> None:
        person_id, program_id = str(action.payload["person_id"]), int(action.payload["program_id"])
        async with database.unit_of_work(immediate=True) as session:
            program = await session.get(Program, program_id)
            if program is None or program.status != "open":
                return  # the program closed meanwhile: an invitation would mislead
            if await answered(session, person_id, program_id):
                return  # they enrolled meanwhile: no reminder
            if reminder:
                record_audit(
                    session, "invitation.reminded", subject_id=person_id, program_id=program_id
                )
            await notifier.notify(
                session,
                person_id,
                Invitation(program_slug=program.slug, program_name=program.name, reminder=reminder),
                key=f"notify:{action.idempotency_key}",
            )

    async def first_invitation(action: ClaimedAction) -> None:
        await invite(action, reminder=False)

    async def reminder(action: ClaimedAction) -> None:
        await invite(action, reminder=True)

    async def partner_left(action: ClaimedAction) -> None:
        async with database.unit_of_work(immediate=True) as session:
            await notifier.notify(
                session,
                str(action.payload["partner_id"]),
                PartnerLeft(
                    person_ids=(str(action.payload["leaver_id"]),),
                    program_name=str(action.payload["program_name"]),
                ),
                key=f"notify:{action.idempotency_key}",
            )

    async def contact(action: ClaimedAction) -> None:
        payload = action.payload
        program_ids = [int(i) for i in payload.get("program_ids", [])]
        async with database.unit_of_work(immediate=True) as session:
            if not program_ids:  # not enrolled anywhere: the teams of the open programs
                program_ids = [p.id for p in await open_programs(session)]
            team = await program_team(session, program_ids, notifier.config.admins)
            if not team:
                raise NobodyToTell("no program admin and no deployment admin to read it")
            message = MessageToTeam(
                person_ids=(str(payload["person_id"]),),
                program_name=str(payload.get("program_name", "")),
                text=str(payload["text"]),
            )
            for admin_id in team:
                await notifier.notify(
                    session, admin_id, message, key=f"notify:{action.idempotency_key}:{admin_id}"
                )

    handlers.register(RESUME)(resume)
    handlers.register(INVITE)(first_invitation)
    handlers.register(INVITE_REMINDER)(reminder)
    handlers.register(PARTNER_LEFT)(partner_left)
    handlers.register(CONTACT)(contact)


@dataclass(frozen=True)
class LeaversReport:
    enrollments_closed: int
    pairings_ended: int
    partners_told: int  # notified now, or queued for the server when no notifier is given


async def close_enrollments_of_leavers(
    database: Database, person_ids: Sequence[str], notifier: Notifier | None, now: datetime
) -> LeaversReport:
    """After a ``--full`` import marked people as left: close their enrollments and end
    their pairings politely. Partners are told (never why); without a notifier (e.g. a CLI
    without chat channels) the telling is queued for the server's due runner."""
    closed = ended_count = told = 0
    for person_id in person_ids:
        async with database.unit_of_work(immediate=True) as session:
            person = await session.get(Person, person_id)
            if person is None or person.active:
                continue  # only people the HRIS says have left
            count, ended = await close_enrollments(session, person_id, reason=None, now=now)
            if not count:
                continue
            closed += count
            ended_count += len(ended)
            record_audit(
                session,
                "enrollment.closed_leaver",
                subject_id=person_id,
                details={"enrollments": count, "pairings_ended": len(ended)},
            )
            for pairing in ended:
                program = await session.get(Program, pairing.program_id)
                name = program.name if program is not None else ""
                key = partner_left_key(pairing.pairing_id, pairing.partner_id)
                if notifier is not None:
                    await notifier.notify(
                        session,
                        pairing.partner_id,
                        PartnerLeft(person_ids=(person_id,), program_name=name),
                        key=f"notify:{key}",
                    )
                else:
                    await enqueue_action(
                        session,
                        PARTNER_LEFT,
                        key,
                        now,
                        {
                            "partner_id": pairing.partner_id,
                            "leaver_id": person_id,
                            "program_name": name,
                        },
                    )
                told += 1
    log.info("participation.leavers_closed", enrollments=closed, pairings=ended_count)
    return LeaversReport(closed, ended_count, told)
