"""Goals after the kickoff: the mid-point check and the ``goals`` command.

routine goals.midpoint (daily) ──► goals.midpoint_ask per pairing whose mid-point came
    ──► a request and a card to each of the two (quiet hours kept by the notifier)
    ──► goals.midpoint_remind a week later: once, unless answered (by either of them)
card *Check our goals* ──► goal_check form (one select per goal) ──► GoalCheck "midpoint"
goals / objectifs ──► my pairs' goals, status and who checked last ──► *Update a status*
    (goal_check form, GoalCheck "update") or *Set our goals* (the kickoff form)

A request expires three weeks after it was asked: a late answer is refused politely and
changes nothing; someone else's card answers "not yours"; a form sent twice counts once
(the engine), and answering the mid-point again changes one's check, never adds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback.goals import (
    GOAL_STATUSES,
    MIDPOINT_ANSWERABLE,
    MIDPOINT_ASK,
    MIDPOINT_REMIND,
    MIDPOINT_REMIND_AFTER,
    MIDPOINT_ROUTINE,
    MIDPOINT_TRIGGER,
    MidpointAsk,
    MidpointCheck,
    MidpointRemind,
)
from bot.domain.feedback.requests import RequestState, answerable, may_remind, request_key
from bot.domain.notifications import Notification
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Feature, Recurring, Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.ui import FieldValue, Message
from dialogs.feedback.goals_cards import (
    CHECK_EXAMPLE,
    FIELD_PREFIX,
    MIDPOINT_ACTION,
    UPDATE_ACTION,
    PairGoals,
    check_form,
    goals_overview,
)
from dialogs.participation.flows import say
from storage.audit import record_audit
from storage.dialog_states import advance_flow, open_flow
from storage.enqueue import enqueue_due
from storage.feedback.goals import GoalState, goal_states, pairings_at_midpoint, record_check
from storage.feedback.requests import answer_row, ask, locked_request
from storage.matching.runs import active_pairings_of
from storage.models import FeedbackRequest, Pairing
from storage.programs.programs import people_by_id

log = structlog.get_logger("tandem.goals")

CHECK_FLOW_NAME = "goal_check"


def _say(text: str) -> Message:
    return say(Paragraph.of(text))


def _state(request: FeedbackRequest) -> RequestState:
    return RequestState(request.person_id, request.status, request.expires_at, request.reminded_at)


def _goal_data(states: list[GoalState]) -> list[list[Any]]:
    return [[s.goal.id, s.goal.text, s.goal.status] for s in states]


async def _start_check(turn: Turn, data: dict[str, Any], opener: str) -> Outcome:
    """The check form for these goals; a form left open for other goals (another pairing,
    a list that changed) is closed first, so that it cannot be sent any more."""
    ctx = turn.ctx
    left = await open_flow(ctx.session, ctx.person.id, CHECK_FLOW_NAME)
    if left is not None and {k: left.data.get(k) for k in data} != data:
        await advance_flow(
            ctx.session, left.id, left.version, left.step, left.data, finished=True, now=ctx.now()
        )
    return await turn.start(CHECK_FLOW_NAME, opener=opener, data=data)


def _refusal(ctx: FlowContext, verdict: str) -> Message:
    t = ctx.t
    if verdict == "not_yours":
        return _say(t("This check is not addressed to you."))
    return _say(
        t("This check has closed. You can still update your goals at any time: type goals.")
    )


# -- the mid-point: asking, reminding --------------------------------------------------------


async def midpoint_round(due: DueContext) -> None:
    """Daily: each pairing whose mid-point has come is asked once (the key sees to it)."""
    now = due.notifier.clock.now()
    async with due.database.unit_of_work(immediate=True) as session:
        pairings = await pairings_at_midpoint(session, now, due.notifier.config.default_timezone)
        for pairing in pairings:
            await enqueue_due(session, MIDPOINT_ASK, MidpointAsk(pairing.id), now)
    log.info("goals.midpoint_round", pairings=len(pairings))


async def ask_midpoint(due: DueContext, payload: MidpointAsk) -> None:
    now = due.notifier.clock.now()
    async with due.database.unit_of_work(immediate=True) as session:
        pairing = await session.get(Pairing, payload.pairing_id)
        if pairing is None or pairing.status != "active":
            return
        states = await goal_states(session, pairing.id)
        if not states:
            return
        lines = tuple((s.goal.text, s.goal.status) for s in states)
        for person_id, role in ((pairing.mentor_id, "mentor"), (pairing.mentee_id, "mentee")):
            key = request_key("midpoint", pairing.id, person_id)
            request = await ask(
                session,
                key=key,
                kind="midpoint",
                pairing_id=pairing.id,
                person_id=person_id,
                role=role,
                now=now,
                expires_at=now + MIDPOINT_ANSWERABLE,
            )
            if request is None:
                continue  # asked already (a replay)
            partner = pairing.mentee_id if person_id == pairing.mentor_id else pairing.mentor_id
            card = MidpointCheck(request.id, (partner,), lines)
            await due.notifier.notify(session, person_id, card, key=f"{key}:card")
            remind = MidpointRemind(request.id)
            await enqueue_due(session, MIDPOINT_REMIND, remind, now + MIDPOINT_REMIND_AFTER)


async def remind_midpoint(due: DueContext, payload: MidpointRemind) -> None:
    """Once, and only while nobody of the pair has checked the goals at the mid-point."""
    now = due.notifier.clock.now()
    async with due.database.unit_of_work(immediate=True) as session:
        request = await locked_request(session, payload.request_id)
        if request is None or not may_remind(_state(request), now):
            return
        pairing = await session.get(Pairing, request.pairing_id)
        if pairing is None or pairing.status != "active":
            return
        states = await goal_states(session, pairing.id)
        if not states or all(s.last is not None and s.last.stage == "midpoint" for s in states):
            return  # the partner answered for the pair: no need to ring again
        request.reminded_at = now
        partner = pairing.mentee_id if request.person_id == pairing.mentor_id else pairing.mentor_id
        lines = tuple((s.goal.text, s.goal.status) for s in states)
        card = MidpointCheck(request.id, (partner,), lines, reminder=True)
        await due.notifier.notify(session, request.person_id, card, key=f"{request.key}:reminder")


async def answered_already(session: AsyncSession, card: Notification, person_id: str) -> bool:
    """A card held by quiet hours whose request was answered (or closed) meanwhile."""
    if not isinstance(card, MidpointCheck):
        return False
    request = await session.get(FeedbackRequest, card.request_id)
    return request is None or (card.reminder and request.status != "open")


# -- the mid-point: answering ----------------------------------------------------------------


async def reopen_midpoint(turn: Turn, request: FeedbackRequest) -> Outcome:
    """The check form for one person's mid-point request (the card's button, and the
    ``feedback`` command's list of what is pending)."""
    ctx = turn.ctx
    verdict = answerable(_state(request), ctx.person.id, ctx.now())
    if verdict != "yes":
        return turn.reply(_refusal(ctx, verdict), close_source=verdict != "not_yours")
    pairing = await ctx.session.get(Pairing, request.pairing_id)
    states = await goal_states(ctx.session, request.pairing_id) if pairing else []
    if pairing is None or pairing.status != "active" or not states:
        return turn.reply(_say(ctx.t("This pairing is no longer active.")), close_source=True)
    data = {
        "stage": "midpoint",
        "request_id": request.id,
        "pairing_id": pairing.id,
        "goals": _goal_data(states),
    }
    return await _start_check(turn, data, MIDPOINT_ACTION)


