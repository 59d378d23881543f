"""A confirmed session's life through the real core, notifier and due queue, with the
injected clock moved forward: reminders at each person's local hour (one in Paris, one in
Montréal), "did it happen?" to both, the next session at the cadence; disagreement,
assistants, skip, reschedule and pause. English and French readers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.domain.quiet_hours import QuietHours
from bot.domain.sessions.series import instant
from dialogs.core.content import Timestamp
from dialogs.core.events import Inbound
from dialogs.core.ui import Form, Message, Section, SelectField
from dialogs.matching.admin import MATCHING
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.participation.feature import PARTICIPATION
from dialogs.sessions.cards import ANSWER_ACTION, RESCHEDULE_ACTION, SKIP_ACTION
from dialogs.sessions.lifecycle import pair_cadence_days, session_confirmed
from dialogs.sessions.scheduling import SESSIONS_SCHEDULING
from dialogs.sessions.series import SERIES
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import CheckIn, DueAction, Enrollment, Pairing, Person, Program
from tests.support.channels import RecordingChannel
from tests.support.messages import button, buttons, field_errors, words
from tests.support.people import add_person, add_program, enroll, pair
from tests.support.world import CONFIG, World, actor

pytestmark = pytest.mark.timeout(120)

PARIS, MONTREAL = "Europe/Paris", "America/Montreal"
QUIET = QuietHours(time(20), time(8), frozenset({5, 6}))
# A Wednesday at 16:00 in Paris (10:00 in Montréal), in a week with no clock change.
START = instant(date(2027, 2, 3), time(16), PARIS)
NOW = START - timedelta(days=5)


async def series_world(database: Database) -> World:
    from dialogs.core.conversation import Conversation
    from tests.support.clock import fixed_clock

    channel = RecordingChannel()
    clock = fixed_clock(NOW)
    notifier = Notifier(
        database,
        {"slack": channel},
        NotifierConfig(default_locale="en", quiet_hours=QUIET),
        clock=clock,
    )
    handlers = DueHandlers()
    notifier.register(handlers)
    PARTICIPATION.register(handlers, database, notifier)
    MATCHING.register(handlers, database, notifier)
    SESSIONS_SCHEDULING.register(handlers, database, notifier)  # its news carry ours
    SERIES.register(handlers, database, notifier)
    runner = DueRunner(notifier.queue, handlers, clock=clock)
    conversation = Conversation(database, CONFIG, clock=clock)
    return World(database, conversation, channel, runner, clock=clock)


async def pair_with_session(w: World, *, french: bool = False) -> tuple[str, str, int]:
    """Anna (Paris) mentors Ben (Montréal); their first session is confirmed."""
    program = await add_program(w.database)
    w.program_id = program
    anna = await add_person(w.database, "UANNA", "anna@acme.example", first="Anna")
    ben = await add_person(w.database, "UBEN", "ben@acme.example", first="Ben")
    w.users.update({anna: "UANNA", ben: "UBEN"})
    for person_id, role in ((anna, "mentor"), (ben, "mentee")):
        await enroll(w.database, person_id, program, role=role)
    pairing_id = await pair(w.database, program, anna, ben)
    async with w.database.unit_of_work() as session:
        (await session.get(Person, ben)).timezone = MONTREAL  # type: ignore[union-attr]
        if french:
            for pid in (anna, ben):
                (await session.get(Person, pid)).locale = "fr"  # type: ignore[union-attr]
        check_in = CheckIn(
            pairing_id=pairing_id, scheduled_at=START, status="planned", zone=PARIS,
            local_start=time(16), confirmed_at=NOW, duration_minutes=45,
        )  # fmt: skip
        session.add(check_in)
        await session_confirmed(session, check_in, now=NOW)
        await session.flush()
        check_in_id = check_in.id
    return anna, ben, check_in_id


async def at(w: World, moment: datetime) -> None:
    w.clock.set(moment)
    await w.drain(moment)


def local_hours(w: World, person_id: str, zone: str) -> list[datetime]:
    """The local moments (in ``zone``) at which the person's session times were shown."""
    found = []
    for message in w.channel.to(person_id):
        for block in message.blocks:
            if isinstance(block, Section):
                for paragraph in block.paragraphs:
                    for part in paragraph.parts:
                        if isinstance(part, Timestamp) and part.style == "datetime":
                            found.append(part.at.astimezone(ZoneInfo(zone)).replace(tzinfo=None))
    return found


