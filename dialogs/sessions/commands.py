"""What a person does to their sessions: the buttons of a reminder (Skip this one, Cancel;
*Reschedule* is ``reschedule.py``), "did it happen?" answers, and the typed commands for
people who prefer them: ``sessions``, ``skip``, ``cadence``, ``quiet hours``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.quiet_hours import QuietHours
from bot.domain.sessions.lifecycle import ANSWERS, SessionChanged, session_keys
from bot.domain.sessions.settings import CADENCE_DAYS
from dialogs.core.content import Paragraph, PersonRef, Text, Timestamp
from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import N_, Translator
from dialogs.core.ui import Message, Section
from dialogs.participation.flows import say
from dialogs.sessions.cards import cadence_buttons, every, session_buttons
from dialogs.sessions.lifecycle import (
    pair_cadence_days,
    partner_of,
    plan_next,
    plan_reminders,
    record_answer,
    settings_of,
    tell_later,
)
from storage.matching.runs import active_pairings_of
from storage.models import CheckIn, Pairing, Person, Program
from storage.sessions.series import (
    cancel_due_of,
    locked_check_in,
    mark_cancelled,
    pairing_of,
    upcoming_of,
)

RESCHEDULE_FLOW_NAME = "session_reschedule"
FALLBACK_ZONE = "Europe/Paris"
OFF = QuietHours.parse("00:00-00:00")  # stored for "off": a window that never holds


def text(t: Translator, msgid: str, **params: Any) -> Message:
    return say(Paragraph.of(t(msgid, **params)))


async def zone_for(session: AsyncSession, person: Person, pairing: Pairing) -> str:
    if person.timezone:
        return person.timezone
    program = await session.get(Program, pairing.program_id)
    return program.timezone if program is not None and program.timezone else FALLBACK_ZONE


async def acting_as(ctx: FlowContext, pairing: Pairing, *, assistant: bool) -> str | None:
    """Which member of the pair the reader acts as: themselves, or (``assistant``) the
    leader whose assistant they are; None if neither."""
    members = (pairing.mentor_id, pairing.mentee_id)
    if ctx.person.id in members:
        return ctx.person.id
    if assistant:
        for member in members:
            person = await ctx.session.get(Person, member)
            if person is not None and person.assistant_id == ctx.person.id:
                return member
    return None


async def own_session(
    ctx: FlowContext, value: str, *, assistant: bool = True
) -> tuple[CheckIn, Pairing, str] | None:
    """The session a button or form names (locked), if the reader may act on it; with no
    id, the reader's next session."""
    if not value.isdigit():
        upcoming = await upcoming_of(ctx.session, ctx.person.id, ctx.now(), limit=1)
        if not upcoming:
            return None
        value = str(upcoming[0][0].id)
    check_in = await locked_check_in(ctx.session, int(value))
    if check_in is None:
        return None
    pairing = await pairing_of(ctx.session, check_in)
    member = await acting_as(ctx, pairing, assistant=assistant)
    if member is None or pairing.status != "active":
        return None
    return check_in, pairing, member


def no_session(t: Translator) -> Message:
    return text(t, "You have no session planned right now.")


def not_planned(t: Translator) -> Message:
    return text(t, "This session is no longer planned: nothing changed.")


async def tell_partner(
    ctx: FlowContext, check_in: CheckIn, pairing: Pairing, member: str, what: str
) -> None:
    news = SessionChanged((member,), what, check_in.scheduled_at.isoformat())
    partner = partner_of(pairing, member)
    key = f"{session_keys(check_in.id)}s{check_in.sequence}:{what}:{partner}"
    await tell_later(ctx.session, partner, news, key=key, now=ctx.now())
    if ctx.person.id != member:  # an assistant acted: the leader is copied, once
        copy = SessionChanged((ctx.person.id,), what, check_in.scheduled_at.isoformat())
        key = f"{session_keys(check_in.id)}s{check_in.sequence}:{what}:{member}:copy"
        await tell_later(ctx.session, member, copy, key=key, now=ctx.now())


# -- skip and cancel -----------------------------------------------------------------------


async def _stop(turn: Turn, what: str) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    found = await own_session(ctx, turn.inbound.value)
    if found is None:
        return turn.reply(no_session(t), close_source=True)
    check_in, pairing, member = found
    if check_in.status != "planned" or check_in.scheduled_at <= ctx.now():
        return turn.reply(not_planned(t), close_source=True)
    mark_cancelled(check_in, ctx.person.id, "skipped" if what == "skipped" else "cancelled")
    await cancel_due_of(ctx.session, check_in.id, ctx.now())
    await tell_partner(ctx, check_in, pairing, member, what)
    if what == "cancelled":
        return turn.reply(text(t, "Session cancelled. Your partner is told."), close_source=True)
    following = await plan_next(ctx.session, check_in, pairing, ctx.now(), ctx.calendar)
    message = say(
        Paragraph.of(t("Session skipped. Your partner is told.")),
        *(
            [Paragraph((Text(t("Your next session: ")), Timestamp(following.scheduled_at)))]
            if following is not None
            else []
        ),
    )
    return turn.reply(message, close_source=True)


async def skip(turn: Turn) -> Outcome:
    return await _stop(turn, "skipped")


async def cancel(turn: Turn) -> Outcome:
    return await _stop(turn, "cancelled")


# -- did it happen? ----------------------------------------------------------------------------


