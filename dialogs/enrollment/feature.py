"""Joining a program: the ``join`` command, the *Join* button of announcements and
invitations (value: the program's slug), the summary's *Edit* button, and the
*Approve* / *Decline* buttons program admins get when a program approves people first.
"""

from __future__ import annotations

from dataclasses import replace

import structlog
from sqlalchemy import select

from bot.domain.enrollment import APPROVAL_REQUESTED, DECIDED, ApprovalRequest, Decision
from bot.domain.notifications import ApprovalRequested, EnrollmentDecided
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Feature, Turn
from dialogs.core.replies import JOIN_ACTION, stale_message, text_message
from dialogs.core.ui import Message, Section
from dialogs.enrollment.flow import ENROLLMENT_FLOW, FLOW_NAME, begin
from dialogs.enrollment.saving import EDIT_ACTION, closed_message, not_ready_message
from dialogs.notify.presenters import APPROVE_ACTION, DECLINE_ACTION
from storage.audit import record_audit
from storage.dialog_states import advance_flow, open_flow
from storage.enqueue import enqueue_due
from storage.enrollment.enrollments import (
    accepts_enrollment,
    enrolling_programs,
    program_by_slug,
)
from storage.models import Enrollment, Program
from storage.people.admins import admins_of

# JOIN_ACTION ("enrollment:join"), value: a program's slug, or empty

log = structlog.get_logger("tandem.enrollment")


class NobodyToApprove(RuntimeError):
    """A program approves people first but has no admin to ask: parked, so that it shows."""


def _about_program(text_before: str, program: str, text_after: str) -> Message:
    line = Paragraph((Text(text_before), UserText(program), Text(text_after)))
    return Message((Section((line,)),), summary=line.plain(), visibility="private")


async def join(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    if await open_flow(ctx.session, ctx.person.id, FLOW_NAME) is not None:
        return await turn.start(FLOW_NAME, opener=JOIN_ACTION)  # resume where it stopped
    slug = turn.command.args[0] if turn.command and turn.command.args else turn.inbound.value
    if slug:
        program = await program_by_slug(ctx.session, slug)
        if program is None:
            return turn.reply(text_message(t("I do not know this program.")))
        if not accepts_enrollment(program, ctx.now()):
            return turn.reply(closed_message(t, program.name))
        programs = [program]
    else:
        programs = await enrolling_programs(ctx.session, ctx.now())
        if not programs:
            latest = await ctx.session.scalar(
                select(Program)
                .where(Program.status != "draft")
                .order_by(Program.starts_on.desc(), Program.id.desc())
            )
            if latest is not None:
                return turn.reply(closed_message(t, latest.name))
            return turn.reply(text_message(t("No program is open for enrollment right now.")))
    why_not = await begin(ctx, programs)
    if why_not == "not_ready":
        return turn.reply(not_ready_message(t, programs[0].name))
    if why_not == "ineligible":
        return turn.reply(
            text_message(
                t(
                    "Thank you for your interest! This program is open to other career stages "
                    "this time, so I cannot enroll you. The program team can tell you more."
                )
            )
        )
    return await turn.start(FLOW_NAME, opener=JOIN_ACTION)


async def edit(turn: Turn) -> Outcome:
    """The Edit button of a summary card an older version posted: back to the first step,
    everything prefilled."""
    ctx = turn.ctx
    instance = await open_flow(ctx.session, ctx.person.id, FLOW_NAME)
    if instance is None:
        return turn.reply(stale_message(ctx.t))
    if instance.step == "summary":
        moved = await advance_flow(
            ctx.session, instance.id, instance.version, "role", dict(instance.data), now=ctx.now()
        )
        if moved is None:
            return turn.reply(stale_message(ctx.t))
    outcome = await turn.start(FLOW_NAME, opener=JOIN_ACTION)
    return replace(outcome, close_source=True)


async def _decide(turn: Turn, approve: bool) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    value = turn.inbound.value
    enrollment = await ctx.session.get(Enrollment, int(value)) if value.isdigit() else None
    program = await ctx.session.get(Program, enrollment.program_id) if enrollment else None
    if enrollment is None or program is None:
        return turn.reply(stale_message(t), close_source=True)
    if not ctx.administers(program.id):  # deployment admins, or this program's own
        record_audit(
            ctx.session,
            "admin.refused",
            actor_id=ctx.person.id,
            program_id=program.id,
            details={"action": APPROVE_ACTION if approve else DECLINE_ACTION},
        )
        return turn.reply(text_message(t("Only the program team can do this.")))
    if enrollment.status != "pending":  # another admin decided, or a double click
        return turn.reply(stale_message(t), close_source=True)
    enrollment.status = "active" if approve else "declined"
    record_audit(
        ctx.session,
        "enrollment.approved" if approve else "enrollment.declined",
        actor_id=ctx.person.id,
        subject_id=enrollment.person_id,
        program_id=program.id,
    )
    await enqueue_due(ctx.session, DECIDED, Decision(enrollment.id, approve), ctx.now())
    done = t("Approved.") if approve else t("Declined.")
    return turn.reply(_about_program(done + " ", program.name, ""), close_source=True)


async def approve(turn: Turn) -> Outcome:
    return await _decide(turn, True)


async def decline(turn: Turn) -> Outcome:
    return await _decide(turn, False)


async def ask_admins(due: DueContext, payload: ApprovalRequest) -> None:
    """Approve / Decline cards for the program's admins."""
    notifier = due.notifier
    async with due.database.unit_of_work(immediate=True) as session:
        enrollment = await session.get(Enrollment, payload.enrollment_id)
        program = await session.get(Program, payload.program_id)
        if enrollment is None or program is None or enrollment.status != "pending":
            return  # decided already, or gone
        admins = await admins_of(session, [program.id], notifier.config.admins)
        if not admins:
            raise NobodyToApprove(f"program {program.id} has no admin to approve")
        card = ApprovalRequested(
            person_ids=(enrollment.person_id,),
            program_name=program.name,
            enrollment_id=enrollment.id,
            role=enrollment.role,
        )
        for admin_id in admins:
            await notifier.notify(session, admin_id, card, key=f"notify:{due.key}:{admin_id}")


async def tell_person(due: DueContext, payload: Decision) -> None:
    """The person learns the admin's decision."""
    async with due.database.unit_of_work(immediate=True) as session:
        enrollment = await session.get(Enrollment, payload.enrollment_id)
        if enrollment is None:
            return
        program = await session.get(Program, enrollment.program_id)
        assert program is not None
        outcome = EnrollmentDecided(program.name, payload.approved)
        await due.notifier.notify(session, enrollment.person_id, outcome, key=f"notify:{due.key}")
    log.info("enrollment.decided", enrollment_id=enrollment.id, approved=outcome.approved)


ENROLLMENT = Feature(
    name="enrollment",
    flows=(ENROLLMENT_FLOW,),
    commands={"join": join},
    actions={
        JOIN_ACTION: join,
        EDIT_ACTION: edit,
        APPROVE_ACTION: approve,
        DECLINE_ACTION: decline,
    },
    due={APPROVAL_REQUESTED: ask_admins, DECIDED: tell_person},
)