def titles(messages: list[Message]) -> list[str]:
    return [m.summary for m in messages]


async def test_reminders_question_and_next_session_for_a_paris_montreal_pair(
    database: Database,
) -> None:
    w = await series_world(database)
    anna, ben, _check_in_id = await pair_with_session(w)
    await at(w, NOW)
    assert w.channel.sent == []  # nothing yet: the reminders wait for their moment
    await at(w, START - timedelta(hours=24))
    # Anna: 16:00 the day before in Paris. Ben: 10:00 the day before in Montréal.
    assert titles(w.channel.to(anna)) == ["Your session is coming up"]
    assert titles(w.channel.to(ben)) == ["Your session is coming up"]
    reminder = w.channel.to(anna)[0]
    assert [b.label for b in reminder.blocks[-1].buttons] == [  # type: ignore[union-attr]
        "Reschedule",
        "Skip this one",
        "Cancel",
    ]
    await at(w, START - timedelta(hours=1))
    assert len(w.channel.to(anna)) == 2 and len(w.channel.to(ben)) == 2
    await at(w, START - timedelta(minutes=30))
    assert len(w.channel.to(anna)) == 2  # never twice

    await at(w, START + timedelta(minutes=45 + 60))
    question = w.channel.to(anna)[-1]
    assert question.summary == "Did your session happen?"
    assert w.channel.to(ben)[-1].summary == "Did your session happen?"

    yes = button(question, ANSWER_ACTION)
    done = await w.click("UANNA", yes)
    assert "your session happened" in words(done)
    await at(w, w.clock.now())
    # Both are told of the next session, two weeks on, at 16:00 in Paris.
    planned = [m for m in w.channel.to(ben) if m.summary == "Your next session is planned"]
    assert len(planned) == 1
    following = START + timedelta(days=14)
    assert local_hours(w, anna, PARIS)[-1] == following.astimezone(ZoneInfo(PARIS)).replace(
        tzinfo=None
    )
    async with database.unit_of_work() as session:
        rows = (await session.scalars(select(CheckIn).order_by(CheckIn.id))).all()
    assert [(r.ordinal, r.status) for r in rows] == [(1, "held"), (2, "planned")]
    assert rows[1].local_start == time(16) and rows[1].zone == PARIS


async def test_a_clock_change_on_one_side_only_is_announced_to_that_side(
    database: Database,
) -> None:
    # Montréal springs forward on 14 March 2027, Paris on 28 March: a session on
    # Wednesday 10 March at 16:00 Paris is followed by one on 17 March, an hour later for Ben.
    global START, NOW
    saved = START, NOW
    START = instant(date(2027, 3, 10), time(16), PARIS)
    NOW = START - timedelta(days=2)
    try:
        w = await series_world(database)
        anna, ben, check_in_id = await pair_with_session(w)
        async with database.unit_of_work() as session:
            from storage.models import Pairing

            pairing = (await session.scalars(select(Pairing))).one()
            pairing.cadence = "weekly"
            (await session.get(CheckIn, check_in_id)).scheduled_at = START  # type: ignore[union-attr]
        await at(w, START + timedelta(hours=2))
        question = w.channel.to(ben)[-1]
        await w.click("UBEN", button(question, ANSWER_ACTION))
        await at(w, w.clock.now())
        planned_ben = [m for m in w.channel.to(ben) if m.summary == "Your next session is planned"]
        planned_anna = [
            m for m in w.channel.to(anna) if m.summary == "Your next session is planned"
        ]
        assert "60 minutes later than usual" in words(planned_ben)
        assert "than usual" not in words(planned_anna)
    finally:
        START, NOW = saved


