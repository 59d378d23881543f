"""Pause, resume, leave and contact for participants; ``admin invite`` for admins."""

from __future__ import annotations

from bot.domain.participation import LEAVABLE_STATUSES, PAUSABLE_STATUSES
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.enrollment.invitation import (
    INVITE_ACTION,
    INVITE_FLOW,
    invite_form_fields,
    invite_from_arguments,
    no_open_program,
)
from dialogs.participation.flows import (
    CONTACT_ACTION,
    CONTACT_FLOW,
    LEAVE_FLOW,
    LEAVE_REASON_ACTION,
    LEAVE_REASON_FLOW,
    PAUSE_ACTION,
    PAUSE_FLOW,
    names,
    not_enrolled,
    resume_now,
)
from dialogs.participation.jobs import DUE
from storage.enrollment.participation import enrollments_of

LEAVE_ACTION = "participation:leave"


async def pause(turn: Turn) -> Outcome:
    if not await enrollments_of(turn.ctx.session, turn.ctx.person.id, PAUSABLE_STATUSES):
        return turn.reply(not_enrolled(turn.ctx.t))
    return await turn.start(PAUSE_FLOW.name, opener=PAUSE_ACTION)


async def resume(turn: Turn) -> Outcome:
    return turn.reply(await resume_now(turn.ctx))


async def leave(turn: Turn) -> Outcome:
    found = await enrollments_of(turn.ctx.session, turn.ctx.person.id, LEAVABLE_STATUSES)
    slug = turn.command.args[0].lower() if turn.command and turn.command.args else None
    chosen = [p for _, p in found if slug is None or p.slug == slug]
    if not chosen:
        return turn.reply(not_enrolled(turn.ctx.t))
    data = {"program": slug, "names": names(chosen)}
    return await turn.start(LEAVE_FLOW.name, opener=LEAVE_ACTION, data=data)


async def leave_with_reason(turn: Turn) -> Outcome:
    if not await enrollments_of(turn.ctx.session, turn.ctx.person.id, LEAVABLE_STATUSES):
        return turn.reply(not_enrolled(turn.ctx.t))
    return await turn.start(LEAVE_REASON_FLOW.name, opener=LEAVE_REASON_ACTION)


async def contact(turn: Turn) -> Outcome:
    return await turn.start(CONTACT_FLOW.name, opener=CONTACT_ACTION)


async def invite(turn: Turn) -> Outcome:
    command = turn.command
    if command is not None and (command.args or command.options):
        return turn.reply(await invite_from_arguments(turn.ctx, command.args, command.options))
    data = await invite_form_fields(turn.ctx)
    if not data["programs"]:
        return turn.reply(no_open_program(turn.ctx.t))
    return await turn.start(INVITE_FLOW.name, opener=INVITE_ACTION, data=data)


PARTICIPATION = Feature(
    name="participation",
    flows=(PAUSE_FLOW, LEAVE_FLOW, LEAVE_REASON_FLOW, CONTACT_FLOW, INVITE_FLOW),
    commands={
        "pause": pause,
        "resume": resume,
        "leave": leave,
        "contact": contact,
        "admin invite": invite,
    },
    actions={
        PAUSE_ACTION: pause,
        LEAVE_ACTION: leave,
        LEAVE_REASON_ACTION: leave_with_reason,
        CONTACT_ACTION: contact,
        INVITE_ACTION: invite,
    },
    due=DUE,
    admin_actions=frozenset({INVITE_ACTION}),
    admin_flows=frozenset({INVITE_FLOW.name}),
)
