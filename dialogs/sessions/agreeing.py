"""Agreeing on a first session, whether by a button or the form: a pick the partner
confirms, the confirmation (planned in the leader's zone, everyone told once in their own
time and words, the slot cards closed), and "we'll organise it ourselves"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.due import unique
from bot.domain.sessions.scheduling import (
    ASK_DATE,
    ASK_DATE_AFTER_DAYS,
    CheckInRef,
    SelfOrganised,
    SessionConfirmed,
    SlotPicked,
    slots_purpose,
)
from bot.domain.sessions.slots import outside_for
from dialogs.core.content import Paragraph, PersonRef, Text, Timestamp
from dialogs.core.flow import FlowContext
from dialogs.core.ui import (
    Message,
)
from dialogs.matching.pairing import say_text as plain
from dialogs.notify.notifier import REPLACE, replacement
from dialogs.participation.flows import say
from dialogs.sessions.calendar import private_calendar
from dialogs.sessions.lifecycle import session_confirmed
from dialogs.sessions.news import tell
from dialogs.sessions.offering import (
    card_readers,
    partner,
)
from dialogs.sessions.scheduling_cards import (
    FALLBACK_ZONE,
    confirmed,
)
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.models import CheckIn, Pairing, Person
from storage.sessions import scheduling as store


async def settled(ctx: FlowContext, check_in: CheckIn, pairing: Pairing, side: str) -> Message:
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
    return plain(t("This session is no longer being scheduled."))


async def picked(
    ctx: FlowContext, check_in: CheckIn, pairing: Pairing, side: str, at: datetime, *, typed: bool
) -> Message:
    """Record the pick; the partner's reader is asked to confirm."""
    store.pick(check_in, at, side)
    other = partner(pairing, side)
    readers = await card_readers(ctx.session, pairing)
    leader_side, mentor_side = await store.sides(ctx.session, pairing, FALLBACK_ZONE)
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


def zone_of(ctx: FlowContext) -> str:
    return ctx.person.timezone or FALLBACK_ZONE


async def confirm_session(
    ctx: FlowContext, check_in: CheckIn, pairing: Pairing, side: str, *, earlier: bool = False
) -> Message:
    """Planned at the picked time, in the leader's zone; everyone told once, in their own
    time and words; the slot cards lose their buttons."""
    now = ctx.now()
    at = check_in.scheduled_at
    leader = await ctx.session.get(Person, pairing.mentee_id)
    zone = (leader.timezone if leader else None) or FALLBACK_ZONE
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
        own = private_calendar(ctx.calendar, person_side)
        told[person_side] = SessionConfirmed(
            check_in.id, ids, at.isoformat(), minutes, copy=copy, calendar=own
        )
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
        mine = SessionConfirmed(
            check_in.id, mine.person_ids, mine.at, minutes, earlier=True, calendar=mine.calendar
        )
    people = {p: await ctx.session.get(Person, p) for p in mine.person_ids}
    return confirmed(mine, ctx.t, {k: v for k, v in people.items() if v is not None})


async def organise_ourselves(
    ctx: FlowContext, check_in: CheckIn, pairing: Pairing, side: str, *, asynchronous: bool = False
) -> Message:
    """They agree a time together (later asked for the date), or, when their hours never
    meet, exchange in writing; the partner is told."""
    store.organise_ourselves(check_in, side)
    readers = await card_readers(ctx.session, pairing)
    other = partner(pairing, side)
    notice = SelfOrganised(check_in.id, (side,), asynchronous=asynchronous)
    key = f"session:{check_in.id}:{'async' if asynchronous else 'ourselves'}"
    await tell(ctx.session, readers[other], notice, key=key, at=ctx.now())
    if asynchronous:
        return plain(ctx.t("Noted: you will exchange in writing. Your partner is told."))
    later = ctx.now() + timedelta(days=ASK_DATE_AFTER_DAYS)
    await enqueue_due(ctx.session, ASK_DATE, CheckInRef(check_in.id), later)
    return plain(
        ctx.t(
            "Noted: you will agree on a time together. In a few days I will ask you for the date."
        )
    )