async def answer(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    check_in_id, _, given = turn.inbound.value.partition(":")
    if given not in ANSWERS:
        return turn.reply(text(t, "This question is closed."), close_source=True)
    # Only the two people of the pair answer: never an assistant.
    found = await own_session(ctx, check_in_id, assistant=False)
    if found is None or not check_in_id.isdigit():
        return turn.reply(text(t, "Only the two people of the pair answer this."))
    check_in, pairing, member = found
    if check_in.status != "planned" and member in (check_in.answers or {}):
        return turn.reply(text(t, "You already answered. Thank you!"), close_source=True)
    if given == "moved":
        return await turn.start(
            RESCHEDULE_FLOW_NAME, opener="sessions:reschedule", data={"check_in_id": check_in.id}
        )
    status = await record_answer(
        ctx.session, check_in, pairing, member, given, ctx.now(), ctx.calendar
    )
    words = {
        "held": N_("Thank you! Noted: your session happened."),
        "missed": N_("Thank you. Noted: the session did not happen."),
        "disputed": N_(
            "Thank you. Your partner answered differently: I noted both answers and "
            "will not ask again."
        ),
    }
    return turn.reply(text(t, words.get(status or "", N_("Thank you! Noted."))), close_source=True)


# -- typed commands ------------------------------------------------------------------------------


async def sessions(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    upcoming = await upcoming_of(ctx.session, ctx.person.id, ctx.now(), limit=5)
    if not upcoming:
        return turn.reply(no_session(t))
    people: dict[str, Person | None] = {}
    lines = [Paragraph.of(t("Your next sessions (in your time):"))]
    for check_in, pairing in upcoming:
        partner = partner_of(pairing, ctx.person.id)
        people[partner] = people.get(partner) or await ctx.session.get(Person, partner)
        other = people[partner]
        name = other.display_name if other is not None and other.erased_at is None else "—"
        lines.append(
            Paragraph(
                (
                    Timestamp(check_in.scheduled_at),
                    Text(t(" with ")),
                    PersonRef(partner, name),
                    Text(t(" ({minutes} min)", minutes=check_in.duration_minutes)),
                )
            )
        )
    first = upcoming[0][0]
    blocks = (Section(tuple(lines)), session_buttons(t, first.id))
    return turn.reply(Message(blocks, summary=lines[0].plain(), visibility="private"))


CADENCE_WORDS = {
    "weekly": "weekly",
    "hebdomadaire": "weekly",
    "biweekly": "biweekly",
    "bimensuel": "biweekly",
    "monthly": "monthly",
    "mensuel": "monthly",
}


async def cadence(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    args = turn.command.args if turn.command else ()
    value = turn.inbound.value  # a button: "<pairing id>:<cadence>"
    pairing_id, _, chosen = value.partition(":") if value else ("", "", "")
    if args:
        chosen = CADENCE_WORDS.get(args[0].lower(), "?")
    pairings = await active_pairings_of(ctx.session, ctx.person.id)
    pairing = next((p for p in pairings if str(p.id) == pairing_id), None) or (
        pairings[0] if pairings else None
    )
    if pairing is None:
        return turn.reply(text(t, "You have no active pairing right now."))
    if not chosen:
        days = await pair_cadence_days(ctx.session, pairing)
        current = Paragraph.of(t("Your sessions follow each other {every}.", every=every(t, days)))
        blocks = (Section((current,)), cadence_buttons(t, pairing.id))
        return turn.reply(Message(blocks, summary=current.plain(), visibility="private"))
    if chosen not in CADENCE_DAYS:
        return turn.reply(text(t, "Choose weekly, biweekly or monthly."))
    pairing.cadence = chosen
    days = CADENCE_DAYS[chosen]
    partner = partner_of(pairing, ctx.person.id)
    news = SessionChanged((ctx.person.id,), "cadence", cadence_days=days)
    key = f"cadence:{pairing.id}:{chosen}:{ctx.now().isoformat()}"
    await tell_later(ctx.session, partner, news, key=key, now=ctx.now())
    reply = t(
        "Done: from the next session on, {every}. Your partner is told.", every=every(t, days)
    )
    return turn.reply(say(Paragraph.of(reply)), close_source=bool(value))


async def replan_for(ctx: FlowContext, quiet: QuietHours) -> None:
    """New quiet hours: the reminders of the reader's coming sessions follow them."""
    for check_in, pairing in await upcoming_of(ctx.session, ctx.person.id, ctx.now()):
        _program, settings = await settings_of(ctx.session, pairing)
        zone = await zone_for(ctx.session, ctx.person, pairing)
        await plan_reminders(
            ctx.session,
            check_in,
            ctx.person,
            settings.reminder_hours,
            zone=zone,
            quiet=quiet,
            now=ctx.now(),
        )


async def quiet_hours(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    args = list(turn.command.args if turn.command else ())
    if args and args[0].lower() in ("hours", "heures"):
        args = args[1:]
    person = ctx.person
    if args:
        try:
            parsed = QuietHours.parse(" ".join(args))
        except ValueError:
            return turn.reply(
                text(
                    t,
                    "I could not read that. Write it like 20:00-08:00,sat,sun (or off); "
                    "nothing changed.",
                )
            )
        chosen = parsed or OFF
        assert chosen is not None
        person.quiet_start, person.quiet_end = chosen.start, chosen.end
        person.quiet_days = sorted(chosen.days)
        await replan_for(ctx, chosen)
    if person.quiet_start is None or person.quiet_end is None:
        return turn.reply(
            text(
                t,
                "You use the program's quiet hours. To set yours, type for example: "
                "quiet hours 20:00-08:00,sat,sun (or quiet hours off).",
            )
        )
    mine = QuietHours(person.quiet_start, person.quiet_end, frozenset(person.quiet_days or ()))
    if mine == OFF:
        return turn.reply(text(t, "No quiet hours: I may write to you at any time."))
    zone = person.timezone or FALLBACK_ZONE
    return turn.reply(
        text(
            t,
            "Your quiet hours: {hours} ({zone}). No reminder reaches you then.",
            hours=str(mine),
            zone=t.zone(zone),
        )
    )
