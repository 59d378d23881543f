"""``feedback`` (``retour``, ``avis``): what the reader still has to answer, one button each.

The button opens the request again through ``OPENERS``, by the request's kind: the session
survey, the pulse, the mid-point and the closing review each give their own opener.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.domain.feedback.requests import RequestState, answerable
from dialogs.core.content import Inline, Paragraph, Text, Timestamp
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.i18n import N_, Translator
from dialogs.core.ui import Actions, Block, Button, Header, Message, Section
from dialogs.feedback.closing import reopen_closing
from dialogs.feedback.goals import reopen_midpoint
from dialogs.feedback.pulse import reopen_pulse
from dialogs.feedback.survey import CLOSED, NOT_YOURS, UNREADABLE, reopen_session
from dialogs.participation.flows import say
from storage.feedback.requests import open_requests
from storage.feedback.survey import request_by_id
from storage.models import CheckIn, FeedbackRequest

Opener = Callable[[Turn, FeedbackRequest], Awaitable[Outcome]]

OPENERS: dict[str, Opener] = {
    "session": reopen_session,
    "pulse": reopen_pulse,
    "midpoint": reopen_midpoint,
    "closing": reopen_closing,
}

QUESTION_CLOSED = N_("This question is closed now. Nothing was recorded.")
PENDING_ACTION = "feedback:open"  # value: the request's id
MAX_LISTED = 10

KIND_WORDS = {
    "pulse": N_("Your monthly pulse: how is it going?"),
    "midpoint": N_("The mid-point review of your pairing"),
    "closing": N_("The closing review of your pairing"),
}


async def _line(turn: Turn, request: FeedbackRequest) -> Paragraph:
    t = turn.ctx.t
    parts: list[Inline]
    check_in = (
        await turn.ctx.session.get(CheckIn, request.check_in_id) if request.check_in_id else None
    )
    if request.kind == "session" and check_in is not None:
        parts = [Text(t("The survey about your session of ")), Timestamp(check_in.scheduled_at)]
    else:
        parts = [Text(t(KIND_WORDS.get(request.kind, N_("A question from the program"))))]
    if request.expires_at is not None:
        parts += [Text(t(" (open until ")), Timestamp(request.expires_at), Text(")")]
    return Paragraph(tuple(parts))


def nothing_pending(t: Translator) -> Message:
    return say(Paragraph.of(t("Nothing to answer right now. Thank you for keeping up!")))


def pending_message(t: Translator, items: Sequence[tuple[Paragraph, int]], total: int) -> Message:
    """What waits for the reader: each request's line and its *Answer* button."""
    title = t.tn("{count} question waits for you", "{count} questions wait for you", total)
    blocks: list[Block] = [Header(title)]
    for line, request_id in items[:MAX_LISTED]:
        blocks.append(Section((line,)))
        blocks.append(Actions((Button(t("Answer"), PENDING_ACTION, value=str(request_id)),)))
    if total > MAX_LISTED:
        blocks.append(Section((Paragraph.of(t("Answer these first; the others follow.")),)))
    blocks.append(
        Section((Paragraph.of(t("Your answers are private: your partner never sees them.")),))
    )
    return Message(tuple(blocks), summary=title, visibility="private")


async def feedback(turn: Turn) -> Outcome:
    pending = await open_requests(turn.ctx.session, turn.ctx.person.id, turn.ctx.now())
    if not pending:
        return turn.reply(nothing_pending(turn.ctx.t))
    items = [(await _line(turn, r), r.id) for r in pending[:MAX_LISTED]]
    return turn.reply(pending_message(turn.ctx.t, items, len(pending)))


async def open_pending(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    value = turn.inbound.value
    request = await request_by_id(ctx.session, int(value)) if value.isdigit() else None
    if request is None:
        return turn.reply(say(Paragraph.of(t(UNREADABLE))))
    if request.person_id != ctx.person.id:
        return turn.reply(say(Paragraph.of(t(NOT_YOURS))))
    state = RequestState(request.person_id, request.status, request.expires_at, None)
    if answerable(state, ctx.person.id, ctx.now()) != "yes":
        closed = CLOSED if request.kind == "session" else QUESTION_CLOSED
        return turn.reply(say(Paragraph.of(t(closed))))
    # Answered already but still open: the opener shows the answer, to change it.
    return await OPENERS[request.kind](turn, request)


PENDING = Feature(
    name="feedback_pending",
    commands={"feedback": feedback},
    actions={PENDING_ACTION: open_pending},
    read_only_commands=frozenset({"feedback"}),
)
