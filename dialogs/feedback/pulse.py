"""The monthly private pulse: the daily routine that asks (once a month per person),
reminds once and closes at the month's end; the answer buttons; the optional comment;
the follow-up alert to the pulse's readers only.

pulse_comment:  comment --submit--> done   (the answer again, and an optional comment;
                                            a closed month or someone else's pulse keeps
                                            nothing)
A click or a submission after the month's end is refused politely and stores nothing;
answering again changes the one ``Feedback`` row of the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import DueKind
from bot.domain.feedback.pulse import (
    ANSWERS,
    FOLLOW_UP,
    MAX_COMMENT,
    PULSE_ROUTINE,
    PULSE_TRIGGER,
    PulseAsked,
    PulseClosed,
    PulseFollowUp,
    month_end,
    period_to_ask,
    remind_now,
)
from bot.domain.feedback.requests import RequestState, answerable, request_key
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Feature, Recurring, Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import ActionRef, FieldValue, Form, Message, Option, SelectField, TextField
from dialogs.feedback.pulse_cards import (
    ANSWER_ACTION,
    COMMENT_ACTION,
    answered_messages,
    choice_words,
    pulse_card,
)
from dialogs.participation.flows import say
from storage.dialog_states import advance_flow, open_flow
from storage.enqueue import enqueue_due
from storage.feedback.pulse import pairs_to_ask, pulses_run_out, pulses_to_remind, readers_of
from storage.feedback.requests import answer_row, ask, locked_request
from storage.models import DueAction, Feedback, FeedbackRequest, Pairing, Person, Program

log = structlog.get_logger("tandem.pulse")
PULSE_FLOW_NAME = "feedback.pulse_comment"
# The readers are told a little after the answer, so that a click followed by a comment
# makes one alert (the later change supersedes the earlier alert).
ALERT_DELAY = timedelta(minutes=10)


@dataclass(frozen=True)
class PulseAlert:
    request_id: int
    stamp: str  # the answer's version (its last change, ISO): a later change supersedes it


ALERT = DueKind("feedback.pulse_alert", PulseAlert)


def _state(request: FeedbackRequest) -> RequestState:
    return RequestState(request.person_id, request.status, request.expires_at, request.reminded_at)


def _partner(pairing: Pairing, person_id: str) -> str:
    return pairing.mentee_id if pairing.mentor_id == person_id else pairing.mentor_id


def _asked(
    request: FeedbackRequest, pairing: Pairing, program: Program, *, reminder: bool
) -> PulseAsked:
    assert request.expires_at is not None  # every pulse ends with its month
    return PulseAsked(
        request.id,
        request.role,
        program.name,
        (_partner(pairing, request.person_id),),
        request.expires_at.isoformat(),
        reminder,
    )


# -- the daily routine -------------------------------------------------------------------


async def daily(due: DueContext) -> None:
    """Ask the month's pulse (once per person and month), remind once, close the month."""
    notifier = due.notifier
    now = notifier.clock.now()
    asked = reminded = closed = 0
    async with due.database.unit_of_work(immediate=True) as session:
        for pair in await pairs_to_ask(session):
            pairing, program = pair.pairing, pair.program
            period = period_to_ask(pairing.started_at, now, program.timezone)
            if period is None:
                continue
            expires = month_end(period, program.timezone)
            for person_id in pair.askable:
                key = request_key("pulse", pairing.id, person_id, period=period)
                role = "mentor" if person_id == pairing.mentor_id else "mentee"
                request = await ask(
                    session, key=key, kind="pulse", pairing_id=pairing.id,
                    person_id=person_id, role=role, now=now, expires_at=expires,
                )  # fmt: skip
                if request is None:
                    continue
                notice = _asked(request, pairing, program, reminder=False)
                await notifier.notify(session, person_id, notice, key=key, not_after=expires)
                asked += 1
        for request in await pulses_to_remind(session, now):
            if not remind_now(_state(request), request.asked_at, now):
                continue
            found = await _pair_of(session, request)
            if found is None:
                continue
            request.reminded_at = now
            notice = _asked(request, *found, reminder=True)
            await notifier.notify(
                session, request.person_id, notice, key=f"{request.key}:reminder",
                not_after=request.expires_at,
            )  # fmt: skip
            reminded += 1
        for request in await pulses_run_out(session, now):
            request.status = "expired"
            await notifier.replace(
                session, request.person_id, f"pulse:{request.id}", PulseClosed(request.id),
                key=f"{request.key}:closed",
            )  # fmt: skip
            closed += 1
    log.info("pulse.daily", asked=asked, reminded=reminded, closed=closed)


