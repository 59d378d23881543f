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

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import unique
from bot.domain.notifications import Notification
from bot.domain.sessions.scheduling import (
    ASK_DATE,
    ASK_DATE_AFTER_DAYS,
    BACKFILL,
    OFFER,
    CheckInRef,
    PairingSlots,
    SelfOrganised,
    SessionConfirmed,
    SlotPicked,
    SlotsOffered,
    slots_purpose,
)
from bot.domain.sessions.slots import Offer, Side, check_typed, local_instant, outside_for, propose
from dialogs.core.content import Paragraph, PersonRef, Text, Timestamp
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Feature, Recurring, Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.ui import (
    ActionRef,
    DateField,
    FieldValue,
    Form,
    Message,
    Option,
    SelectField,
    TimeField,
)
from dialogs.notify.notifier import REPLACE, replacement
from dialogs.participation.flows import say
from dialogs.sessions.lifecycle import session_confirmed
from dialogs.sessions.news import NEWS, deliver_news, tell
from dialogs.sessions.scheduling_cards import (
    ASYNC_ACTION,
    CONFIRM_ACTION,
    FALLBACK_ZONE,
    NONE_ACTION,
    OTHER_ACTION,
    PICK_ACTION,
    SCHEDULING_TYPES,
    confirmed,
)
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.models import CheckIn, Pairing, Person, Program
from storage.sessions import scheduling as store

TIME_FLOW_NAME = "session_time"


# -- who acts for whom -------------------------------------------------------------------


async def card_readers(session: AsyncSession, pairing: Pairing) -> dict[str, str]:
    """Side (person id) -> who reads its scheduling cards: the leader's assistant, when
    they named one, reads the leader's."""
    leader = await session.get(Person, pairing.mentee_id)
    helper = leader.assistant_id if leader is not None else None
    assistant = await session.get(Person, helper) if helper else None
    usable = assistant is not None and assistant.active and assistant.erased_at is None
    return {
        pairing.mentee_id: assistant.id if assistant is not None and usable else pairing.mentee_id,
        pairing.mentor_id: pairing.mentor_id,
    }


async def acting_for(session: AsyncSession, pairing: Pairing, person_id: str) -> str | None:
    """The side a person may act for in this pairing: their own, or their leader's."""
    if person_id in (pairing.mentor_id, pairing.mentee_id):
        return person_id
    readers = await card_readers(session, pairing)
    return pairing.mentee_id if readers[pairing.mentee_id] == person_id else None


def partner(pairing: Pairing, side: str) -> str:
    return pairing.mentor_id if side == pairing.mentee_id else pairing.mentee_id


# -- offering slots ----------------------------------------------------------------------


async def compute_offer(
    session: AsyncSession, pairing: Pairing, now: datetime, zone: str, avoid: list[datetime]
) -> tuple[Offer, Side, Side, int]:
    leader, mentor = await store.sides(session, pairing, zone)
    settings, minutes = await store.settings_of(session, pairing)
    held = await store.taken(session, [pairing.mentor_id, pairing.mentee_id], pairing.id)
    offer = propose(
        leader, mentor, minutes=minutes, taken=held, now=now, settings=settings, avoid=avoid
    )
    return offer, leader, mentor, minutes


async def send_slots(
    session: AsyncSession,
    pairing: Pairing,
    check_in: CheckIn,
    offer: Offer,
    *,
    key: str,
    now: datetime,
    again: bool = False,
) -> None:
    """A slot card to each side's reader (through the queue: quiet hours respected)."""
    program = await session.get(Program, pairing.program_id)
    readers = await card_readers(session, pairing)
    outside = {s.at.isoformat(): list(s.outside_for) for s in offer.slots if s.outside_for}
    for side, reader in readers.items():
        others = (partner(pairing, side),) + ((side,) if reader != side else ())
        card = SlotsOffered(
            check_in.id,
            program.name if program else "",
            others,
            tuple(check_in.slots),
            check_in.duration_minutes,
            offer.overlap,
            outside,
            for_leader=side if reader != side else "",
            again=again,
        )
        await tell(session, reader, card, key=f"{key}:{reader}", at=now)


