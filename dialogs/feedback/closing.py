"""The closing review: asked when a pairing closes, answered in three short forms, its
testimonial quoted only with a consent that can be withdrawn.

routine feedback.closing (daily)   programs past their last day: active pairings become
                                   ``completed`` and their reviews are queued (once)
end / leave / admin end            ``storage.feedback.closing.queue_closing`` in the same
                                   transaction as the end
feedback.closing.ask               one request per person (key per pairing and person),
                                   open three weeks, the card; its one reminder queued
feedback.closing.remind            the reminder, unless answered, expired or reminded
feedback.closing.expire            three weeks on: an open request expires, its card and
                                   reminder are replaced by "this review has closed"
Give my review (button), feedback  the flow (``dialogs.feedback.closing_flow``)
Withdraw my consent (button),      ``quote_withdrawn_at`` on the answer: never quoted again
testimonial withdraw (typed)
"""

from __future__ import annotations

import structlog

from bot.domain.feedback.closing import (
    ASK,
    CLOSING_ROUTINE,
    CLOSING_TRIGGER,
    EXPIRE,
    OPEN_FOR,
    REMIND,
    REMIND_AFTER,
    AskClosing,
    ClosingReviewAsked,
    ClosingReviewClosed,
    ExpireClosing,
    RemindClosing,
    card_purpose,
)
from bot.domain.feedback.requests import RequestState, may_remind, request_key
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Feature, Recurring, Turn
from dialogs.core.i18n import Translator
from dialogs.core.ui import Message
from dialogs.feedback.closing_cards import OPEN_ACTION, WITHDRAW_ACTION
from dialogs.feedback.closing_flow import CLOSING_FLOW, CLOSING_FLOW_NAME, refused
from dialogs.participation.flows import say
from dialogs.recognition.closing import pairing_closed
from storage.dialog_states import advance_flow, open_flow
from storage.enqueue import enqueue_due
from storage.feedback.closing import (
    closing_answer,
    complete_finished_programs,
    goal_endings_of,
    quotable_answers,
    review_subject,
    skill_labels_of,
)
from storage.feedback.requests import ask, locked_request, open_requests
from storage.models import FeedbackRequest, Pairing, Person, Program

log = structlog.get_logger("tandem.closing")


# -- asking ------------------------------------------------------------------------------


async def daily(due: DueContext) -> None:
    """Programs whose last day has passed: their pairings complete, their reviews queued."""
    async with due.database.unit_of_work(immediate=True) as session:
        completed = await complete_finished_programs(session, due.notifier.clock.now())
    log.info("closing.completed", pairings=len(completed))


async def ask_closing(due: DueContext, payload: AskClosing) -> None:
    """Both people of a closed pairing: a request each (asked once by its key), the card,
    the one reminder. Someone forgotten or gone from the company is not asked."""
    now = due.notifier.clock.now()
    async with due.database.unit_of_work(immediate=True) as session:
        pairing = await session.get(Pairing, payload.pairing_id)
        if pairing is None or pairing.status == "active":
            return
        # Whichever way it closed (program end, end, leave): the mentor's recognition.
        await pairing_closed(session, pairing.id, now)
        program = await session.get(Program, pairing.program_id)
        how = "program_end" if pairing.status == "completed" else "ended"
        for person_id, role in ((pairing.mentor_id, "mentor"), (pairing.mentee_id, "mentee")):
            person = await session.get(Person, person_id)
            if person is None or person.erased_at is not None or not person.active:
                continue
            request = await ask(
                session, key=request_key("closing", pairing.id, person_id), kind="closing",
                pairing_id=pairing.id, person_id=person_id, role=role, now=now,
                expires_at=now + OPEN_FOR,
            )  # fmt: skip
            if request is None:
                continue  # asked already (a replay)
            partner = pairing.mentee_id if role == "mentor" else pairing.mentor_id
            card = ClosingReviewAsked(
                request.id, program.name if program else "", (partner,), role, how
            )
            await due.notifier.notify(session, person_id, card, key=f"{due.key}:{person_id}")
            await enqueue_due(session, REMIND, RemindClosing(request.id), now + REMIND_AFTER)
            await enqueue_due(session, EXPIRE, ExpireClosing(request.id), now + OPEN_FOR)


async def remind_closing(due: DueContext, payload: RemindClosing) -> None:
    now = due.notifier.clock.now()
    async with due.database.unit_of_work(immediate=True) as session:
        request = await locked_request(session, payload.request_id)
        if request is None:
            return
        state = RequestState(
            request.person_id, request.status, request.expires_at, request.reminded_at
        )
        if not may_remind(state, now):
            return
        pairing = await session.get(Pairing, request.pairing_id)
        program = await session.get(Program, pairing.program_id) if pairing else None
        if pairing is None:
            return
        request.reminded_at = now
        partner = pairing.mentee_id if request.role == "mentor" else pairing.mentor_id
        how = "program_end" if pairing.status == "completed" else "ended"
        card = ClosingReviewAsked(
            request.id, program.name if program else "", (partner,), request.role, how, True
        )
        # Not worth sending once the request has closed (held by quiet hours past expiry).
        await due.notifier.notify(
            session, request.person_id, card, key=f"{due.key}:deliver",
            not_after=request.expires_at,
        )  # fmt: skip


