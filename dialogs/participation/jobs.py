"""The due actions around an enrollment, and closing the enrollments of people who left.

Flows queue these in the same transaction as the change that causes them (they hold a
session, not the notifier); each handler here runs later with the real notifier, so quiet
hours, pacing and the deployment's admins apply.

``DUE`` lists them for the participation feature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from bot.domain.due import DueKind
from bot.domain.notifications import Invitation, MessageToTeam, PartnerLeft, PauseEnded
from bot.domain.participation import (
    CONTACT,
    INVITE,
    INVITE_REMINDER,
    PARTNER_LEFT,
    RESUME,
    Contact,
    Invite,
    Resume,
    TellPartner,
)
from dialogs.core.feature import DueContext, DueHandler
from dialogs.notify.notifier import Notifier
from storage.audit import record_audit
from storage.db import Database
from storage.due_runner import Wait
from storage.enqueue import enqueue_due
from storage.enrollment.participation import answered, close_enrollments, resume_paused
from storage.models import Person, Program
from storage.people.admins import WAITING_FOR_AN_ADMIN, program_team

log = structlog.get_logger("tandem.participation")


async def resume(due: DueContext, payload: Resume) -> None:
    """A pause reached its date: the person takes part again and is told."""
    async with due.database.unit_of_work(immediate=True) as session:
        resumed = await resume_paused(session, payload.enrollment_id, payload.instant)
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
        await due.notifier.notify(
            session,
            enrollment.person_id,
            PauseEnded(program_name=program.name),
            key=f"notify:{due.key}",
        )


async def _invite(due: DueContext, payload: Invite, *, reminder: bool) -> None:
    async with due.database.unit_of_work(immediate=True) as session:
        program = await session.get(Program, payload.program_id)
        if program is None or program.status != "open":
            return  # the program closed meanwhile: an invitation would mislead
        if await answered(session, payload.person_id, payload.program_id):
            return  # they enrolled meanwhile: no reminder
        if reminder:
            record_audit(
                session,
                "invitation.reminded",
                subject_id=payload.person_id,
                program_id=payload.program_id,
            )
        await due.notifier.notify(
            session,
            payload.person_id,
            Invitation(program_slug=program.slug, program_name=program.name, reminder=reminder),
            key=f"notify:{due.key}",
        )


async def invite(due: DueContext, payload: Invite) -> None:
    await _invite(due, payload, reminder=False)


async def remind_invitee(due: DueContext, payload: Invite) -> None:
    await _invite(due, payload, reminder=True)


async def tell_partner(due: DueContext, payload: TellPartner) -> None:
    async with due.database.unit_of_work(immediate=True) as session:
        await due.notifier.notify(
            session,
            payload.partner_id,
            PartnerLeft(person_ids=(payload.leaver_id,), program_name=payload.program_name),
            key=f"notify:{due.key}",
        )


async def contact(due: DueContext, payload: Contact) -> None:
    """A person's message reaches the program team: the admins of their programs and the
    deployment's admins."""
    async with due.database.unit_of_work(immediate=True) as session:
        team = await program_team(session, payload.program_ids, due.notifier.config.admins)
        if not team:  # kept: the next admin to show up releases it (and the sender knows)
            raise Wait(WAITING_FOR_AN_ADMIN)
        message = MessageToTeam(
            person_ids=(payload.person_id,),
            program_name=payload.program_name,
            text=payload.text,
        )
        for admin_id in team:
            await due.notifier.notify(
                session, admin_id, message, key=f"notify:{due.key}:{admin_id}"
            )


DUE: dict[DueKind[Any], DueHandler] = {
    RESUME: resume,
    INVITE: invite,
    INVITE_REMINDER: remind_invitee,
    PARTNER_LEFT: tell_partner,
    CONTACT: contact,
}


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
                tell = TellPartner(pairing.partner_id, person_id, name, pairing.pairing_id)
                if notifier is not None:
                    await notifier.notify(
                        session,
                        pairing.partner_id,
                        PartnerLeft(person_ids=(person_id,), program_name=name),
                        key=f"notify:{PARTNER_LEFT.key_of(tell)}",
                    )
                else:
                    await enqueue_due(session, PARTNER_LEFT, tell, now)
                told += 1
    log.info("participation.leavers_closed", enrollments=closed, pairings=ended_count)
    return LeaversReport(closed, ended_count, told)