async def offer_first_slots(due: DueContext, payload: PairingSlots) -> None:
    """The first slot card of a pairing (at its start, or for one already active)."""
    now = due.notifier.clock.now()
    zone = due.notifier.config.default_timezone
    async with due.database.unit_of_work(immediate=True) as session:
        pairing = await store.locked_pairing(session, payload.pairing_id)
        if pairing is None or pairing.status != "active":
            return
        if await store.first_check_in(session, pairing.id) is not None:
            return
        offer, _, _, minutes = await compute_offer(session, pairing, now, zone, [])
        check_in = store.propose_first(session, pairing, [s.at for s in offer.slots], minutes, now)
        await session.flush()
        await send_slots(session, pairing, check_in, offer, key=due.key, now=now)


async def backfill_first_slots(due: DueContext) -> None:
    """Pairings already active when scheduling shipped get their first card, once: the
    offer's key is the pairing's, so a pairing offered at its start is not offered again."""
    now = due.notifier.clock.now()
    async with due.database.unit_of_work(immediate=True) as session:
        for pairing_id in await store.pairings_without_sessions(session):
            await enqueue_due(session, OFFER, PairingSlots(pairing_id), now)


async def ask_for_date(due: DueContext, payload: CheckInRef) -> None:
    """They said they would organise it themselves: which date did they agree on?"""
    async with due.database.unit_of_work(immediate=True) as session:
        check_in = await session.get(CheckIn, payload.check_in_id)
        if check_in is None or check_in.status != store.PROPOSED or not check_in.self_organised:
            return
        pairing = await session.get(Pairing, check_in.pairing_id)
        if pairing is None or pairing.status != "active":
            return
        for side, reader in (await card_readers(session, pairing)).items():
            question = SelfOrganised(check_in.id, (partner(pairing, side),), ask=True)
            await tell(
                session, reader, question, key=f"{due.key}:{reader}", at=due.notifier.clock.now()
            )


async def settled_meanwhile(session: AsyncSession, card: Notification, person_id: str) -> bool:
    """A slot or pick card held back by quiet hours is not sent once the session is
    settled (the notifier asks: True means outdated)."""
    check_in_id = getattr(card, "check_in_id", None)
    if not isinstance(card, SlotsOffered | SlotPicked) or check_in_id is None:
        return False
    check_in = await session.get(CheckIn, check_in_id)
    return check_in is None or check_in.status != store.PROPOSED


# -- answering the cards -----------------------------------------------------------------


def _text(text: str) -> Message:
    return say(Paragraph.of(text))


async def _open_check_in(turn: Turn, value: str) -> tuple[CheckIn, Pairing, str] | Outcome:
    """The locked session a card names and the side the clicker acts for, or the answer
    to give when there is none (not theirs, settled, unknown)."""
    ctx = turn.ctx
    t = ctx.t
    head = value.split("|", 1)[0]
    check_in = await store.locked_check_in(ctx.session, int(head)) if head.isdigit() else None
    if check_in is None and not head:  # a form opener re-clicked: their only open session
        check_in = await _only_open(ctx)
    if check_in is None:
        return turn.reply(_text(t("This session is no longer being scheduled.")), close_source=True)
    pairing = await ctx.session.get(Pairing, check_in.pairing_id)
    side = await acting_for(ctx.session, pairing, ctx.person.id) if pairing else None
    if pairing is None or side is None:
        return turn.reply(_text(t("This session is not yours to schedule.")))
    if pairing.status != "active":
        return turn.reply(_text(t("This pairing is no longer active.")), close_source=True)
    if check_in.status != store.PROPOSED:
        return turn.reply(await _settled(ctx, check_in, pairing, side), close_source=True)
    return check_in, pairing, side


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


async def _settled(ctx: FlowContext, check_in: CheckIn, pairing: Pairing, side: str) -> Message:
    t = ctx.t
    if check_in.status == store.PLANNED:
        other = partner(pairing, side)
        person = await ctx.session.get(Person, other)
        name = person.display_name if person is not None else "—"
        return say(
            Paragraph(
                (
                    Text(t("Already settled: your session with ")),
                    PersonRef(other, name),
                    Text(t(" is planned for ")),
                    Timestamp(check_in.scheduled_at),
                    Text("."),
                )
            )
        )
    return _text(t("This session is no longer being scheduled."))