async def test_conflicting_answers_make_the_session_disputed_and_nobody_is_asked_again(
    database: Database,
) -> None:
    w = await series_world(database)
    anna, ben, check_in_id = await pair_with_session(w)
    await at(w, START + timedelta(hours=2))
    yes = [b for b in w.channel.to(anna)[-1].blocks[-1].buttons if b.value.endswith(":yes")]  # type: ignore[union-attr]
    no = [b for b in w.channel.to(ben)[-1].blocks[-1].buttons if b.value.endswith(":no")]  # type: ignore[union-attr]
    await w.click("UANNA", yes[0])
    answer = await w.click("UBEN", no[0])
    assert "answered differently" in words(answer)
    async with database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and row.status == "disputed"
    again = await w.click("UBEN", no[0])
    assert "already answered" in words(again)


async def test_an_assistant_never_answers_did_it_happen(database: Database) -> None:
    w = await series_world(database)
    _anna, ben, check_in_id = await pair_with_session(w)
    helper = await add_person(database, "UHELP", "helper@acme.example", first="Helper")
    async with database.unit_of_work() as session:
        (await session.get(Person, ben)).assistant_id = helper  # type: ignore[union-attr]
    await at(w, START + timedelta(hours=2))
    yes = button(w.channel.to(ben)[-1], ANSWER_ACTION)
    refused = await w.click("UHELP", yes)
    assert "Only the two people of the pair" in words(refused)
    async with database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and row.status == "planned" and row.answers == {}


async def test_an_assistant_moves_a_session_and_the_leader_is_copied_once(
    database: Database,
) -> None:
    w = await series_world(database)
    anna, ben, check_in_id = await pair_with_session(w)
    helper = await add_person(database, "UHELP", "helper@acme.example", first="Helper")
    w.users[helper] = "UHELP"
    async with database.unit_of_work() as session:
        (await session.get(Person, ben)).assistant_id = helper  # type: ignore[union-attr]
    await at(w, START - timedelta(hours=25))  # 15:00 in Paris, 09:00 in Montréal
    opened = await w.conversation.handle(
        Inbound(actor("UHELP"), "action", action=RESCHEDULE_ACTION, value=str(check_in_id))
    )
    assert opened.form is not None
    await w.submit("UHELP", opened.form, {"day": "2027-02-05", "time": "15:00"})
    await w.drain()
    [told] = [m for m in w.channel.to(anna) if "moved your session" in words([m])]
    assert "Ben Test" in words([told])
    [copy] = [m for m in w.channel.to(ben) if "moved your session" in words([m])]
    assert "Helper Test" in words([copy])
    assert [m for m in w.channel.to(helper) if "moved your session" in words([m])] == []


async def test_reschedule_refuses_a_past_time_then_moves_the_same_session(
    database: Database,
) -> None:
    w = await series_world(database)
    anna, ben, check_in_id = await pair_with_session(w)
    await at(w, START - timedelta(hours=24))
    reminder = w.channel.to(anna)[-1]
    opened = await w.conversation.handle(
        Inbound(actor("UANNA"), "action", action=RESCHEDULE_ACTION, value=str(check_in_id))
    )
    assert opened.form is not None
    past = await w.submit("UANNA", opened.form, {"day": "2027-01-01", "time": "10:00"})
    assert "passed" in " ".join(field_errors(past).values())
    bad = await w.submit("UANNA", opened.form, {"day": "2027-02-05", "time": "7 pm"})
    assert "HH:MM" in " ".join(field_errors(bad).values())
    async with database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and row.scheduled_at == START and row.sequence == 0
    moved = await w.submit("UANNA", opened.form, {"day": "2027-02-05", "time": "15:00"})
    assert "your session is now on" in words(moved.form_answer.message)  # type: ignore[union-attr]
    new_start = instant(date(2027, 2, 5), time(15), PARIS)
    async with database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and row.scheduled_at == new_start and row.sequence == 1
    assert reminder is not None
    # The old 1 h reminder never comes; the new ones do, and Ben is told of the move.
    sent_before = len(w.channel.to(anna))
    await at(w, START - timedelta(minutes=30))
    assert len(w.channel.to(anna)) == sent_before
    assert "moved your session" in words(w.channel.to(ben))
    await at(w, new_start - timedelta(hours=24))
    await at(w, new_start - timedelta(hours=1))
    reminders = [m for m in w.channel.to(anna) if m.summary == "Your session is coming up"]
    assert len(reminders) == 3  # the old 24 h, then the new 24 h and 1 h