async def expire_closing(due: DueContext, payload: ExpireClosing) -> None:
    """The review closes: an unanswered request is marked expired, and its card and
    reminder lose their button (an update: it never rings, whatever the hour)."""
    async with due.database.unit_of_work(immediate=True) as session:
        request = await locked_request(session, payload.request_id)
        if request is None or request.status == "cancelled":
            return
        if request.status == "open":
            request.status = "expired"
        closed = ClosingReviewClosed(request.id, request.status == "answered")
        await due.notifier.replace(
            session, request.person_id, card_purpose(request.id), closed, key=f"{due.key}:card"
        )


# -- answering ---------------------------------------------------------------------------


async def reopen_closing(turn: Turn, request: FeedbackRequest) -> Outcome:
    """The review of ``request`` for the person of ``turn`` (its first form, filled with
    their earlier answer if any): for the ``feedback`` command and the card's button.
    Someone else's, an expired or a cancelled request is refused and nothing opens."""
    ctx = turn.ctx
    refusal = refused(ctx, request)
    if refusal is not None:
        return turn.reply(refusal)
    pairing = await ctx.session.get(Pairing, request.pairing_id)
    if pairing is None:
        return turn.reply(say(Paragraph.of(ctx.t("This review is not for you."))))
    subject = await review_subject(ctx.session, pairing, request.role)
    labels = await skill_labels_of(ctx.session, [key for key, _ in subject.skills])
    data = {
        "request_id": request.id,
        "role": request.role,
        "skills": [
            {"key": key, "labels": labels.get(key, {}), "baseline": baseline}
            for key, baseline in subject.skills
        ],
        "goals": [{"id": g.id, "text": g.text} for g in subject.goals],
    }
    earlier = await closing_answer(ctx.session, request.id)
    if earlier is not None:
        data["previous"] = {
            "nps": earlier.nps,
            "changed": earlier.changed,
            "levels": dict(earlier.skill_levels or {}),
            "retrospective": dict(earlier.retrospective or {}),
            "testimonial": earlier.testimonial,
            "quoted": earlier.quote_consent_at is not None and earlier.quote_withdrawn_at is None,
            "goals": await goal_endings_of(
                ctx.session, ctx.person.id, [g.id for g in subject.goals]
            ),
        }
    # A review of another pairing left half-way is set aside: the button opens its own.
    current = await open_flow(ctx.session, ctx.person.id, CLOSING_FLOW_NAME)
    if current is not None and current.data.get("request_id") != request.id:
        await advance_flow(
            ctx.session, current.id, current.version, current.step, current.data,
            finished=True, now=ctx.now(),
        )  # fmt: skip
    return await turn.start(CLOSING_FLOW_NAME, opener=OPEN_ACTION, data=data)


async def open_review(turn: Turn) -> Outcome:
    """*Give my review*: the request the button names (or, from a bare opener, the
    person's oldest open closing request)."""
    ctx, value = turn.ctx, turn.inbound.value
    request: FeedbackRequest | None
    if value.isdigit():
        request = await ctx.session.get(FeedbackRequest, int(value))
    else:
        pending = await open_requests(ctx.session, ctx.person.id, ctx.now(), kind="closing")
        request = pending[0] if pending else None
    return await reopen_closing(turn, request) if request is not None else _none(turn)


def _none(turn: Turn) -> Outcome:
    return turn.reply(say(Paragraph.of(turn.ctx.t("You have no closing review to give."))))


# -- consent to quote ----------------------------------------------------------------------


async def withdraw_button(turn: Turn) -> Outcome:
    ctx, t, value = turn.ctx, turn.ctx.t, turn.inbound.value
    request = await locked_request(ctx.session, int(value)) if value.isdigit() else None
    if request is None or request.person_id != ctx.person.id:
        return turn.reply(say(Paragraph.of(t("This review is not for you."))))
    answer = await closing_answer(ctx.session, request.id)
    if answer is None or answer.quote_consent_at is None or answer.quote_withdrawn_at:
        return turn.reply(_withdrawn(t, already=True), close_source=True)
    answer.quote_withdrawn_at = ctx.now()
    return turn.reply(_withdrawn(t), close_source=True)


async def testimonial(turn: Turn) -> Outcome:
    """``testimonial withdraw`` (``temoignage retirer``); ``testimonial`` alone says where
    things stand."""
    ctx, t = turn.ctx, turn.ctx.t
    quotable = await quotable_answers(ctx.session, ctx.person.id)
    action = turn.command.action if turn.command is not None else None
    if action != "withdraw":
        text = (
            t(
                "The program team may quote your closing testimonial. To withdraw this, type "
                "testimonial withdraw."
            )
            if quotable
            else t("No testimonial of yours may be quoted.")
        )
        return turn.reply(say(Paragraph.of(text)))
    if not quotable:
        return turn.reply(_withdrawn(t, already=True))
    for answer in quotable:
        answer.quote_withdrawn_at = ctx.now()
    return turn.reply(_withdrawn(t))


def _withdrawn(t: Translator, *, already: bool = False) -> Message:
    if already:
        return say(Paragraph.of(t("There is no consent to withdraw: nothing of yours is quoted.")))
    return say(
        Paragraph.of(
            t(
                "Done: your consent is withdrawn. The program team will no longer quote your "
                "testimonial anywhere. Your review itself stays, private."
            )
        )
    )


CLOSING = Feature(
    "closing",
    flows=(CLOSING_FLOW,),
    commands={"testimonial": testimonial},
    actions={OPEN_ACTION: open_review, WITHDRAW_ACTION: withdraw_button},
    due={ASK: ask_closing, REMIND: remind_closing, EXPIRE: expire_closing},
    routines=(Recurring(CLOSING_ROUTINE, CLOSING_TRIGGER, daily),),
)