async def _pair_of(
    session: AsyncSession, request: FeedbackRequest
) -> tuple[Pairing, Program] | None:
    pairing = await session.get(Pairing, request.pairing_id)
    if pairing is None or pairing.status != "active":
        return None
    program = await session.get(Program, pairing.program_id)
    return (pairing, program) if program is not None else None


# -- answering ---------------------------------------------------------------------------


def refusal(t: Translator, why: str) -> Message:
    if why == "not_yours":
        return say(Paragraph.of(t("This question was not for you: nothing was recorded.")))
    return say(
        Paragraph.of(
            t(
                "This month's pulse is closed, so your answer was not recorded. Thank you all "
                "the same: I will ask again next month."
            )
        )
    )


async def _answerable(ctx: FlowContext, raw_id: str) -> FeedbackRequest | str:
    """The person's own open pulse, locked; else why not (``not_yours``, ``expired``…)."""
    if not raw_id.isdigit():
        return "not_yours"
    request = await locked_request(ctx.session, int(raw_id))
    if request is None or request.kind != "pulse":
        return "not_yours"
    verdict = answerable(_state(request), ctx.person.id, ctx.now())
    return request if verdict == "yes" else verdict


async def _record(
    ctx: FlowContext, request: FeedbackRequest, answer: str, comment: str | None
) -> bool:
    """Write the one answer row; queue the readers' alert when it asks for a follow-up and
    says something new. True when an earlier answer was changed."""
    now = ctx.now()
    feedback = await answer_row(ctx.session, request, now)
    again = feedback.id is not None
    before = (feedback.pulse, feedback.comment)
    feedback.pulse = answer
    if comment is not None:
        feedback.comment = comment or None
    if answer in FOLLOW_UP and (feedback.pulse, feedback.comment) != before:
        stamp = (feedback.updated_at or feedback.submitted_at or now).isoformat()
        await enqueue_due(
            ctx.session, ALERT, PulseAlert(request.id, stamp), now + ALERT_DELAY,
            key=f"pulse-alert:{request.id}:{stamp}",
        )  # fmt: skip
    return again


async def answer(turn: Turn) -> Outcome:
    """One of the three buttons: recorded at once; a comment is the optional second step."""
    ctx, t = turn.ctx, turn.ctx.t
    raw_id, _, choice = turn.inbound.value.partition(":")
    if choice not in ANSWERS:
        return turn.reply(refusal(t, "not_yours"))
    found = await _answerable(ctx, raw_id)
    if isinstance(found, str):
        return turn.reply(refusal(t, found), close_source=found != "not_yours")
    again = await _record(ctx, found, choice, None)
    messages = answered_messages(t, found.id, found.role, choice, again=again)
    return turn.reply(*messages, close_source=True)


async def open_comment(turn: Turn) -> Outcome:
    """*Add a comment*: the small form, for this month's pulse only."""
    ctx = turn.ctx
    found = await _answerable(ctx, turn.inbound.value)
    if isinstance(found, str):
        return turn.reply(refusal(ctx.t, found))
    # A form left open earlier (another month, or an answer since changed) is closed: the
    # new one starts from what is stored now.
    earlier = await open_flow(ctx.session, ctx.person.id, PULSE_FLOW_NAME)
    if earlier is not None:
        await advance_flow(
            ctx.session, earlier.id, earlier.version, earlier.step, earlier.data,
            finished=True, now=ctx.now(),
        )  # fmt: skip
    role, chosen, comment = await _current(ctx.session, found)
    data = {"request_id": found.id, "role": role, "answer": chosen, "comment": comment}
    return await turn.start(PULSE_FLOW_NAME, opener=COMMENT_ACTION, data=data)


async def _current(session: AsyncSession, request: FeedbackRequest) -> tuple[str, str, str]:
    """(role, answer, comment) as stored, for the form's initial values."""
    feedback = await session.scalar(select(Feedback).where(Feedback.request_id == request.id))
    if feedback is None:
        return request.role, "", ""
    return request.role, feedback.pulse or "", feedback.comment or ""


