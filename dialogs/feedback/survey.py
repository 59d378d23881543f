"""The 30-second survey after a held session: asked of both people of the pair, answered in
two taps (a rating, then *Done* or *Skip*), with chips and a comment for those who want.

    feedback.survey_ask ──► a request and a card each ──► feedback.survey_remind (once)
    rate ──► the card becomes the chips step ──► chip* / comment ──► done | skip

Every click re-reads the request, locked: only the person asked may answer (never their
partner, never an assistant); after the next session has started the survey is closed and
nothing is stored; a second answer changes the one ``Feedback`` row, a double click counts
once. Nobody else reads the answers through any command or card.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import DueKind
from bot.domain.feedback.requests import RequestState, answerable, may_remind, request_key
from bot.domain.feedback.survey import (
    MAX_COMMENT,
    SURVEY_ASK,
    SURVEY_REMIND,
    SurveyAsk,
    SurveyAsked,
    SurveyRemind,
    chip_skills,
    expires_at,
    remind_at,
    toggled,
    valid_rating,
)
from bot.domain.notifications import Notification
from dialogs.core.content import Paragraph, PersonRef
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, DueHandler, Feature, Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import N_, Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import ActionRef, FieldValue, Form, Message, TextField
from dialogs.feedback.survey_cards import (
    CHIP_ACTION,
    COMMENT_ACTION,
    DONE_ACTION,
    RATE_ACTION,
    SKIP_ACTION,
    chips_card,
    survey_card,
)
from dialogs.participation.flows import say
from storage.dialog_states import advance_flow, open_flow
from storage.enqueue import enqueue_due
from storage.feedback.requests import answer_row, ask, locked_request
from storage.feedback.survey import answer_of, next_start, pair_skills
from storage.matching.population import skill_labels
from storage.models import CheckIn, Feedback, FeedbackRequest, Pairing, Person

COMMENT_FLOW_NAME = "feedback_comment"

CLOSED = N_("This survey is closed: the next session has started. Nothing was recorded.")
NOT_YOURS = N_(
    "This survey was sent to someone else: only they can answer it. Nothing was recorded."
)
UNREADABLE = N_("I could not read this answer: nothing was recorded.")


def _state(request: FeedbackRequest) -> RequestState:
    return RequestState(request.person_id, request.status, request.expires_at, request.reminded_at)


def _partner(pairing: Pairing, person_id: str) -> str:
    return pairing.mentee_id if pairing.mentor_id == person_id else pairing.mentor_id


# -- asking and reminding --------------------------------------------------------------------


async def ask_survey(due: DueContext, payload: SurveyAsk) -> None:
    """Both people of a held session get the survey; it closes when the next one starts."""
    async with due.database.unit_of_work(immediate=True) as session:
        check_in = await session.get(CheckIn, payload.check_in_id)
        if check_in is None or check_in.status != "held":
            return  # disputed or missed meanwhile: nothing to rate
        pairing = await session.get(Pairing, check_in.pairing_id)
        if pairing is None or pairing.status != "active":
            return
        now = due.notifier.clock.now()
        closes = expires_at(await next_start(session, pairing.id, now), now)
        for person_id, role in ((pairing.mentor_id, "mentor"), (pairing.mentee_id, "mentee")):
            person = await session.get(Person, person_id)
            if person is None or person.erased_at is not None:
                continue
            key = request_key("session", pairing.id, person_id, check_in_id=check_in.id)
            request = await ask(
                session,
                key=key,
                kind="session",
                pairing_id=pairing.id,
                person_id=person_id,
                role=role,
                now=now,
                expires_at=closes,
                check_in_id=check_in.id,
            )
            if request is None:
                continue  # asked already (a replay)
            card = SurveyAsked(
                request.id, role, (_partner(pairing, person_id),), check_in.scheduled_at.isoformat()
            )
            await due.notifier.notify(
                session, person_id, card, key=f"{due.key}:{person_id}", not_after=closes
            )
            if (at := remind_at(now, closes)) is not None:
                await enqueue_due(session, SURVEY_REMIND, SurveyRemind(request.id), at)


async def remind_survey(due: DueContext, payload: SurveyRemind) -> None:
    """One reminder, only while nothing was answered and the survey is open."""
    async with due.database.unit_of_work(immediate=True) as session:
        request = await locked_request(session, payload.request_id)
        now = due.notifier.clock.now()
        if request is None or not may_remind(_state(request), now):
            return
        check_in = await session.get(CheckIn, request.check_in_id or 0)
        pairing = await session.get(Pairing, request.pairing_id)
        if check_in is None or pairing is None or pairing.status != "active":
            return
        request.reminded_at = now
        card = SurveyAsked(
            request.id,
            request.role,
            (_partner(pairing, request.person_id),),
            check_in.scheduled_at.isoformat(),
            reminder=True,
        )
        await due.notifier.notify(
            session, request.person_id, card, key=f"{due.key}:deliver", not_after=request.expires_at
        )


async def answered_meanwhile(
    session: AsyncSession, notification: Notification, person_id: str
) -> bool:
    """A survey card held by quiet hours is not sent once its request is answered or closed."""
    if not isinstance(notification, SurveyAsked):
        return False
    request = await session.get(FeedbackRequest, notification.request_id)
    return request is None or request.status != "open"


# -- the request a click names -----------------------------------------------------------------


def _text(t: Translator, msgid: str) -> Message:
    return say(Paragraph.of(t(msgid)))


async def _request(ctx: FlowContext, raw_id: str) -> FeedbackRequest | str:
    """The request, locked, if the reader may answer it now; else why not (a msgid)."""
    if not raw_id.isdigit():
        return UNREADABLE
    request = await locked_request(ctx.session, int(raw_id))
    if request is None or request.kind != "session":
        return UNREADABLE
    match answerable(_state(request), ctx.person.id, ctx.now()):
        case "not_yours":
            return NOT_YOURS
        case "expired" | "cancelled":
            return CLOSED
    return request


def _refusal(turn: Turn, why: str) -> Outcome:
    # A closed survey's card is closed too; someone else's card stays as it is (it is theirs).
    return turn.reply(_text(turn.ctx.t, why), close_source=why == CLOSED)


async def chip_choices(ctx: FlowContext, request: FeedbackRequest) -> list[tuple[str, str]]:
    """The pair's skills as (key, name in the reader's language)."""
    pairing = await ctx.session.get(Pairing, request.pairing_id)
    if pairing is None:
        return []
    offered, wanted = await pair_skills(ctx.session, pairing)
    labels = ctx.t.labels(await skill_labels(ctx.session))
    return [(key, labels.get(key, key)) for key in chip_skills(offered, wanted)]


async def _chips(turn: Turn, request: FeedbackRequest, feedback: Feedback) -> Outcome:
    """The chips step, in place of the clicked card where there is one."""
    card = chips_card(
        turn.ctx.t,
        request.id,
        request.role,
        feedback.rating,
        await chip_choices(turn.ctx, request),
        feedback.skills or [],
        feedback.comment,
    )
    source = turn.inbound.source
    if source is None:
        return turn.reply(card)
    return Outcome(turn.ctx.locale, updates=((source, card),))


# -- the buttons -------------------------------------------------------------------------------


async def rate(turn: Turn) -> Outcome:
    raw_id, _, given = turn.inbound.value.partition(":")
    found = await _request(turn.ctx, raw_id)
    if isinstance(found, str):
        return _refusal(turn, found)
    rating = valid_rating(given)
    if rating is None:
        return _refusal(turn, UNREADABLE)
    feedback = await answer_row(turn.ctx.session, found, turn.ctx.now())
    feedback.rating = rating
    feedback.happened = True
    return await _chips(turn, found, feedback)


async def chip(turn: Turn) -> Outcome:
    raw_id, _, rest = turn.inbound.value.partition(":")
    state, _, skill = rest.partition(":")
    found = await _request(turn.ctx, raw_id)
    if isinstance(found, str):
        return _refusal(turn, found)
    feedback = await answer_of(turn.ctx.session, found.id)
    if feedback is None or state not in ("on", "off"):
        return _refusal(turn, UNREADABLE)
    offered = [key for key, _ in await chip_choices(turn.ctx, found)]
    feedback.skills = toggled(feedback.skills or [], skill, state == "on", offered)
    feedback.updated_at = turn.ctx.now()
    return await _chips(turn, found, feedback)


THANKS = {
    "mentor": N_("Thank you! Noted, privately: it helps the program team support its mentors."),
    "mentee": N_("Thank you! Noted, privately: it helps the program team support your learning."),
}


async def _finish(turn: Turn, skipped: bool) -> Outcome:
    found = await _request(turn.ctx, turn.inbound.value)
    if isinstance(found, str):
        return _refusal(turn, found)
    if await answer_of(turn.ctx.session, found.id) is None:
        return await reopen_session(turn, found)  # nothing rated yet: the rating first
    if skipped:
        return turn.reply(
            _text(turn.ctx.t, N_("Noted: your rating is kept. Thank you!")), close_source=True
        )
    return turn.reply(
        _text(turn.ctx.t, THANKS.get(found.role, THANKS["mentee"])), close_source=True
    )


async def done(turn: Turn) -> Outcome:
    return await _finish(turn, skipped=False)


async def skip(turn: Turn) -> Outcome:
    return await _finish(turn, skipped=True)


async def comment(turn: Turn) -> Outcome:
    """The comment form. Its flow is one per person: a form left open for another survey
    is closed first, so this one never shows that survey's words."""
    ctx = turn.ctx
    open_one = await open_flow(ctx.session, ctx.person.id, COMMENT_FLOW_NAME)
    raw_id = turn.inbound.value
    if not raw_id and open_one is not None:  # the opener of a form that could not open
        raw_id = str(open_one.data.get("request_id", ""))
    found = await _request(ctx, raw_id)
    if isinstance(found, str):
        return _refusal(turn, found)
    if open_one is not None and open_one.data.get("request_id") != found.id:
        await advance_flow(
            ctx.session,
            open_one.id,
            open_one.version,
            open_one.step,
            dict(open_one.data),
            finished=True,
            now=ctx.now(),
        )
    feedback = await answer_of(ctx.session, found.id)
    data = {
        "request_id": found.id,
        "role": found.role,
        "comment": (feedback and feedback.comment) or "",
    }
    return await turn.start(COMMENT_FLOW_NAME, opener=COMMENT_ACTION, data=data)


