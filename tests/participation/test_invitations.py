"""``admin invite``: personal invitations with a Join button, one reminder for those who do
not answer, unknown emails listed back; refused to non-admins by the core."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dialogs.core.events import Inbound
from dialogs.core.ui import Done, FieldErrors, SelectField
from storage.db import Database
from storage.models import AuditEvent, DueAction
from tests.support.clock import T0
from tests.support.messages import buttons, words
from tests.support.people import add_person, add_program, enroll
from tests.support.world import actor, world

SOON = timedelta(minutes=1)


async def test_invite_by_email_then_one_reminder_only_for_those_who_did_not_answer(
    database: Database,
) -> None:
    w = await world(database)
    program = await add_program(database, "rm-2027")
    admin = await add_person(database, "U0ADMIN", "boss@acme.example", first="Ada")
    lea = await add_person(database, "U1", "lea@acme.example", first="Léa")
    tom = await add_person(database, "U2", "tom@acme.example", first="Tom")
    already = await add_person(database, "U3", "max@acme.example", first="Max")
    await enroll(database, already, program)

    outcome = await w.say(
        "U0ADMIN",
        "admin invite Lea@acme.example, tom@acme.example max@acme.example "
        "ghost@acme.example <!here> --days 5",
    )
    said = words(outcome.messages)
    assert "1 already enrolled" in said and "2 sent" in said
    assert "ghost@acme.example" in said and "<!here>" in said  # shown back, inert
    start = T0

    await w.runner.drain(start + SOON)
    for person in (lea, tom):
        (invitation,) = w.channel.to(person)
        assert "invites you personally" in words([invitation])
        (join,) = buttons(invitation)
        assert (join.action, join.value, join.ref) == ("enrollment:join", "rm-2027", None)
    assert w.channel.to(already) == [] and w.channel.to(admin) == []

    again = await w.say("U0ADMIN", "admin invite lea@acme.example --program rm-2027")
    assert "0 sent, 1 already invited" in words(again.messages)

    await enroll(database, tom, program)  # Tom answers; Léa does not
    assert (await w.runner.drain(start + timedelta(days=4))).done == 0
    await w.runner.drain(start + timedelta(days=5, minutes=2))
    assert len(w.channel.to(tom)) == 1
    reminders = w.channel.to(lea)[1:]
    assert len(reminders) == 1 and "A reminder" in words(reminders)
    await w.runner.drain(start + timedelta(days=40))
    assert len(w.channel.to(lea)) == 2  # reminded once only

    async with database.unit_of_work() as session:
        sent = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "invitation.sent"))
        ).all()
    assert sorted(e.subject_id or "" for e in sent) == sorted([lea, tom])
    assert {(e.actor_id, e.program_id) for e in sent} == {(admin, program)}


async def test_invite_by_career_stage_and_department_through_the_form(
    database: Database,
) -> None:
    w = await world(database)
    await add_program(database, "rm-2027")
    await add_person(database, "U0ADMIN", "boss@acme.example", first="Ada")
    director = await add_person(database, "U1", "d@acme.example", first="Dan", stage="director")
    finance = await add_person(database, "U2", "f@acme.example", first="Fay",
                               department="Finance")  # fmt: skip
    other = await add_person(database, "U3", "o@acme.example", first="Oli", stage="junior",
                             department="IT")  # fmt: skip

    form = (await w.say("U0ADMIN", "admin invite")).form
    assert form is not None
    fields = {f.name: f for f in form.fields}
    program_field = fields["program"]
    assert isinstance(program_field, SelectField) and program_field.initial == ("rm-2027",)
    departments = fields["departments"]
    assert isinstance(departments, SelectField)
    assert [o.value for o in departments.options] == ["Finance", "IT"]

    def send(**values: str | tuple[str, ...]) -> Inbound:
        return Inbound(actor("U0ADMIN"), "submission", ref=form.ref, values=dict(values))

    nothing = (await w.conversation.handle(send(program="rm-2027", days="7"))).form_answer
    assert isinstance(nothing, FieldErrors) and "emails" in nothing.errors
    bad_days = (
        await w.conversation.handle(send(program="rm-2027", emails="d@acme.example", days="0"))
    ).form_answer
    assert isinstance(bad_days, FieldErrors) and "days" in bad_days.errors
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(DueAction)) == 0

    done = (
        await w.conversation.handle(
            send(
                program="rm-2027",
                stages=("director", "executive"),
                departments=("Finance",),
                days="7",
            )
        )
    ).form_answer
    assert isinstance(done, Done) and "2 sent" in words([done.message])
    await w.runner.drain(T0 + SOON)
    assert len(w.channel.to(director)) == 1 and len(w.channel.to(finance)) == 1
    assert w.channel.to(other) == []


async def test_a_non_admin_cannot_invite_and_nothing_is_queued(database: Database) -> None:
    w = await world(database)
    await add_program(database, "rm-2027")
    await add_person(database, "U1", "lea@acme.example", first="Léa")
    await add_person(database, "U2", "tom@acme.example", first="Tom")
    refused = await w.say("U1", "admin invite tom@acme.example --program rm-2027")
    assert "for program admins" in words(refused.messages)
    clicked = await w.conversation.handle(
        Inbound(actor("U1"), "action", action="participation:invite")
    )
    assert "for program admins" in words(clicked.messages) and clicked.form is None
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(DueAction)) == 0


async def test_no_invitation_to_a_program_that_is_not_open(database: Database) -> None:
    w = await world(database)
    await add_program(database, "draft-one", status="draft")
    await add_person(database, "U0ADMIN", "boss@acme.example", first="Ada")
    await add_person(database, "U2", "tom@acme.example", first="Tom")
    outcome = await w.say("U0ADMIN", "admin invite tom@acme.example --program draft-one")
    assert "Name an open program" in words(outcome.messages)
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(DueAction)) == 0


async def test_invite_without_an_open_program_says_so_instead_of_a_form(
    database: Database,
) -> None:
    w = await world(database)
    await add_person(database, "U0ADMIN", "boss@acme.example", first="Ada")
    outcome = await w.say("U0ADMIN", "admin inviter")
    assert outcome.form is None and "No program is open" in words(outcome.messages)
