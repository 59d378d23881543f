"""Answering a proposal and living a pairing: decline (with an optional private reason),
kickoff goals, ending a pairing early.

accept:        no flow: the Accept button answers at once (a double click counts once);
               ``answer_proposal`` records accepts and declines alike
decline:       reason --submit--> done        (the other side is told, never why)
goals:         goals  --submit--> done        (1 to 3 goals; a missing first goal keeps it)
end_pairing:   reason --submit--> done        (the partner is told kindly, no fault)

What other people must hear is queued as due actions in the same transaction
(``dialogs.matching.jobs`` runs them through the notifier).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.domain.matching_notifications import ProposalClosed
from bot.domain.participation import partner_of
from bot.domain.proposals import (
    ACCEPT,
    ACCEPTED,
    DECLINE,
    DECLINED,
    ENDED,
    MAX_GOAL_CHARS,
    MAX_GOALS,
    MAX_REASON_CHARS,
    REMOVED,
    SENT,
    STARTED,
    WITHDRAWN,
    Answers,
    PairingEndedNotice,
    PairingRef,
    ProposalWithdrawn,
    card_purpose,
    decide,
    side_of,
)
from bot.domain.sessions.scheduling import OFFER, PairingSlots
from dialogs.core.content import Paragraph
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import ActionRef, FieldValue, Form, Message, TextField
from dialogs.matching.cards import proposal_closed
from dialogs.notify.notifier import REPLACE, replacement
from dialogs.participation.flows import say
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.feedback.closing import queue_closing
from storage.matching.pairing_rules import start_obstacles
from storage.matching.runs import (
    add_goals,
    goals_of,
    is_taking_part,
    locked_proposal,
    start_pairing,
)
from storage.models import Pairing, Program, Proposal
from storage.programs.programs import people_by_id
from storage.sessions.series import cancel_future_sessions

DECLINE_FLOW_NAME = "proposal_decline"
GOALS_FLOW_NAME = "kickoff_goals"
END_FLOW_NAME = "end_pairing"


async def closed_message(ctx: FlowContext, proposal: Proposal, outcome: str) -> Message:
    other = partner_of(proposal.mentor_id, proposal.mentee_id, ctx.person.id)
    program = await ctx.session.get(Program, proposal.program_id)
    notice = ProposalClosed(proposal.id, program.name if program else "", (other,), outcome)
    return proposal_closed(notice, ctx.t, await people_by_id(ctx.session, [other]))


async def close_cards(ctx: FlowContext, proposal: Proposal, person_id: str, outcome: str) -> None:
    """Every live copy of the person's card (the first and the reminder, on any platform)
    shows ``outcome`` and loses its buttons, through the notifier's queue."""
    other = partner_of(proposal.mentor_id, proposal.mentee_id, person_id)
    program = await ctx.session.get(Program, proposal.program_id)
    card = ProposalClosed(proposal.id, program.name if program else "", (other,), outcome, True)
    key = f"proposal:{proposal.id}:card:{outcome}:{person_id}"
    payload = replacement(person_id, card_purpose(proposal.id), card)
    await enqueue_due(ctx.session, REPLACE, payload, ctx.now(), key=key)


def answer_status(t: Translator, proposal: Proposal) -> Message:
    """For a click on a card that is no longer waiting: what became of it."""
    words = {
        "accepted": t("This proposal was accepted: your pairing has started."),
        "declined": t("This proposal will not go ahead."),
        "expired": t("This proposal has expired."),
        "removed": t("The program team withdrew this proposal."),
    }
    return say(Paragraph.of(words.get(proposal.status, t("This proposal is closed."))))