def comment_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    role = str(data.get("role") or "mentor")
    options = tuple(Option(a, choice_words(t, role, a)) for a in ANSWERS)
    chosen = str(data.get("answer") or "")
    answer = SelectField(
        "answer", t("How is it going?"), options, initial=(chosen,) if chosen in ANSWERS else ()
    )
    comment = TextField(
        "comment",
        t("Your comment"),
        required=False,
        multiline=True,
        initial=str(data.get("comment") or ""),
        max_length=MAX_COMMENT,
        hint=t("Only the program team reads it."),
    )
    return Form(
        title=t("Your monthly pulse"),
        ref=ref,
        fields=(answer, comment),
        submit_label=t("Send"),
    )


async def submit_comment(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    found = await _answerable(ctx, str(data.get("request_id", "")))
    if isinstance(found, str):
        return Transition(message=refusal(t, found))
    choice = text_value(values, "answer")
    if choice not in ANSWERS:
        return Transition(errors={"answer": t("Choose one of the three answers.")})
    comment = text_value(values, "comment")
    if len(comment) > MAX_COMMENT:
        return Transition(errors={"comment": t("Your comment is too long: please shorten it.")})
    await _record(ctx, found, choice, comment)
    done = t("Thank you: your answer and your comment are with the program team.")
    if not comment:
        done = t("Thank you, noted: {answer}.", answer=choice_words(t, found.role, choice))
    return Transition(message=say(Paragraph.of(done)))


PULSE_FLOW = Flow(
    name=PULSE_FLOW_NAME,
    first_step="comment",
    steps={"comment": Step("comment", comment_form, submit_comment)},
    example={"request_id": 1, "role": "mentee", "answer": "concern", "comment": "x" * 900},
)


# -- the readers' alert ------------------------------------------------------------------


async def alert_readers(due: DueContext, payload: PulseAlert) -> None:
    """Tell the pulse's readers, unless a later change superseded this alert."""
    async with due.database.unit_of_work(immediate=True) as session:
        request = await session.get(FeedbackRequest, payload.request_id)
        feedback = await session.scalar(
            select(Feedback).where(Feedback.request_id == payload.request_id)
        )
        if request is None or feedback is None or feedback.pulse not in FOLLOW_UP:
            return
        latest = feedback.updated_at or feedback.submitted_at
        if latest is not None and latest > datetime.fromisoformat(payload.stamp):
            return  # a later answer or comment has its own alert
        found = await _pair_of(session, request)
        if found is None:
            return
        pairing, program = found
        readers = await readers_of(session, pairing, request.person_id, due.notifier.config.admins)
        if not readers:
            log.warning("pulse.no_reader", pairing_id=pairing.id)
        notice = PulseFollowUp(
            pairing.id, program.name, program.slug,
            (request.person_id, _partner(pairing, request.person_id)),
            request.role, str(feedback.pulse), feedback.comment or "",
            await _alerted_before(session, request.id),
        )  # fmt: skip
        for reader in readers:
            if await session.get(Person, reader) is not None:
                await due.notifier.notify(session, reader, notice, key=f"notify:{due.key}:{reader}")


async def _alerted_before(session: AsyncSession, request_id: int) -> bool:
    """Did the readers already get an alert about this pulse (this one is then a change)?"""
    found = await session.scalar(
        select(DueAction.id)
        .where(DueAction.idempotency_key.like(f"notify:pulse-alert:{request_id}:%"))
        .limit(1)
    )
    return found is not None


# -- for the ``feedback`` command ----------------------------------------------------------


async def reopen_pulse(turn: Turn, request: FeedbackRequest) -> Outcome:
    """The pulse card again, for an open request of the person's (``feedback`` lists them)."""
    ctx = turn.ctx
    found = await _answerable(ctx, str(request.id))
    if isinstance(found, str):
        return turn.reply(refusal(ctx.t, found))
    pair = await _pair_of(ctx.session, found)
    if pair is None:
        return turn.reply(refusal(ctx.t, "expired"))
    partner = await ctx.session.get(Person, _partner(pair[0], found.person_id))
    people = {partner.id: partner} if partner is not None else {}
    card = pulse_card(ctx.t, _asked(found, *pair, reminder=False), people)
    return turn.reply(card)


PULSE = Feature(
    "pulse",
    flows=(PULSE_FLOW,),
    actions={ANSWER_ACTION: answer, COMMENT_ACTION: open_comment},
    due={ALERT: alert_readers},
    routines=(Recurring(PULSE_ROUTINE, PULSE_TRIGGER, daily),),
)
