"""What follows a confirmed session: its reminders, "did it happen?", the next session of
the series; and what stops them (a reschedule, a skip, a cancellation).

session_confirmed (caller's transaction) ──► sessions.plan (due now)
    ──► sessions.remind per person (24 h / 1 h before, moved before quiet hours, merged)
    ──► sessions.ask (an hour after the end) ──► Yes / No / Moved from both
held ──► the next session at the pair's cadence, in the series' wall time and zone

Each due action re-reads the session and does nothing unless it is still ``planned`` at the
sequence it was queued for; a change cancels its pending actions in the same transaction
(``storage.sessions.series.cancel_due_of``), so a stale reminder is stopped twice over.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import DueKind
from bot.domain.feedback.survey import SURVEY_ASK, SurveyAsk
from bot.domain.notifications import Notification
from bot.domain.quiet_hours import QuietHours
from bot.domain.sessions.calendar_access import CalendarKeys
from bot.domain.sessions.lifecycle import (
    ASK,
    PLAN,
    REMIND,
    TELL_CANCELLED,
    Ask,
    DidItHappen,
    Plan,
    Remind,
    SessionPlanned,
    SessionReminder,
    SessionsCancelled,
    TellCancelled,
    outcome,
    session_keys,
)
from bot.domain.sessions.nudges import UNANSWERED
from bot.domain.sessions.reminders import did_it_happen_at, plan
from bot.domain.sessions.series import Rule, instant, local_day, local_shift
from bot.domain.sessions.settings import CADENCE_DAYS, SessionSettings, cadence_days
from dialogs.core.feature import DueContext, DueHandler
from dialogs.sessions.calendar import private_calendar
from dialogs.sessions.news import tell
from storage.enqueue import enqueue_due
from storage.feedback.survey import follow_next_session
from storage.models import CheckIn, Enrollment, Pairing, Person, Program
from storage.sessions.nudges import acted_on
from storage.sessions.series import (
    cancel_keys,
    keys_under,
    latest_of,
    locked_check_in,
    pairing_of,
)

log = structlog.get_logger("tandem.sessions")


async def session_confirmed(session: AsyncSession, check_in: CheckIn, *, now: datetime) -> None:
    """Inside the caller's unit of work, after ``check_in`` became ``planned`` (its
    ``scheduled_at``, ``zone`` and ``local_start`` set): plan its reminders and its "did it
    happen?" question. Telling the two people is the caller's job.

    Called again after a reschedule (``sequence`` bumped): the new plan has new keys."""
    await session.flush()  # the row needs its id for the keys
    await enqueue_due(session, PLAN, Plan(check_in.id, check_in.sequence), now)
    # The pair's open surveys close when their next session starts, wherever it moved.
    await follow_next_session(session, check_in.pairing_id, now)


def quiet_hours_of(person: Person, default: QuietHours | None) -> QuietHours | None:
    """The person's own quiet hours, else the deployment's (as the notifier reads them)."""
    if person.quiet_start is not None and person.quiet_end is not None:
        return QuietHours(person.quiet_start, person.quiet_end, frozenset(person.quiet_days or ()))
    return default


def zone_of(person: Person, fallback: str) -> str:
    return person.timezone or fallback


async def settings_of(session: AsyncSession, pairing: Pairing) -> tuple[Program, SessionSettings]:
    program = await session.get(Program, pairing.program_id)
    if program is None:
        raise LookupError(f"pairing {pairing.id} without its program")
    return program, SessionSettings.of(program.session_settings)


def _current(check_in: CheckIn | None, sequence: int) -> bool:
    return check_in is not None and check_in.status == "planned" and check_in.sequence == sequence


async def plan_session(due: DueContext, payload: Plan) -> None:
    """Queue each person's reminders and the question after the session."""
    async with due.database.unit_of_work(immediate=True) as session:
        check_in = await locked_check_in(session, payload.check_in_id)
        if check_in is None or not _current(check_in, payload.sequence):
            return
        pairing = await pairing_of(session, check_in)
        if pairing.status != "active":
            return
        program, settings = await settings_of(session, pairing)
        config = due.notifier.config
        for person_id in (pairing.mentor_id, pairing.mentee_id):
            person = await session.get(Person, person_id)
            if person is None or person.erased_at is not None:
                continue
            await plan_reminders(
                session,
                check_in,
                person,
                settings.reminder_hours,
                zone=zone_of(person, program.timezone or config.default_timezone),
                quiet=quiet_hours_of(person, config.quiet_hours),
                now=due.notifier.clock.now(),
            )
        ask_at = did_it_happen_at(
            check_in.scheduled_at, check_in.duration_minutes, settings.did_it_happen_after_minutes
        )
        await enqueue_due(session, ASK, Ask(check_in.id, check_in.sequence), ask_at)