async def pick_slot(turn: Turn) -> Outcome:
    found = await _open_check_in(turn, turn.inbound.value)
    if isinstance(found, Outcome):
        return found
    check_in, pairing, side = found
    ctx = turn.ctx
    chosen = turn.inbound.value.split("|", 1)[1] if "|" in turn.inbound.value else ""
    if chosen not in (check_in.slots or []):
        return turn.reply(_text(ctx.t("These times have changed: please use the latest card.")))
    at = store.parse_instant(chosen)
    if check_in.picked_by and check_in.picked_by != side:
        # the partner picked first (perhaps at the same moment): their pick holds
        held = check_in.scheduled_at
        message = await confirm_session(ctx, check_in, pairing, side, earlier=held != at)
        return turn.reply(message, close_source=True)
    return turn.reply(
        await _picked(ctx, check_in, pairing, side, at, typed=False), close_source=True
    )


async def _picked(
    ctx: FlowContext, check_in: CheckIn, pairing: Pairing, side: str, at: datetime, *, typed: bool
) -> Message:
    """Record the pick; the partner's reader is asked to confirm."""
    store.pick(check_in, at, side)
    other = partner(pairing, side)
    readers = await card_readers(ctx.session, pairing)
    leader_side, mentor_side = await store.sides(ctx.session, pairing, _zone(ctx))
    outside = outside_for(at, check_in.duration_minutes, (leader_side, mentor_side))
    acted_for = side if ctx.person.id != side else ""
    card = SlotPicked(
        check_in.id,
        (side,) if not acted_for else (ctx.person.id, side),
        at.isoformat(),
        check_in.duration_minutes,
        outside_reader=other in outside,
        typed=typed,
        for_leader=other if readers[other] != other else "",
    )
    await tell(
        ctx.session, readers[other], card, key=unique(f"session:{check_in.id}:picked"), at=ctx.now()
    )
    record_audit(
        ctx.session, "session.picked", actor_id=ctx.person.id, subject_id=side,
        program_id=pairing.program_id, details={"check_in_id": check_in.id, "typed": typed},
    )  # fmt: skip
    person = await ctx.session.get(Person, other)
    return say(
        Paragraph(
            (
                Text(ctx.t("Noted: ")),
                Timestamp(at),
                Text(ctx.t(". I asked ")),
                PersonRef(other, person.display_name if person else "—"),
                Text(ctx.t(" to confirm.")),
            )
        )
    )


def _zone(ctx: FlowContext) -> str:
    return ctx.person.timezone or FALLBACK_ZONE


async def confirm_session(
    ctx: FlowContext, check_in: CheckIn, pairing: Pairing, side: str, *, earlier: bool = False
) -> Message:
    """Planned at the picked time, in the leader's zone; everyone told once, in their own
    time and words; the slot cards lose their buttons."""
    now = ctx.now()
    at = check_in.scheduled_at
    leader = await ctx.session.get(Person, pairing.mentee_id)
    zone = (leader.timezone if leader else None) or _zone(ctx)
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError):
        zone = FALLBACK_ZONE
    store.confirm(check_in, at, side, zone, now)
    await session_confirmed(ctx.session, check_in, now=now)
    readers = await card_readers(ctx.session, pairing)
    minutes = check_in.duration_minutes
    helper = readers[pairing.mentee_id] if readers[pairing.mentee_id] != pairing.mentee_id else ""
    told: dict[str, SessionConfirmed] = {}
    for person_side in (pairing.mentor_id, pairing.mentee_id):
        other = partner(pairing, person_side)
        copy = person_side == pairing.mentee_id and bool(helper)
        ids = (other, helper) if copy else (other,)
        told[person_side] = SessionConfirmed(check_in.id, ids, at.isoformat(), minutes, copy=copy)
    if helper:  # the assistant hears it too, naming the partner
        told[helper] = SessionConfirmed(check_in.id, (pairing.mentor_id,), at.isoformat(), minutes)
    for person_id, notice in told.items():
        card = SessionConfirmed(check_in.id, notice.person_ids, notice.at, minutes, card=True)
        payload = replacement(person_id, slots_purpose(check_in.id), card)
        await enqueue_due(
            ctx.session, REPLACE, payload, now, key=f"session:{check_in.id}:closed:{person_id}"
        )
        if person_id == ctx.person.id:
            continue  # told in the answer to their click
        key = f"session:{check_in.id}:confirmed:{person_id}"
        await tell(ctx.session, person_id, notice, key=key, at=now)
    record_audit(
        ctx.session, "session.confirmed", actor_id=ctx.person.id, subject_id=side,
        program_id=pairing.program_id, details={"check_in_id": check_in.id},
    )  # fmt: skip
    mine = told.get(ctx.person.id) or SessionConfirmed(
        check_in.id, (partner(pairing, side),), at.isoformat(), minutes
    )
    if earlier:
        mine = SessionConfirmed(check_in.id, mine.person_ids, mine.at, minutes, earlier=True)
    people = {p: await ctx.session.get(Person, p) for p in mine.person_ids}
    return confirmed(mine, ctx.t, {k: v for k, v in people.items() if v is not None})