async def answer_proposal(
    ctx: FlowContext, proposal_id: int, answer: str, reason: str | None = None
) -> tuple[str, Message]:
    """Record one side's answer, Accept or Decline (the proposal row is locked, so a double
    click counts once). An accept waits for the other side or starts the pairing; a decline
    ends the proposal and the other side is told (never why) by a due action."""
    t = ctx.t
    proposal = await locked_proposal(ctx.session, proposal_id)
    if proposal is None:
        return "closed", say(Paragraph.of(t("This proposal is closed.")))
    side = side_of(ctx.person.id, proposal.mentor_id, proposal.mentee_id)
    other = partner_of(proposal.mentor_id, proposal.mentee_id, ctx.person.id)
    partner_active = (
        await is_taking_part(ctx.session, proposal.program_id, other) if answer == ACCEPT else True
    )
    current = Answers(proposal.status, proposal.mentor_answer, proposal.mentee_answer)
    result = decide(current, side, answer, partner_active)
    if result == "not_yours":
        return result, say(Paragraph.of(t("This proposal is not addressed to you.")))
    if result == "already" and answer == ACCEPT and proposal.status == SENT:
        return result, await closed_message(ctx, proposal, "accepted_waiting")  # double click
    if result in ("closed", "already"):
        return result, answer_status(t, proposal)
    now = ctx.now()
    if side == "mentor":
        proposal.mentor_answer = answer
    else:
        proposal.mentee_answer = answer
    if result == "partner_gone":  # only an accept asks: the proposal ends, back to the pool
        proposal.status, proposal.declined_by, proposal.answered_at = DECLINED, other, now
        await close_cards(ctx, proposal, ctx.person.id, "partner_gone")
        return result, await closed_message(ctx, proposal, "partner_gone")
    if result == "accepted" and (broken := await start_obstacles(ctx.session, proposal)):
        return "closed", await _cannot_start(ctx, proposal, other, broken)
    if result == "declined":
        proposal.status = DECLINED
        proposal.declined_by = ctx.person.id
        proposal.decline_reason = reason
        proposal.answered_at = now
        await _tell_other(ctx, proposal, other, "declined_by_other")
    record_audit(
        ctx.session,
        "proposal.declined" if result == "declined" else "proposal.accepted",
        actor_id=ctx.person.id,
        subject_id=ctx.person.id,
        program_id=proposal.program_id,
        details={"proposal_id": proposal.id},
    )
    if result == "declined":
        await close_cards(ctx, proposal, ctx.person.id, "you_declined")
        return result, await closed_message(ctx, proposal, "you_declined")
    if result == "waiting":
        await close_cards(ctx, proposal, ctx.person.id, "accepted_waiting")
        return result, await closed_message(ctx, proposal, "accepted_waiting")
    for person_id in (proposal.mentor_id, proposal.mentee_id):
        await close_cards(ctx, proposal, person_id, "accepted")
    return result, await _start_pairing(ctx, proposal, now)


async def _cannot_start(
    ctx: FlowContext, proposal: Proposal, other: str, broken: list[str]
) -> Message:
    """Both accepted, but the pairing would now break a hard rule (the mentor's other
    pairing started first, an admin blocked the pair…): the proposal is withdrawn, both go
    back to the pool kindly, and the program team reads why in the audit."""
    proposal.status, proposal.answered_at = REMOVED, ctx.now()
    await _tell_other(ctx, proposal, other, "not_started")
    record_audit(
        ctx.session,
        "proposal.not_started",
        actor_id=ctx.person.id,
        subject_id=ctx.person.id,
        program_id=proposal.program_id,
        details={"proposal_id": proposal.id, "rules": broken},
    )
    return await closed_message(ctx, proposal, "not_started")


async def _tell_other(ctx: FlowContext, proposal: Proposal, other: str, outcome: str) -> None:
    """The other side hears that the proposal will not go ahead (a due action, once)."""
    told = ProposalWithdrawn(proposal.id, tell=other, outcome=outcome)
    await enqueue_due(ctx.session, WITHDRAWN, told, ctx.now())


async def _start_pairing(ctx: FlowContext, proposal: Proposal, now: datetime) -> Message:
    """Both accepted: the pairing starts, and a due action introduces the two of them."""
    proposal.status, proposal.answered_at = ACCEPTED, now
    pairing = start_pairing(ctx.session, proposal, now)
    await ctx.session.flush()
    await enqueue_due(ctx.session, STARTED, PairingRef(pairing.id), now)
    # the first session's slots, just after the introduction (once per pairing)
    await enqueue_due(ctx.session, OFFER, PairingSlots(pairing.id), now + timedelta(minutes=1))
    text = ctx.t("You both accepted! I am opening a conversation with the two of you.")
    return say(Paragraph.of(text))


# -- decline -------------------------------------------------------------------------------


def reason_form(
    ref: ActionRef, title: str, hint: str, submit: str, intro: str, t: Translator
) -> Form:
    """An optional private reason: only the program team reads it."""
    field = TextField(
        "reason",
        t("Why?"),
        required=False,
        multiline=True,
        max_length=MAX_REASON_CHARS,
        hint=hint,
    )
    return Form(
        title=title, ref=ref, fields=(field,), submit_label=submit, intro=(Paragraph.of(intro),)
    )


def decline_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return reason_form(
        ref,
        t("Decline the proposal"),
        t("Only the program team reads it; the other person never sees it."),
        t("Decline"),
        t("No problem: you go back to the pool for the next round."),
        t,
    )


