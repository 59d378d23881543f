"""Answering a proposal and living a pairing, for the two people in it.

Accept (button)           → waiting for the other, or the pairing starts (a double click
                            counts once: the proposal row is locked)
Decline (button → form)   → the other is told, never why
Set my goals (button)     → 1 to 3 kickoff goals (form; typed goals: dialogs/feedback)
end, End the pairing      → end one's own pairing (form: optional private reason)
"""

from __future__ import annotations

from bot.domain.proposals import ACCEPT
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.ui import Message
from dialogs.matching.cards import ACCEPT_ACTION, DECLINE_ACTION, END_ACTION, GOALS_ACTION
from dialogs.matching.flows import (
    DECLINE_FLOW,
    END_FLOW,
    GOALS_FLOW,
    answer_proposal,
    answer_status,
)
from dialogs.participation.flows import say
from storage.matching.runs import active_pairings_of, locked_proposal


def say_text(text: str) -> Message:
    return say(Paragraph.of(text))


async def accept(turn: Turn) -> Outcome:
    value = turn.inbound.value
    if not value.isdigit():
        return turn.reply(say_text(turn.ctx.t("This proposal is closed.")), close_source=True)
    result, message = await answer_proposal(turn.ctx, int(value), ACCEPT)
    return turn.reply(message, close_source=result != "not_yours")


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
    commands={"end": end},  # typed "goals" is dialogs/feedback/goals.py's overview
    actions={ACCEPT_ACTION: accept, DECLINE_ACTION: decline, GOALS_ACTION: goals, END_ACTION: end},
)
