"""Scheduling a pair's first session.

offer (due, once per pairing) → a slot card to each person (a leader's card goes to their
                                 assistant when they named one)
pick (button)          → the partner: "X picked <time>: Confirm / Other slots"; when the
                         partner had picked another slot at the same moment, the first pick
                         holds and the second clicker is told which (the row is locked)
confirm (button)       → planned in the leader's zone; ``lifecycle.session_confirmed``; both
                         told in their own time and words (the leader copied once)
other (button)         → new slots for both, never the ones just shown
none (button → form)   → a typed day and time (refused when malformed, past or outside both
                         people's hours: nothing changes), or "we'll organise it ourselves"
                         (a due action asks them for the date later)
async (button)         → when hours never overlap: an exchange in writing
backfill (routine)     → pairings already active without any session get their card, once
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import or_, select

from bot.domain.due import unique
from bot.domain.sessions.scheduling import (
    ASK_DATE,
    BACKFILL,
    OFFER,
)
from bot.domain.sessions.slots import check_typed, local_instant
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Handler, Recurring, Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.ui import (
    ActionRef,
    DateField,
    FieldValue,
    Form,
    Option,
    SelectField,
    TimeField,
)
from dialogs.matching.pairing import say_text as plain
from dialogs.sessions.agreeing import (
    confirm_session,
    organise_ourselves,
    picked,
    settled,
    zone_of,
)
from dialogs.sessions.free_busy import remembered_for_pairing
from dialogs.sessions.news import NEWS, deliver_news
from dialogs.sessions.offering import (
    acting_for,
    ask_for_date,
    backfill_first_slots,
    compute_offer,
    offer_first_slots,
    send_slots,
    settled_meanwhile,
)
from dialogs.sessions.scheduling_cards import (
    ASYNC_ACTION,
    CONFIRM_ACTION,
    FALLBACK_ZONE,
    NONE_ACTION,
    OTHER_ACTION,
    PICK_ACTION,
    SCHEDULING_TYPES,
)
from storage.models import CheckIn, Pairing
from storage.sessions import scheduling as store

TIME_FLOW_NAME = "session_time"


# -- answering the cards -----------------------------------------------------------------


@dataclass(frozen=True)
class OpenSession:
    """A session still being scheduled (its row locked) and the side the clicker acts for."""

    check_in: CheckIn
    pairing: Pairing
    side: str


def on_open_session(answer: Callable[[Turn, OpenSession], Awaitable[Outcome]]) -> Handler:
    """A card's button: answered only while its session is being scheduled and the
    clicker may act for one side of the pair; otherwise they are told why."""

    async def handle(turn: Turn) -> Outcome:
        found = await _open_check_in(turn, turn.inbound.value)
        return found if isinstance(found, Outcome) else await answer(turn, found)

    return handle


async def _open_check_in(turn: Turn, value: str) -> OpenSession | Outcome:
    """The locked session a card names and the side the clicker acts for, or the answer
    to give when there is none (not theirs, settled, unknown)."""
    ctx = turn.ctx
    t = ctx.t
    head = value.split("|", 1)[0]
    check_in = await store.locked_check_in(ctx.session, int(head)) if head.isdigit() else None
    if check_in is None and not head:  # a form opener re-clicked: their only open session
        check_in = await _only_open(ctx)
    if check_in is None:
        return turn.reply(plain(t("This session is no longer being scheduled.")), close_source=True)
    pairing = await ctx.session.get(Pairing, check_in.pairing_id)
    side = await acting_for(ctx.session, pairing, ctx.person.id) if pairing else None
    if pairing is None or side is None:
        return turn.reply(plain(t("This session is not yours to schedule.")))
    if pairing.status != "active":
        return turn.reply(plain(t("This pairing is no longer active.")), close_source=True)
    if check_in.status != store.PROPOSED:
        return turn.reply(await settled(ctx, check_in, pairing, side), close_source=True)
    return OpenSession(check_in, pairing, side)


async def _only_open(ctx: FlowContext) -> CheckIn | None:
    rows = (
        await ctx.session.scalars(
            select(CheckIn)
            .join(Pairing, Pairing.id == CheckIn.pairing_id)
            .where(
                CheckIn.status == store.PROPOSED,
                Pairing.status == "active",
                or_(Pairing.mentor_id == ctx.person.id, Pairing.mentee_id == ctx.person.id),
            )
        )
    ).all()
    return await store.locked_check_in(ctx.session, rows[0].id) if len(rows) == 1 else None


@on_open_session
async def pick_slot(turn: Turn, found: OpenSession) -> Outcome:
    check_in, pairing, side = found.check_in, found.pairing, found.side
    ctx = turn.ctx
    chosen = turn.inbound.value.split("|", 1)[1] if "|" in turn.inbound.value else ""
    if chosen not in (check_in.slots or []):
        return turn.reply(plain(ctx.t("These times have changed: please use the latest card.")))
    at = store.parse_instant(chosen)
    if at <= ctx.now():  # a card opened days later: its times have gone by
        return await _offer_again(turn, found, ctx.t("That time has already passed. "))
    if check_in.picked_by and check_in.picked_by != side:
        # the partner picked first (perhaps at the same moment): their pick holds
        held = check_in.scheduled_at
        message = await confirm_session(ctx, check_in, pairing, side, earlier=held != at)
        return turn.reply(message, close_source=True)
    return turn.reply(
        await picked(ctx, check_in, pairing, side, at, typed=False), close_source=True
    )


@on_open_session
async def confirm_pick(turn: Turn, found: OpenSession) -> Outcome:
    check_in, pairing, side = found.check_in, found.pairing, found.side
    if not check_in.picked_by:
        return turn.reply(plain(turn.ctx.t("Nobody has picked a time yet: choose one above.")))
    if check_in.picked_by == side:
        return turn.reply(plain(turn.ctx.t("Your partner has not confirmed yet: I will tell you.")))
    if check_in.scheduled_at is not None and check_in.scheduled_at <= turn.ctx.now():
        return await _offer_again(turn, found, turn.ctx.t("The time picked has already passed. "))
    return turn.reply(await confirm_session(turn.ctx, check_in, pairing, side), close_source=True)


@on_open_session
async def other_slots(turn: Turn, found: OpenSession) -> Outcome:
    return await _offer_again(turn, found)


async def _offer_again(turn: Turn, found: OpenSession, why: str = "") -> Outcome:
    """New times to both, none of those shown before (nor any already past)."""
    check_in, pairing = found.check_in, found.pairing
    ctx = turn.ctx
    now = ctx.now()
    shown = [store.parse_instant(s) for s in check_in.slots or []]
    if check_in.picked_by:
        shown.append(check_in.scheduled_at)
    settings, _ = await store.settings_of(ctx.session, pairing)
    calendars = await remembered_for_pairing(ctx.session, pairing, now, settings)
    offer, _, _, _ = await compute_offer(ctx.session, pairing, now, FALLBACK_ZONE, shown, calendars)
    store.offer_again(check_in, [s.at for s in offer.slots], now)
    await send_slots(
        ctx.session, pairing, check_in, offer, key=unique(f"session:{check_in.id}:again"),
        now=now, again=True,
    )  # fmt: skip
    answer = why + ctx.t("I am sending new times to both of you.")
    return turn.reply(plain(answer), close_source=True)


@on_open_session
async def exchange_in_writing(turn: Turn, found: OpenSession) -> Outcome:
    """Hours that never meet: they exchange in writing, at their own pace."""
    message = await organise_ourselves(
        turn.ctx, found.check_in, found.pairing, found.side, asynchronous=True
    )
    return turn.reply(message, close_source=True)


@on_open_session
async def none_of_these(turn: Turn, found: OpenSession) -> Outcome:
    data = {"check_in_id": found.check_in.id}
    return await turn.start(TIME_FLOW_NAME, opener=NONE_ACTION, data=data)


# -- the form: a day and time, or "we'll organise it ourselves" ---------------------------


def time_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    zone = ctx.t.city(zone_of(ctx)) or zone_of(ctx)
    choice = SelectField(
        "how",
        t("What would you like?"),
        (
            Option("time", t("Propose a day and time")),
            Option("ourselves", t("We will organise it ourselves")),
        ),
        initial=("time",),
    )
    return Form(
        title=t("Another time"),
        ref=ref,
        fields=(
            choice,
            DateField("day", t("Day"), required=False),
            TimeField("time", t("Time"), required=False, hint=t("Your time ({zone})", zone=zone)),
        ),
        submit_label=t("Send"),
        intro=(Paragraph.of(t("Your partner confirms the time you propose.")),),
    )


def _typed(day: str, at: str, zone: str) -> datetime | None:
    try:
        return local_instant(date.fromisoformat(day), time.fromisoformat(at), zone)
    except ValueError:
        return None


async def submit_time(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    check_in = await store.locked_check_in(ctx.session, int(data["check_in_id"]))
    pairing = await ctx.session.get(Pairing, check_in.pairing_id) if check_in else None
    side = await acting_for(ctx.session, pairing, ctx.person.id) if pairing else None
    if check_in is None or pairing is None or side is None or pairing.status != "active":
        return Transition(message=plain(t("This session is no longer being scheduled.")))
    if check_in.status != store.PROPOSED:
        return Transition(message=await settled(ctx, check_in, pairing, side))
    if text_value(values, "how") == "ourselves":
        return Transition(message=await organise_ourselves(ctx, check_in, pairing, side))
    day, clock = text_value(values, "day"), text_value(values, "time")
    if not day or not clock:
        missing = "day" if not day else "time"
        return Transition(
            errors={missing: t("Give a day and a time, or choose to organise it yourselves.")}
        )
    at = _typed(day, clock, zone_of(ctx))
    leader, mentor = await store.sides(ctx.session, pairing, FALLBACK_ZONE)
    problem = check_typed(at, check_in.duration_minutes, leader, mentor, now=ctx.now())
    if problem == "malformed" or at is None:
        return Transition(errors={"time": t("This is not a day and time I can read.")})
    if problem == "past":
        return Transition(errors={"day": t("This time has already passed: choose a later one.")})
    if problem == "outside":
        return Transition(
            errors={
                "time": t(
                    "This is outside both your hours and your partner's: choose another time."
                )
            }
        )
    if check_in.self_organised:  # they agreed it together: the date is confirmed
        check_in.scheduled_at = at
        return Transition(message=await confirm_session(ctx, check_in, pairing, side))
    return Transition(message=await picked(ctx, check_in, pairing, side, at, typed=True))


TIME_FLOW = Flow(
    name=TIME_FLOW_NAME,
    first_step="when",
    steps={"when": Step("when", time_form, submit_time)},
    example={"check_in_id": 1},
)

SESSIONS_SCHEDULING = Feature(
    name="sessions_scheduling",
    flows=(TIME_FLOW,),
    actions={
        PICK_ACTION: pick_slot,
        CONFIRM_ACTION: confirm_pick,
        OTHER_ACTION: other_slots,
        NONE_ACTION: none_of_these,
        ASYNC_ACTION: exchange_in_writing,
    },
    due={OFFER: offer_first_slots, ASK_DATE: ask_for_date, NEWS: deliver_news},
    routines=(Recurring(BACKFILL, {"minute": "17"}, backfill_first_slots),),
    outdated={kind: settled_meanwhile for kind in SCHEDULING_TYPES},
)