async def submit_decline(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    reason = text_value(values, "reason")[:MAX_REASON_CHARS] or None
    _, message = await answer_proposal(ctx, int(data["proposal_id"]), DECLINE, reason)
    return Transition(message=message)


DECLINE_FLOW = Flow(
    name=DECLINE_FLOW_NAME,
    first_step="reason",
    steps={"reason": Step("reason", decline_form, submit_decline)},
    example={"proposal_id": 1},
)


# -- kickoff goals -------------------------------------------------------------------------


def goals_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    fields = tuple(
        TextField(
            f"goal{n}",
            t("Goal {n}").format(n=n),
            required=n == 1,
            max_length=MAX_GOAL_CHARS,
            hint=t("For example: publish my first LinkedIn post") if n == 1 else "",
        )
        for n in range(1, MAX_GOALS + 1)
    )
    return Form(
        title=t("Kickoff goals"),
        ref=ref,
        fields=fields,
        submit_label=t("Save"),
        intro=(Paragraph.of(t("What should this pairing achieve? Your partner sees them.")),),
    )


async def _own_pairing(ctx: FlowContext, pairing_id: int) -> Pairing | None:
    pairing = await ctx.session.get(Pairing, pairing_id)
    if pairing is None or ctx.person.id not in (pairing.mentor_id, pairing.mentee_id):
        return None
    return pairing


async def submit_goals(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    texts = [text_value(values, f"goal{n}")[:MAX_GOAL_CHARS] for n in range(1, MAX_GOALS + 1)]
    if not texts[0]:
        return Transition(errors={"goal1": t("Write at least one goal.")})
    pairing = await _own_pairing(ctx, int(data["pairing_id"]))
    if pairing is None or pairing.status != "active":
        return Transition(message=say(Paragraph.of(t("This pairing is no longer active."))))
    existing = await goals_of(ctx.session, pairing.id)
    mine = [g for g in existing if g.created_by == ctx.person.id]
    for goal in mine:  # setting goals again replaces one's own
        await ctx.session.delete(goal)
    kept = [x for x in texts if x]
    add_goals(ctx.session, pairing.id, ctx.person.id, kept, start=len(existing) - len(mine) + 1)
    record_audit(
        ctx.session,
        "pairing.goals_set",
        actor_id=ctx.person.id,
        subject_id=ctx.person.id,
        program_id=pairing.program_id,
        details={"pairing_id": pairing.id, "count": len(kept)},
    )
    return Transition(
        message=say(
            Paragraph.of(
                t.tn(
                    "Saved: {count} goal. Good luck for your first session!",
                    "Saved: {count} goals. Good luck for your first session!",
                    len(kept),
                )
            )
        )
    )


GOALS_FLOW = Flow(
    name=GOALS_FLOW_NAME,
    first_step="goals",
    steps={"goals": Step("goals", goals_form, submit_goals)},
    example={"pairing_id": 1},
)


# -- end a pairing early -------------------------------------------------------------------


def end_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return reason_form(
        ref,
        t("End the pairing"),
        t("Only the program team reads it; your partner never sees it."),
        t("End the pairing"),
        t(
            "Your partner is told kindly that the pairing ended, with no fault and "
            "no reason. You both stay in the program."
        ),
        t,
    )


async def end_pairing(
    ctx: FlowContext, pairing: Pairing, reason: str | None, *, by_admin: bool
) -> None:
    now = ctx.now()
    # An admin's end: both are told the pairing ended, which says enough about sessions.
    await cancel_future_sessions(
        ctx.session,
        pairing.mentor_id if by_admin else ctx.person.id,
        reason="end",
        now=now,
        pairing_ids=[pairing.id],
        tell=not by_admin,
    )
    pairing.status = "ended"
    pairing.ended_at = now
    pairing.ended_by = ctx.person.id
    pairing.end_reason = reason
    await queue_closing(ctx.session, pairing.id, now)  # both are asked for their review
    tell = (
        [pairing.mentor_id, pairing.mentee_id]
        if by_admin
        else [partner_of(pairing.mentor_id, pairing.mentee_id, ctx.person.id)]
    )
    for partner in tell:
        notice = PairingEndedNotice(pairing.id, partner, ctx.person.id, by_admin)
        await enqueue_due(ctx.session, ENDED, notice, now)
    record_audit(
        ctx.session,
        "pairing.ended",
        actor_id=ctx.person.id,
        subject_id=pairing.mentee_id,
        program_id=pairing.program_id,
        details={"pairing_id": pairing.id, "by_admin": by_admin},
    )


async def submit_end(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    pairing = await _own_pairing(ctx, int(data["pairing_id"]))
    if pairing is None or pairing.status != "active":
        return Transition(message=say(Paragraph.of(t("This pairing is no longer active."))))
    reason = text_value(values, "reason")[:MAX_REASON_CHARS] or None
    await end_pairing(ctx, pairing, reason, by_admin=False)
    return Transition(
        message=say(
            Paragraph.of(
                t(
                    "Your pairing has ended. Thank you for the time you gave. You stay in the "
                    "program: I will propose a new partner in the next round."
                )
            )
        )
    )


END_FLOW = Flow(
    name=END_FLOW_NAME,
    first_step="reason",
    steps={"reason": Step("reason", end_form, submit_end)},
    example={"pairing_id": 1},
)
