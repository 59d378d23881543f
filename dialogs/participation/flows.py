"""After joining: pause until a date, leave (with an optional private reason), write to
the program team.

pause:        until --submit--> done                 (a past or far date keeps the step)
leave:        confirm --click(leave)--> done         (enrollments left, pairings ended)
                      --click(stay)---> done         (nothing changes)
              the card's third button opens leave_reason (no ref: it needs a form)
leave_reason: reason --submit--> done                (the same leave, reason kept private)
contact:      message --submit--> done               (an empty message keeps the step)

Messages to other people (the partner, the team) and the end of a pause are due actions
queued in the same transaction as the change; ``dialogs.participation.jobs`` runs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.domain.participation import (
    CONTACT,
    LEAVABLE_STATUSES,
    MAX_MESSAGE_CHARS,
    MAX_REASON_CHARS,
    PARTNER_LEFT,
    PAUSABLE_STATUSES,
    RESUME,
    Contact,
    Resume,
    TellPartner,
    local_today,
    pause_date_problem,
    resume_at,
)
from dialogs.core.content import Paragraph, Text, Timestamp, UserText
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import (
    ActionRef,
    Actions,
    Button,
    DateField,
    FieldValue,
    Form,
    Header,
    Message,
    Section,
    TextField,
)
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.enrollment.participation import enrollments_of, leave_enrollment
from storage.models import Enrollment, Program
from storage.people.admins import program_team
from storage.sessions.series import cancel_future_sessions

LEAVE_REASON_ACTION = "participation:leave-reason"
PAUSE_ACTION = "participation:pause"
CONTACT_ACTION = "participation:contact"
LEAVE = "leave"
STAY = "stay"
FALLBACK_ZONE = "Europe/Paris"


def say(*paragraphs: Paragraph, title: str | None = None) -> Message:
    blocks: tuple[Header | Section, ...] = (Section(paragraphs),)
    if title:
        blocks = (Header(title), *blocks)
    summary = title or (paragraphs[0].plain() if paragraphs else "")
    return Message(blocks, summary=summary[:150], visibility="private")


def names(programs: list[Program]) -> str:
    return ", ".join(p.name for p in programs)


def not_enrolled(t: Translator) -> Message:
    return say(
        Paragraph.of(
            t(
                "You are not taking part in a program right now, so there is nothing to "
                "change. Type join whenever you would like to take part."
            )
        )
    )


def zone_of(ctx: FlowContext, programs: list[Program]) -> str:
    return ctx.person.timezone or (programs[0].timezone if programs else FALLBACK_ZONE)


# -- pause ---------------------------------------------------------------------------------


def pause_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Pause"),
        ref=ref,
        fields=(
            DateField(
                "until",
                t("Pause until"),
                hint=t("You take part again on that day. Nobody is told why."),
            ),
        ),
        submit_label=t("Pause"),
        intro=(Paragraph.of(t("No new partner, sessions or reminders until the day you choose.")),),
    )


async def submit_pause(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    taking_part = await enrollments_of(ctx.session, ctx.person.id, PAUSABLE_STATUSES)
    if not taking_part:
        return Transition(message=not_enrolled(t))
    programs = [p for _, p in taking_part]
    zone = zone_of(ctx, programs)
    try:
        until = date.fromisoformat(text_value(values, "until"))
    except ValueError:
        return Transition(errors={"until": t("Choose a date.")})
    match pause_date_problem(until, local_today(ctx.now(), zone)):
        case "past":
            return Transition(errors={"until": t("Choose a day after today.")})
        case "too_far":
            return Transition(errors={"until": t("Choose a day within a year.")})
    back = resume_at(until, zone)
    for enrollment, program in taking_part:
        enrollment.status = "paused"
        enrollment.paused_until = back
        await cancel_future_sessions(
            ctx.session, ctx.person.id, reason="pause", now=ctx.now(), program_id=program.id
        )
        resume = Resume(enrollment.id, back.isoformat(), until.isoformat())
        await enqueue_due(ctx.session, RESUME, resume, back)
        record_audit(
            ctx.session,
            "enrollment.paused",
            actor_id=ctx.person.id,
            subject_id=ctx.person.id,
            program_id=program.id,
            details={"until": until.isoformat()},
        )
    return Transition(message=paused_message(t, programs, back))


def paused_message(t: Translator, programs: list[Program], back: Any) -> Message:
    return say(
        Paragraph(
            (
                Text(t("Your participation in ")),
                UserText(names(programs)),
                Text(t(" is paused until ")),
                Timestamp(back, "date"),
                Text(t(". I will tell you when you take part again.")),
            )
        ),
        Paragraph.of(t("Type resume to come back earlier.")),
        title=t("Paused"),
    )


async def resume_now(ctx: FlowContext) -> Message:
    """End a pause early; the queued end of the pause will then find nothing to do."""
    t = ctx.t
    paused = await enrollments_of(ctx.session, ctx.person.id, ("paused",))
    if not paused:
        return say(Paragraph.of(t("You are not on a pause: nothing to resume.")))
    for enrollment, program in paused:
        enrollment.status = "active"
        enrollment.paused_until = None
        record_audit(
            ctx.session,
            "enrollment.resumed",
            actor_id=ctx.person.id,
            subject_id=ctx.person.id,
            program_id=program.id,
        )
    return say(
        Paragraph(
            (
                Text(t("Welcome back! You take part again in ")),
                UserText(names([p for _, p in paused])),
                Text("."),
            )
        )
    )


PAUSE_FLOW = Flow(
    name="pause", first_step="until", steps={"until": Step("until", pause_form, submit_pause)}
)


# -- leave ---------------------------------------------------------------------------------


async def leavable(ctx: FlowContext, data: Mapping[str, Any]) -> list[tuple[Enrollment, Program]]:
    found = await enrollments_of(ctx.session, ctx.person.id, LEAVABLE_STATUSES)
    slug = data.get("program")
    return [(e, p) for e, p in found if not slug or p.slug == slug]


def confirm_card(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Message:
    t = ctx.t
    question = t("Leave the program?")
    programs = str(data.get("names", ""))
    return Message(
        (
            Header(question),
            Section(
                (
                    Paragraph((Text(t("You are about to leave ")), UserText(programs), Text("."))),
                    Paragraph.of(
                        t(
                            "If you have a partner, your pairing ends and I tell them kindly, "
                            "without any reason. You can join again later."
                        )
                    ),
                )
            ),
            Actions(
                (
                    Button(t("Leave"), LEAVE, ref=ref, style="danger"),
                    Button(t("Leave and tell the team why"), LEAVE_REASON_ACTION, opens_form=True),
                    Button(t("Stay"), STAY, ref=ref, style="primary"),
                )
            ),
        ),
        summary=question,
        visibility="private",
    )


async def leave(ctx: FlowContext, data: Mapping[str, Any], reason: str | None) -> Message:
    t = ctx.t
    found = await leavable(ctx, data)
    if not found:
        return say(Paragraph.of(t("You have already left: nothing was changed.")))
    now = ctx.now()
    partners = 0
    for enrollment, program in found:
        ended_here = 0
        for ended in await leave_enrollment(ctx.session, enrollment, reason=reason, now=now):
            ended_here += 1
            tell = TellPartner(ended.partner_id, ctx.person.id, program.name, ended.pairing_id)
            await enqueue_due(ctx.session, PARTNER_LEFT, tell, now)
        record_audit(
            ctx.session,
            "enrollment.left",
            actor_id=ctx.person.id,
            subject_id=ctx.person.id,
            program_id=program.id,
            details={"reason_given": bool(reason), "pairings_ended": ended_here},
        )
        partners += ended_here
    paragraphs = [
        Paragraph(
            (
                Text(t("You have left ")),
                UserText(names([p for _, p in found])),
                Text(t(". Thank you for taking part!")),
            )
        )
    ]
    if partners:
        paragraphs.append(
            Paragraph.of(t("Your pairing has ended; I have told your partner, kindly."))
        )
    if reason:
        paragraphs.append(Paragraph.of(t("Only the program team will read your reason.")))
    return say(*paragraphs, title=t("Goodbye for now"))


async def answer_confirm(
    ctx: FlowContext, data: Mapping[str, Any], action: str, value: str
) -> Transition:
    if action == STAY:
        return Transition(message=say(Paragraph.of(ctx.t("Good: nothing was changed."))))
    if action != LEAVE:
        return Transition(errors={"action": ctx.t("Choose Leave or Stay.")})
    return Transition(message=await leave(ctx, data, None))


def reason_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Leave the program"),
        ref=ref,
        fields=(
            TextField(
                "reason",
                t("Why are you leaving?"),
                required=False,
                multiline=True,
                max_length=MAX_REASON_CHARS,
                hint=t("Only the program team reads it; your partner never does."),
            ),
        ),
        submit_label=t("Leave"),
    )


async def submit_reason(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    reason = text_value(values, "reason")
    if len(reason) > MAX_REASON_CHARS:
        return Transition(
            errors={
                "reason": ctx.t.tn(
                    "At most {count} character.", "At most {count} characters.", MAX_REASON_CHARS
                )
            }
        )
    return Transition(message=await leave(ctx, data, reason or None))


LEAVE_FLOW = Flow(
    name="leave",
    first_step="confirm",
    steps={"confirm": Step("confirm", card=confirm_card, act=answer_confirm)},
)
LEAVE_REASON_FLOW = Flow(
    name="leave_reason",
    first_step="reason",
    steps={"reason": Step("reason", reason_form, submit_reason)},
)


# -- contact -------------------------------------------------------------------------------


def contact_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Write to the team"),
        ref=ref,
        fields=(
            TextField(
                "message",
                t("Your message"),
                multiline=True,
                max_length=MAX_MESSAGE_CHARS,
                hint=t("Only the program team reads it."),
            ),
        ),
        submit_label=t("Send"),
    )


async def submit_contact(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    text = text_value(values, "message")
    if not text:
        return Transition(errors={"message": t("Write your message.")})
    if len(text) > MAX_MESSAGE_CHARS:
        return Transition(
            errors={
                "message": t.tn(
                    "At most {count} character.", "At most {count} characters.", MAX_MESSAGE_CHARS
                )
            }
        )
    statuses = ("pending", "active", "paused", "left", "declined")
    programs = [p for _, p in await enrollments_of(ctx.session, ctx.person.id, statuses)]
    message = Contact(ctx.person.id, text, tuple(p.id for p in programs), names(programs))
    await enqueue_due(ctx.session, CONTACT, message, ctx.now())
    if not await program_team(ctx.session, message.program_ids, ctx.deployment_admins):
        waiting = t(
            "Your message is waiting for the program team: nobody in the program team can "
            "read messages yet; it is kept and will be delivered as soon as an admin joins."
        )
        return Transition(message=say(Paragraph.of(waiting)))
    return Transition(
        message=say(
            Paragraph.of(t("Your message is on its way to the program team.")),
            Paragraph.of(t("They will answer you directly.")),
        )
    )


CONTACT_FLOW = Flow(
    name="contact",
    first_step="message",
    steps={"message": Step("message", contact_form, submit_contact)},
)
