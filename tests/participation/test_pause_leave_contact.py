"""Pause, resume, leave and contact through the real conversation core, on both engines;
the due actions they queue are drained by the real DueRunner at chosen instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from dialogs.core.content import UserText
from dialogs.core.events import Inbound
from dialogs.core.ui import DateField, Done, FieldErrors, Form
from storage.db import Database
from storage.models import AuditEvent, DueAction, Enrollment, Pairing, ProgramAdmin
from tests.support.clock import T0
from tests.support.messages import buttons, paragraphs, words
from tests.support.people import add_person, add_program, enroll, pair
from tests.support.world import actor, world

PARIS = ZoneInfo("Europe/Paris")


def today() -> date:
    return T0.astimezone(PARIS).date()


async def submit(w: object, user: str, form: Form, **values: str) -> object:
    return await w.conversation.handle(  # type: ignore[attr-defined]
        Inbound(actor(user), "submission", ref=form.ref, values=dict(values))
    )


async def status_of(database: Database, enrollment_id: int) -> tuple[str, datetime | None]:
    async with database.unit_of_work() as session:
        enrollment = await session.get(Enrollment, enrollment_id)
        assert enrollment is not None
        return enrollment.status, enrollment.paused_until


async def test_pause_refuses_bad_dates_then_resumes_by_itself_on_the_day(
    database: Database,
) -> None:
    w = await world(database)
    program = await add_program(database)
    lea = await add_person(database, "U1", "lea@acme.example", first="Léa")
    enrollment = await enroll(database, lea, program)

    shown = await w.say("U1", "pause")
    form = shown.form
    assert form is not None and isinstance(form.fields[0], DateField)
    for bad, error in (
        (today().isoformat(), "after today"),
        ((today() - timedelta(days=3)).isoformat(), "after today"),
        ((today() + timedelta(days=400)).isoformat(), "within a year"),
        ("soon", "Choose a date"),
    ):
        answer = (await submit(w, "U1", form, until=bad)).form_answer  # type: ignore[attr-defined]
        assert isinstance(answer, FieldErrors) and error in answer.errors["until"]
        assert answer.form is not None  # what was typed comes back with the error
    assert await status_of(database, enrollment) == ("active", None)

    until = today() + timedelta(days=10)
    done = (await submit(w, "U1", form, until=until.isoformat())).form_answer  # type: ignore[attr-defined]
    assert isinstance(done, Done) and "paused until" in words([done.message])
    back = datetime(until.year, until.month, until.day, tzinfo=PARIS).astimezone(UTC)
    assert await status_of(database, enrollment) == ("paused", back)
    late = (await submit(w, "U1", form, until=until.isoformat())).form_answer  # type: ignore[attr-defined]
    assert isinstance(late, Done) and "already been answered" in words([late.message])

    assert (await w.runner.drain(back - timedelta(minutes=1))).done == 0
    assert await status_of(database, enrollment) == ("paused", back)
    assert (await w.runner.drain(back)).done == 2  # the resume, then its notification
    assert await status_of(database, enrollment) == ("active", None)
    told = w.channel.to(lea)
    assert len(told) == 1 and "Program rm-2027" in words(told)
    assert "pause is over" in words(told)


async def test_resume_ends_a_pause_early_and_the_queued_resume_does_nothing(
    database: Database,
) -> None:
    w = await world(database)
    program = await add_program(database)
    lea = await add_person(database, "U1", "lea@acme.example", first="Léa")
    enrollment = await enroll(database, lea, program)
    form = (await w.say("U1", "pause")).form
    assert form is not None
    until = today() + timedelta(days=30)
    await submit(w, "U1", form, until=until.isoformat())

    answer = await w.say("U1", "reprendre")  # the French alias
    assert "Welcome back" in words(answer.messages)
    assert await status_of(database, enrollment) == ("active", None)
    again = await w.say("U1", "resume")
    assert "not on a pause" in words(again.messages)

    await w.runner.drain(T0 + timedelta(days=40))
    assert w.channel.to(lea) == []  # no "welcome back" for a pause already over
    assert await status_of(database, enrollment) == ("active", None)


async def test_pause_leave_when_not_enrolled_are_answered_kindly(database: Database) -> None:
    w = await world(database)
    for command in ("pause", "leave", "quitter"):
        outcome = await w.say("U5", command)
        assert outcome.form is None
        assert "not taking part in a program" in words(outcome.messages)
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(DueAction)) == 0


async def test_leave_ends_the_pairing_and_the_partner_is_told_kindly(database: Database) -> None:
    w = await world(database)
    program = await add_program(database)
    lea = await add_person(database, "U1", "lea@acme.example", first="Léa")
    tom = await add_person(database, "U2", "tom@acme.example", first="Tom")
    mine = await enroll(database, lea, program, role="mentor")
    theirs = await enroll(database, tom, program, role="mentee")
    pairing_id = await pair(database, program, lea, tom)

    card = (await w.say("U1", "leave")).messages[0]
    assert "Program rm-2027" in words([card])
    leave_button = next(b for b in buttons(card) if b.action == "leave")
    stay_button = next(b for b in buttons(card) if b.action == "stay")
    left = await w.click("U1", leave_button)
    assert "You have left Program rm-2027" in words(left.messages)
    assert "told your partner" in words(left.messages)
    late = await w.click("U1", stay_button)  # the same card, clicked again
    assert "already been answered" in words(late.messages)

    async with database.unit_of_work() as session:
        pairing = await session.get(Pairing, pairing_id)
        assert pairing is not None
        assert (pairing.status, pairing.ended_by) == ("ended", lea)
        assert pairing.ended_at is not None
    assert await status_of(database, mine) == ("left", None)
    assert await status_of(database, theirs) == ("active", None)  # the partner stays

    await w.runner.drain(T0 + timedelta(minutes=1))
    told = w.channel.to(tom)
    assert len(told) == 1
    assert "Léa Test has left Program rm-2027" in words(told)
    assert w.channel.to(lea) == []


async def test_leave_with_a_private_reason_never_shows_it_to_the_partner(
    database: Database,
) -> None:
    w = await world(database)
    program = await add_program(database)
    lea = await add_person(database, "U1", "lea@acme.example", first="Léa")
    tom = await add_person(database, "U2", "tom@acme.example", first="Tom")
    mine = await enroll(database, lea, program)
    await enroll(database, tom, program, role="mentee")
    pairing_id = await pair(database, program, lea, tom)

    card = (await w.say("U1", "leave")).messages[0]
    why = next(b for b in buttons(card) if b.opens_form and b.ref is None)
    form = (await w.click("U1", why)).form
    assert form is not None
    reason = "Tom never shows up <!channel>"
    done = (await submit(w, "U1", form, reason=reason)).form_answer  # type: ignore[attr-defined]
    assert isinstance(done, Done) and "Only the program team" in words([done.message])

    async with database.unit_of_work() as session:
        enrollment = await session.get(Enrollment, mine)
        pairing = await session.get(Pairing, pairing_id)
        assert enrollment is not None and pairing is not None
        assert (enrollment.status, enrollment.left_reason) == ("left", reason)
        assert pairing.end_reason == reason
        audit = (await session.scalars(select(AuditEvent))).all()
        assert all(reason not in str(e.details) for e in audit)  # opaque ids only

    await w.runner.drain(T0 + timedelta(minutes=1))
    told = w.channel.to(tom)
    assert len(told) == 1 and "never shows up" not in words(told)
    assert "pairing ends here" in words(told)


async def test_contact_sends_the_words_inert_to_the_program_team(database: Database) -> None:
    w = await world(database)
    program = await add_program(database)
    lea = await add_person(database, "U1", "lea@acme.example", first="Léa")
    await enroll(database, lea, program)
    deployment_admin = await add_person(database, "U0", "rh@acme.example", first="Rose")
    program_admin = await add_person(database, "U9", "pa@acme.example", first="Paul")
    bystander = await add_person(database, "U8", "by@acme.example", first="Bob")
    async with database.unit_of_work() as session:
        session.add(ProgramAdmin(program_id=program, person_id=program_admin))

    form = (await w.say("U1", "contact")).form
    assert form is not None
    empty = (await submit(w, "U1", form, message="   ")).form_answer  # type: ignore[attr-defined]
    assert isinstance(empty, FieldErrors) and "message" in empty.errors
    text = "<!channel> my mentor *never* answers"
    done = (await submit(w, "U1", form, message=text)).form_answer  # type: ignore[attr-defined]
    assert isinstance(done, Done) and "on its way" in words([done.message])

    report = await w.runner.drain(T0 + timedelta(minutes=1))
    assert report.parked == 0
    for reader in (deployment_admin, program_admin):
        received = w.channel.to(reader)
        assert len(received) == 1
        said = [part for p in paragraphs(received[0]) for part in p.parts]
        assert UserText(text) in said  # inert: the renderer escapes it
        assert "Léa Test wrote to the team of Program rm-2027" in words(received)
    assert w.channel.to(bystander) == [] and w.channel.to(lea) == []