async def test_whoever_moves_a_session_may_keep_its_hour_in_their_own_zone(
    database: Database,
) -> None:
    """The series keeps the leader's wall time by default; the pair may anchor it in the
    other person's zone instead: Ben, in Montréal, moves the session and keeps it at 10:00
    his time; the sessions after it follow Montréal's clock. Anna, whose zone is the
    series', is not asked."""
    w = await series_world(database)
    anna, _ben, check_in_id = await pair_with_session(w)
    await at(w, START - timedelta(hours=24))

    async def form_of(user: str) -> Form:
        opened = await w.conversation.handle(
            Inbound(actor(user), "action", action=RESCHEDULE_ACTION, value=str(check_in_id))
        )
        assert opened.form is not None
        return opened.form

    assert [f.name for f in (await form_of("UANNA")).fields] == ["day", "time"]
    form = await form_of("UBEN")
    [keep] = [f for f in form.fields if isinstance(f, SelectField)]
    assert [o.value for o in keep.options] == [PARIS, MONTREAL] and keep.initial == (PARIS,)
    assert "Paris" in keep.options[0].label and "Montreal" in keep.options[1].label
    moved = await w.submit("UBEN", form, {"day": "2027-02-05", "time": "10:00", "keep": MONTREAL})
    assert "your session is now on" in words(moved.form_answer.message)  # type: ignore[union-attr]
    async with database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and row.zone == MONTREAL and row.local_start == time(10)
        assert row.scheduled_at == instant(date(2027, 2, 5), time(10), MONTREAL)
    await w.drain()
    assert "moved your session" in words(w.channel.to(anna))


async def test_the_pairs_cadence_is_the_slower_of_their_wishes_else_the_programs(
    database: Database,
) -> None:
    w = await series_world(database)
    anna, _ben, _ = await pair_with_session(w)

    async def cadence(anna_wish: str | None, ben_wish: str | None, program: str) -> int:
        async with database.unit_of_work() as session:
            for enrollment in await session.scalars(select(Enrollment)):
                wish = anna_wish if enrollment.person_id == anna else ben_wish
                enrollment.preferred_cadence = wish
            (await session.scalars(select(Program))).one().cadence = program
            pairing = (await session.scalars(select(Pairing))).one()
            return await pair_cadence_days(session, pairing)

    assert await cadence("weekly", "monthly", "biweekly") == 28
    assert await cadence("weekly", None, "monthly") == 7
    assert await cadence(None, None, "weekly") == 7
    assert await cadence(None, None, "biweekly") == 14


async def test_skip_plans_the_next_and_pause_cancels_everything_in_french(
    database: Database,
) -> None:
    w = await series_world(database)
    anna, ben, _check_in_id = await pair_with_session(w, french=True)
    await at(w, START - timedelta(hours=24))
    skip = button(w.channel.to(ben)[-1], SKIP_ACTION)
    answer = await w.click("UBEN", skip)
    assert "Séance sautée" in words(answer)
    await at(w, w.clock.now())
    assert "a sauté la séance" in words(w.channel.to(anna))
    async with database.unit_of_work() as session:
        rows = (await session.scalars(select(CheckIn).order_by(CheckIn.id))).all()
    assert [r.status for r in rows] == ["skipped", "planned"]
    # Anna pauses: the next session and its reminders are cancelled, Ben is told.
    opened = await w.say("UANNA", "pause")
    assert opened.form is not None
    await w.submit("UANNA", opened.form, {"until": "2027-06-01"})
    await at(w, w.clock.now())
    assert "Séances annulées" in titles(w.channel.to(ben))
    async with database.unit_of_work() as session:
        rows = (await session.scalars(select(CheckIn).order_by(CheckIn.id))).all()
        assert [r.status for r in rows] == ["skipped", "cancelled"]
        pending = await session.scalars(
            select(DueAction.idempotency_key).where(
                DueAction.status == "pending", DueAction.idempotency_key.like("session:%")
            )
        )
        assert list(pending) == []
    count = len(w.channel.to(anna))
    await at(w, rows[1].scheduled_at + timedelta(hours=3))
    later = titles(w.channel.to(anna)[count:])
    assert "Votre séance approche" not in later  # no reminder
    assert "Votre séance a-t-elle eu lieu\u202f?" not in later  # no question