async def open_midpoint(turn: Turn) -> Outcome:
    ctx, value = turn.ctx, turn.inbound.value
    request = await ctx.session.get(FeedbackRequest, int(value)) if value.isdigit() else None
    if request is None or request.kind != "midpoint":
        return turn.reply(_refusal(ctx, "not_yours"))
    return await reopen_midpoint(turn, request)


def _chosen(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> tuple[dict[int, str], dict[str, str]]:
    """The status chosen for each goal of the form, or field errors."""
    t = ctx.t
    chosen: dict[int, str] = {}
    errors: dict[str, str] = {}
    names = [f"{FIELD_PREFIX}{goal_id}" for goal_id, *_ in data.get("goals", [])]
    for name in names:
        status = text_value(values, name)
        if not status:
            continue
        if status not in GOAL_STATUSES:
            errors[name] = t("Choose a status in the list.")
        else:
            chosen[int(name.removeprefix(FIELD_PREFIX))] = status
    if not errors and not chosen and names:
        errors[names[0]] = t("Choose a status for at least one goal.")
    return chosen, errors


async def submit_check(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    chosen, errors = _chosen(ctx, data, values)
    if errors:
        return Transition(errors=errors)
    now, stage = ctx.now(), str(data.get("stage", "update"))
    request = None
    if stage == "midpoint":
        request = await locked_request(ctx.session, int(data["request_id"]))
        verdict = answerable(_state(request), ctx.person.id, now) if request else "cancelled"
        if verdict != "yes":
            return Transition(message=_refusal(ctx, verdict))
    pairing = await ctx.session.get(Pairing, int(data["pairing_id"]))
    if (
        pairing is None
        or pairing.status != "active"
        or ctx.person.id not in (pairing.mentor_id, pairing.mentee_id)
    ):
        return Transition(message=_say(t("This pairing is no longer active.")))
    goals = {s.goal.id: s.goal for s in await goal_states(ctx.session, pairing.id)}
    # A goal removed meanwhile is skipped; an update that changes nothing records nothing
    # (the mid-point records every answer: "still on track" is news there).
    kept = {
        goal_id: status
        for goal_id, status in chosen.items()
        if goal_id in goals and (stage == "midpoint" or goals[goal_id].status != status)
    }
    if not kept and request is None:
        return Transition(message=_say(t("Nothing changed: the goals keep their status.")))
    for goal_id, status in kept.items():
        await record_check(ctx.session, goals[goal_id], ctx.person.id, stage, status, now)
    checked = len(kept)
    if request is not None:
        await answer_row(ctx.session, request, now)
    record_audit(
        ctx.session,
        "goals.checked",
        actor_id=ctx.person.id,
        subject_id=ctx.person.id,
        program_id=pairing.program_id,
        details={"pairing_id": pairing.id, "stage": stage, "count": checked},
    )
    return Transition(
        message=_say(
            t.tn(
                "Saved: {count} goal checked. Your partner sees its status.",
                "Saved: {count} goals checked. Your partner sees their status.",
                checked,
            )
        )
    )


CHECK_FLOW = Flow(
    name=CHECK_FLOW_NAME,
    first_step="check",
    steps={"check": Step("check", check_form, submit_check)},
    example=CHECK_EXAMPLE,
)


# -- the goals command -----------------------------------------------------------------------


async def goals_command(turn: Turn) -> Outcome:
    ctx = turn.ctx
    pairings = await active_pairings_of(ctx.session, ctx.person.id)
    if not pairings:
        return turn.reply(_say(ctx.t("You have no active pairing right now.")))
    pairs, ids = [], set()
    for pairing in pairings[:5]:  # a mentor's capacity; more would not fit one message
        partner = pairing.mentee_id if pairing.mentor_id == ctx.person.id else pairing.mentor_id
        lines = []
        for state in await goal_states(ctx.session, pairing.id):
            last = state.last
            who, when = (last.person_id, last.checked_at) if last else ("", None)
            lines.append((state.goal.text, state.goal.status, who, when))
            ids.add(who)
        pairs.append(PairGoals(pairing.id, partner, lines))
        ids.add(partner)
    people = await people_by_id(ctx.session, sorted(i for i in ids if i))
    return turn.reply(goals_overview(ctx.t, pairs, people))


async def open_update(turn: Turn) -> Outcome:
    ctx, value = turn.ctx, turn.inbound.value
    pairings = await active_pairings_of(ctx.session, ctx.person.id)
    chosen = [p for p in pairings if str(p.id) == value]
    if not chosen:
        return turn.reply(_say(ctx.t("This pairing is no longer active.")))
    states = await goal_states(ctx.session, chosen[0].id)
    if not states:
        return await goals_command(turn)
    data = {"stage": "update", "pairing_id": chosen[0].id, "goals": _goal_data(states)}
    return await _start_check(turn, data, UPDATE_ACTION)


GOALS = Feature(
    name="goals",
    flows=(CHECK_FLOW,),
    commands={"goals": goals_command},
    actions={MIDPOINT_ACTION: open_midpoint, UPDATE_ACTION: open_update},
    due={MIDPOINT_ASK: ask_midpoint, MIDPOINT_REMIND: remind_midpoint},
    routines=(Recurring(MIDPOINT_ROUTINE, MIDPOINT_TRIGGER, midpoint_round),),
    outdated={MidpointCheck.type: answered_already},
)