async def confirm_pick(turn: Turn) -> Outcome:
    found = await _open_check_in(turn, turn.inbound.value)
    if isinstance(found, Outcome):
        return found
    check_in, pairing, side = found
    if not check_in.picked_by:
        return turn.reply(_text(turn.ctx.t("Nobody has picked a time yet: choose one above.")))
    if check_in.picked_by == side:
        return turn.reply(_text(turn.ctx.t("Your partner has not confirmed yet: I will tell you.")))
    return turn.reply(await confirm_session(turn.ctx, check_in, pairing, side), close_source=True)


async def other_slots(turn: Turn) -> Outcome:
    found = await _open_check_in(turn, turn.inbound.value)
    if isinstance(found, Outcome):
        return found
    check_in, pairing, _ = found
    ctx = turn.ctx
    now = ctx.now()
    shown = [store.parse_instant(s) for s in check_in.slots or []]
    if check_in.picked_by:
        shown.append(check_in.scheduled_at)
    offer, _, _, _ = await compute_offer(ctx.session, pairing, now, _zone(ctx), shown)
    store.offer_again(check_in, [s.at for s in offer.slots], now)
    await send_slots(
        ctx.session, pairing, check_in, offer, key=unique(f"session:{check_in.id}:again"),
        now=now, again=True,
    )  # fmt: skip
    return turn.reply(_text(ctx.t("I am sending new times to both of you.")), close_source=True)


async def exchange_in_writing(turn: Turn) -> Outcome:
    found = await _open_check_in(turn, turn.inbound.value)
    if isinstance(found, Outcome):
        return found
    check_in, pairing, side = found
    store.organise_ourselves(check_in, side)
    readers = await card_readers(turn.ctx.session, pairing)
    other = partner(pairing, side)
    notice = SelfOrganised(check_in.id, (side,), asynchronous=True)
    await tell(
        turn.ctx.session,
        readers[other],
        notice,
        key=f"session:{check_in.id}:async",
        at=turn.ctx.now(),
    )
    text = turn.ctx.t("Noted: you will exchange in writing. Your partner is told.")
    return turn.reply(_text(text), close_source=True)


async def none_of_these(turn: Turn) -> Outcome:
    found = await _open_check_in(turn, turn.inbound.value)
    if isinstance(found, Outcome):
        return found
    check_in, _, _ = found
    return await turn.start(TIME_FLOW_NAME, opener=NONE_ACTION, data={"check_in_id": check_in.id})


# -- the form: a day and time, or "we'll organise it ourselves" ---------------------------


def time_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    zone = ctx.t.city(_zone(ctx)) or _zone(ctx)
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
        return Transition(message=_text(t("This session is no longer being scheduled.")))
    if check_in.status != store.PROPOSED:
        return Transition(message=await _settled(ctx, check_in, pairing, side))
    if text_value(values, "how") == "ourselves":
        return Transition(message=await _ourselves(ctx, check_in, pairing, side))
    day, clock = text_value(values, "day"), text_value(values, "time")
    if not day or not clock:
        missing = "day" if not day else "time"
        return Transition(
            errors={missing: t("Give a day and a time, or choose to organise it yourselves.")}
        )
    at = _typed(day, clock, _zone(ctx))
    leader, mentor = await store.sides(ctx.session, pairing, _zone(ctx))
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
    return Transition(message=await _picked(ctx, check_in, pairing, side, at, typed=True))


async def _ourselves(ctx: FlowContext, check_in: CheckIn, pairing: Pairing, side: str) -> Message:
    store.organise_ourselves(check_in, side)
    readers = await card_readers(ctx.session, pairing)
    other = partner(pairing, side)
    notice = SelfOrganised(check_in.id, (side,))
    await tell(
        ctx.session, readers[other], notice, key=f"session:{check_in.id}:ourselves", at=ctx.now()
    )
    later = ctx.now() + timedelta(days=ASK_DATE_AFTER_DAYS)
    await enqueue_due(ctx.session, ASK_DATE, CheckInRef(check_in.id), later)
    return _text(
        ctx.t(
            "Noted: you will agree on a time together. In a few days I will ask you for the date."
        )
    )


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