async def plan_reminders(
    session: AsyncSession,
    check_in: CheckIn,
    person: Person,
    offsets: tuple[int, ...],
    *,
    zone: str,
    quiet: QuietHours | None,
    now: datetime,
) -> None:
    """Queue one person's reminders of a session, or bring them in line with new quiet
    hours: pending ones that no longer fit are cancelled, and an offset already sent is
    never planned again (keys name the send time, so an unchanged one is kept)."""
    prefix = f"{session_keys(check_in.id)}s{check_in.sequence}:remind:{person.id}:"
    known = await keys_under(session, prefix)
    sent = {
        int(h)
        for key, state in known.items()
        if state == "done"
        for h in key.removeprefix(prefix).split(":")[0].split("-")
    }
    wanted = {}
    for reminder in plan(check_in.scheduled_at, offsets, zone=zone, quiet=quiet, now=now):
        hours = tuple(h for h in reminder.hours if h not in sent)
        if hours:
            key = f"{prefix}{'-'.join(map(str, hours))}:{reminder.at:%Y%m%dT%H%MZ}"
            wanted[key] = (reminder.at, hours)
    stale = [k for k, state in known.items() if state == "pending" and k not in wanted]
    await cancel_keys(session, stale, now)
    for key, (at, hours) in wanted.items():
        remind = Remind(check_in.id, check_in.sequence, person.id, hours)
        await enqueue_due(session, REMIND, remind, at, key=key)


async def remind(due: DueContext, payload: Remind) -> None:
    async with due.database.unit_of_work(immediate=True) as session:
        check_in = await session.get(CheckIn, payload.check_in_id)
        if check_in is None or not _current(check_in, payload.sequence):
            return  # changed since: its own reminders were planned anew
        pairing = await pairing_of(session, check_in)
        if pairing.status != "active":
            return
        partner = partner_of(pairing, payload.person_id)
        reminder = SessionReminder(
            check_in.id,
            (partner,),
            check_in.scheduled_at.isoformat(),
            check_in.duration_minutes,
            payload.hours,
        )
        # A reminder that reaches the queue's end after the session began is pointless.
        await due.notifier.notify(
            session,
            payload.person_id,
            reminder,
            key=f"{due.key}:deliver",
            not_after=check_in.scheduled_at,
        )


async def ask(due: DueContext, payload: Ask) -> None:
    """ "Did it happen?" to both people of the pair (never to an assistant)."""
    async with due.database.unit_of_work(immediate=True) as session:
        check_in = await session.get(CheckIn, payload.check_in_id)
        if check_in is None or not _current(check_in, payload.sequence):
            return
        pairing = await pairing_of(session, check_in)
        if pairing.status != "active":
            return
        at = check_in.scheduled_at.isoformat()
        for person_id in (pairing.mentor_id, pairing.mentee_id):
            question = DidItHappen(check_in.id, (partner_of(pairing, person_id),), at)
            await due.notifier.notify(session, person_id, question, key=f"{due.key}:{person_id}")


async def tell_later(
    session: AsyncSession, person_id: str, notification: Notification, *, key: str, now: datetime
) -> None:
    """From a flow: tell a person through the queue (the notifier then applies quiet hours
    and pacing); ``key`` names the event, so a replay tells once."""
    await tell(session, person_id, notification, key=key, at=now)


async def tell_cancelled(due: DueContext, payload: TellCancelled) -> None:
    async with due.database.unit_of_work(immediate=True) as session:
        who = (payload.person_id,) if payload.person_id else ()
        await due.notifier.notify(
            session,
            payload.partner_id,
            SessionsCancelled(who, payload.reason, payload.count),
            key=f"notify:{due.key}",
        )