def comment_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    label = (
        t("Anything to add about what you taught?")
        if data.get("role") == "mentor"
        else t("Anything to add about what you learned?")
    )
    return Form(
        title=t("Your comment"),
        ref=ref,
        fields=(
            TextField(
                "comment",
                label,
                required=False,
                multiline=True,
                initial=str(data.get("comment") or ""),
                max_length=MAX_COMMENT,
            ),
        ),
        submit_label=t("Save"),
        intro=(Paragraph.of(t("Optional and private: your partner never sees it.")),),
    )


async def submit_comment(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    written = text_value(values, "comment")
    if len(written) > MAX_COMMENT:
        return Transition(errors={"comment": t("This comment is too long: please shorten it.")})
    found = await _request(ctx, str(data.get("request_id", "")))
    if isinstance(found, str):
        return Transition(message=_text(t, found))
    feedback = await answer_row(ctx.session, found, ctx.now())
    feedback.comment = written or None
    return Transition(
        message=_text(t, N_("Thank you! Your comment is noted, and it stays private."))
    )


COMMENT_FLOW = Flow(
    name=COMMENT_FLOW_NAME,
    first_step="comment",
    steps={"comment": Step("comment", comment_form, submit_comment)},
    example={"request_id": 2**31 - 1, "role": "mentee", "comment": "<!channel> *" * 80},
)


# -- the survey again, from ``feedback`` --------------------------------------------------------


async def reopen_session(turn: Turn, request: FeedbackRequest) -> Outcome:
    """The survey card again (``feedback``): the rating step, or the chips once rated."""
    ctx = turn.ctx
    feedback = await answer_of(ctx.session, request.id)
    if feedback is not None:
        card = chips_card(
            ctx.t,
            request.id,
            request.role,
            feedback.rating,
            await chip_choices(ctx, request),
            feedback.skills or [],
            feedback.comment,
        )
        return turn.reply(card)
    check_in = await ctx.session.get(CheckIn, request.check_in_id or 0)
    pairing = await ctx.session.get(Pairing, request.pairing_id)
    if check_in is None or pairing is None:
        return turn.reply(_text(ctx.t, CLOSED))
    partner_id = _partner(pairing, request.person_id)
    partner = PersonRef(partner_id, shown_name(await ctx.session.get(Person, partner_id)))
    return turn.reply(survey_card(ctx.t, request.id, request.role, partner, check_in.scheduled_at))


DUE: dict[DueKind[Any], DueHandler] = {SURVEY_ASK: ask_survey, SURVEY_REMIND: remind_survey}

SURVEY = Feature(
    name="feedback_survey",
    flows=(COMMENT_FLOW,),
    actions={
        RATE_ACTION: rate,
        CHIP_ACTION: chip,
        COMMENT_ACTION: comment,
        DONE_ACTION: done,
        SKIP_ACTION: skip,
    },
    due=DUE,
    outdated={SurveyAsked.type: answered_meanwhile},
)
