"""Answering a proposal and living a pairing, for the two people in it.

Accept (button)           → waiting for the other, or the pairing starts (a double click
                            counts once: the proposal row is locked)
Decline (button → form)   → the other is told, never why
goals, Set my goals       → 1 to 3 kickoff goals (form)
end, End the pairing      → end one's own pairing (form: optional private reason)
"""

from __future__ import annotations

from bot.domain.proposals import ACCEPT, ACCEPTED, DECLINED, STARTED, Answers, decide, side_of
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.ui import Message
from dialogs.matching.cards import ACCEPT_ACTION, DECLINE_ACTION, END_ACTION, GOALS_ACTION
from dialogs.matching.flows import (
    DECLINE_FLOW,
    END_FLOW,
    GOALS_FLOW,
    answer_status,
    closed_message,
)
from dialogs.participation.flows import say
from storage.audit import record_audit
from storage.match_runs import active_pairings_of, is_taking_part, locked_proposal, start_pairing
from storage.queue import enqueue_action


def say_text(text: str) -> Message:
    return say(Paragraph.of(text))


async def accept(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    value = turn.inbound.value
    proposal = await locked_proposal(ctx.session, int(value)) if value.isdigit() else None
    if proposal is None:
        return turn.reply(say_text(t("This proposal is closed.")), close_source=True)
    side = side_of(ctx.person.id, proposal.mentor_id, proposal.mentee_id)
    other = proposal.mentee_id if side == "mentor" else proposal.mentor_id
    partner_active = await is_taking_part(ctx.session, proposal.program_id, other)
    current = Answers(proposal.status, proposal.mentor_answer, proposal.mentee_answer)
    result = decide(current, side, ACCEPT, partner_active)
    if result == "not_yours":
        return turn.reply(say_text(t("This proposal is not addressed to you.")))
    if result == "already" and proposal.status == "sent":  # a double click: counts once
        return turn.reply(
            await closed_message(ctx, proposal, "accepted_waiting"), close_source=True
        )
    if result in ("closed", "already"):
        return turn.reply(answer_status(t, proposal), close_source=True)
    now = ctx.now()
    if side == "mentor":
        proposal.mentor_answer = ACCEPT
    else:
        proposal.mentee_answer = ACCEPT
    if result == "partner_gone":
        proposal.status, proposal.declined_by, proposal.answered_at = DECLINED, other, now
        return turn.reply(await closed_message(ctx, proposal, "partner_gone"), close_source=True)
    record_audit(
        ctx.session,
        "proposal.accepted",
        actor_id=ctx.person.id,
        subject_id=ctx.person.id,
        program_id=proposal.program_id,
        details={"proposal_id": proposal.id},
    )
    if result == "waiting":
        return turn.reply(
            await closed_message(ctx, proposal, "accepted_waiting"), close_source=True
        )
    proposal.status, proposal.answered_at = ACCEPTED, now
    pairing = start_pairing(ctx.session, proposal, now)
    await ctx.session.flush()
    await enqueue_action(
        ctx.session, STARTED, f"pairing:{pairing.id}:started", now, {"pairing_id": pairing.id}
    )
    text = t("You both accepted! I am opening a conversation with the two of you.")
    return turn.reply(say_text(text), close_source=True)


async def decline(turn: Turn) -> Outcome:
    ctx = turn.ctx
    value = turn.inbound.value
    proposal = await locked_proposal(ctx.session, int(value)) if value.isdigit() else None
    if proposal is None:
        return turn.reply(say_text(ctx.t("This proposal is closed.")), close_source=True)
    if proposal.status != "sent":
        return turn.reply(answer_status(ctx.t, proposal), close_source=True)
    data = {"proposal_id": proposal.id}
    return await turn.start(DECLINE_FLOW.name, opener=DECLINE_ACTION, data=data)


async def _pairing_flow(turn: Turn, flow: str, opener: str) -> Outcome:
    """Goals or end: the pairing the button names, or the person's only (first) one."""
    pairings = await active_pairings_of(turn.ctx.session, turn.ctx.person.id)
    chosen = [p for p in pairings if str(p.id) == turn.inbound.value] or pairings[:1]
    if not chosen:
        return turn.reply(say_text(turn.ctx.t("You have no active pairing right now.")))
    return await turn.start(flow, opener=opener, data={"pairing_id": chosen[0].id})


async def goals(turn: Turn) -> Outcome:
    return await _pairing_flow(turn, GOALS_FLOW.name, GOALS_ACTION)


async def end(turn: Turn) -> Outcome:
    return await _pairing_flow(turn, END_FLOW.name, END_ACTION)


PAIRING = Feature(
    name="pairing",
    flows=(DECLINE_FLOW, GOALS_FLOW, END_FLOW),
    commands={"end": end, "goals": goals},
    actions={ACCEPT_ACTION: accept, DECLINE_ACTION: decline, GOALS_ACTION: goals, END_ACTION: end},
)