DUE: dict[DueKind[Any], DueHandler] = {
    PLAN: plan_session,
    REMIND: remind,
    ASK: ask,
    TELL_CANCELLED: tell_cancelled,
}


def partner_of(pairing: Pairing, person_id: str) -> str:
    return pairing.mentee_id if pairing.mentor_id == person_id else pairing.mentor_id


async def pair_cadence_days(session: AsyncSession, pairing: Pairing) -> int:
    """The pair's own cadence, else the slower of their enrollment preferences, else the
    program's."""
    if pairing.cadence is not None and pairing.cadence in CADENCE_DAYS:
        return CADENCE_DAYS[pairing.cadence]
    program = await session.get(Program, pairing.program_id)
    preferences = (
        await session.scalars(
            select(Enrollment.preferred_cadence).where(
                Enrollment.program_id == pairing.program_id,
                Enrollment.person_id.in_((pairing.mentor_id, pairing.mentee_id)),
            )
        )
    ).all()
    return cadence_days(*preferences, program=program.cadence if program else "biweekly")


async def record_answer(
    session: AsyncSession,
    check_in: CheckIn,
    pairing: Pairing,
    person_id: str,
    answer: str,
    now: datetime,
    keys: CalendarKeys | None = None,
) -> str | None:
    """Store one person's answer; the session's new status (None: still undecided). A held
    session plans the next one (once); ``keys`` put calendar links in its notice."""
    answers = dict(check_in.answers or {})
    answers[person_id] = answer
    check_in.answers = answers
    # Answered, wherever from: the person's nudges about it are done, not ignored.
    await acted_on(session, pairing.id, person_id, (UNANSWERED,), now)
    status = outcome(answers, (pairing.mentor_id, pairing.mentee_id))
    if status is None:
        return None
    was_planned = check_in.status == "planned"
    check_in.status = status
    if status == "held" and was_planned:
        await plan_next(session, check_in, pairing, now, keys)
        # After the next session is planned: the survey closes when that one starts.
        await enqueue_due(session, SURVEY_ASK, SurveyAsk(check_in.id), now)
    return status


async def plan_next(
    session: AsyncSession,
    previous: CheckIn,
    pairing: Pairing,
    now: datetime,
    keys: CalendarKeys | None = None,
) -> CheckIn | None:
    """The next session of the series, at the pair's cadence, in the series' wall time and
    zone; both people are told (the one whose clock moves differently, in advance)."""
    latest = await latest_of(session, pairing.id)
    if latest is not None and latest.id != previous.id:
        return None  # already planned (a second "yes", a replay)
    if previous.zone is None or previous.local_start is None:
        return None  # a self-organised session without a clock rule: they plan the next
    days = await pair_cadence_days(session, pairing)
    rule = Rule(previous.local_start, previous.zone, days)
    at = rule.after(previous.scheduled_at)
    while at <= now:  # a late "yes": never plan in the past
        at = rule.after(at)
    following = CheckIn(
        pairing_id=pairing.id,
        ordinal=previous.ordinal + 1,
        scheduled_at=at,
        duration_minutes=previous.duration_minutes,
        status="planned",
        sequence=0,
        slots=[],
        zone=previous.zone,
        local_start=previous.local_start,
        confirmed_at=now,
        answers={},
    )
    session.add(following)
    await session.flush()
    await session_confirmed(session, following, now=now)
    # The reader's clock is compared with the series' last regular session (the previous
    # one may have been moved to another hour once).
    usual = instant(local_day(previous.scheduled_at, rule.zone), rule.wall, rule.zone)
    for person_id in (pairing.mentor_id, pairing.mentee_id):
        person = await session.get(Person, person_id)
        zone = person.timezone if person is not None and person.timezone else rule.zone
        shift = local_shift(usual, at, zone) // timedelta(minutes=1)
        news = SessionPlanned(
            following.id,
            (partner_of(pairing, person_id),),
            at.isoformat(),
            following.duration_minutes,
            shift,
            days,
            calendar=private_calendar(keys, person_id),
        )
        key = f"{session_keys(following.id)}s0:planned:{person_id}"
        await tell_later(session, person_id, news, key=key, now=now)
    return following