async def test_quiet_hours_and_sessions_commands(database: Database) -> None:
    w = await series_world(database)
    anna, _ben, _check_in_id = await pair_with_session(w)
    shown = await w.say("UANNA", "quiet hours")
    assert "program's quiet hours" in words(shown)
    bad = await w.say("UANNA", "quiet hours 25:00-07:00")
    assert "nothing changed" in words(bad)
    mine = await w.say("UANNA", "quiet hours 21:30-07:00,sun")
    assert "21:30-07:00,sun" in words(mine)
    async with database.unit_of_work() as session:
        person = await session.get(Person, anna)
        assert person is not None and person.quiet_start == time(21, 30)
    listed = await w.say("UANNA", "sessions")
    assert "Your next sessions" in words(listed)
    assert START.astimezone(UTC).strftime("%Y-%m-%d") in words(listed)


async def test_new_quiet_hours_move_the_reminders_already_planned(database: Database) -> None:
    w = await series_world(database)
    anna, ben, _ = await pair_with_session(w)
    await at(w, NOW)  # planned under the default quiet hours: Tuesday 16:00, Wednesday 15:00
    await w.say("UANNA", "quiet hours 13:00-17:00")  # Anna's afternoons are now quiet
    paris = ZoneInfo(PARIS)
    tuesday_before = datetime(2027, 2, 2, 12, 45, tzinfo=paris)
    await at(w, tuesday_before)
    assert titles(w.channel.to(anna)) == ["Your session is coming up"]
    assert titles(w.channel.to(ben)) == []  # Ben's quiet hours did not change
    await at(w, START - timedelta(hours=24))
    assert len(w.channel.to(anna)) == 1  # the 24 h one went early: never twice
    assert len(w.channel.to(ben)) == 1
    await at(w, datetime(2027, 2, 3, 12, 45, tzinfo=paris))  # before her quiet afternoon
    assert len(w.channel.to(anna)) == 2
    await at(w, START - timedelta(minutes=10))
    assert len(w.channel.to(anna)) == 2 and len(w.channel.to(ben)) == 2


async def test_moved_opens_the_reschedule_form(database: Database) -> None:
    w = await series_world(database)
    anna, _, check_in_id = await pair_with_session(w)
    await at(w, START + timedelta(hours=2))
    moved = [b for b in buttons(w.channel.to(anna)[-1]) if b.value.endswith(":moved")]
    opened = await w.click("UANNA", moved[0])
    assert opened.form is not None and opened.form.title == "Move the session"
    later = instant(date(2027, 2, 8), time(16), PARIS)
    await w.submit("UANNA", opened.form, {"day": "2027-02-08", "time": "16:00"})
    async with database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and (row.status, row.scheduled_at, row.sequence) == (
            "planned",
            later,
            1,
        )


async def test_after_an_outage_a_reminder_of_a_session_that_began_is_not_sent_late(
    database: Database,
) -> None:
    w = await series_world(database)
    anna, ben, _ = await pair_with_session(w)
    await at(w, NOW)
    # Nothing ran from the day before until ten minutes into the session.
    await at(w, START + timedelta(minutes=10))
    assert w.channel.to(anna) == [] and w.channel.to(ben) == []
    await at(w, START + timedelta(hours=2))
    assert titles(w.channel.to(anna)) == ["Did your session happen?"]


async def test_either_person_changes_the_cadence_and_the_other_is_told(
    database: Database,
) -> None:
    w = await series_world(database)
    anna, _, _ = await pair_with_session(w)
    shown = await w.say("UBEN", "cadence")
    assert "every 14 days" in words(shown)
    weekly = next(b for b in buttons(shown) if b.value.endswith(":weekly"))
    done = await w.click("UBEN", weekly)
    assert "every 7 days" in words(done)
    await at(w, w.clock.now())
    assert "changed your sessions' rhythm: every 7 days" in words(w.channel.to(anna))
    wrong = await w.say("UANNA", "cadence daily")
    assert "Choose weekly, biweekly or monthly" in words(wrong)
