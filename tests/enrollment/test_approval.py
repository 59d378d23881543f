"""A program that approves people first: admins get a card, the person is told."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from dialogs.core.conversation import Conversation
from dialogs.core.ui import NextForm
from dialogs.enrollment.feature import ENROLLMENT
from dialogs.notify.delivery import ChatChannel
from dialogs.notify.notifier import Notifier, NotifierConfig
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import AuditEvent, Enrollment
from tests.enrollment.test_enrollment_flow import CONSENT, MENTOR_PRACTICAL, _to_practical
from tests.support.channels import RecordingChannel
from tests.support.clock import fixed_clock
from tests.support.driver import CONFIG
from tests.support.enrollment import Driver, actor, add_person, add_program
from tests.support.messages import buttons_by_action as buttons
from tests.support.messages import done_message, words

LATER = datetime(2030, 1, 1, tzinfo=UTC)


async def drain(runner: DueRunner) -> None:
    for _ in range(5):  # an approval request queues the deliveries it causes
        if (await runner.drain(LATER)).done == 0:
            return


async def test_admins_approve_and_the_person_is_told(database: Database) -> None:
    await add_person(database, "boss@acme.example", "director", locale="fr")
    await add_program(database, approval=True, admin_email="boss@acme.example")
    await add_person(database, "jun@acme.example", "junior", locale="en")
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    admin = Driver(conversation, actor("U9", "boss@acme.example"))
    await admin.send(kind="command", text="help")  # the admin has talked to the bot on Slack
    person = Driver(conversation, actor("U2", "jun@acme.example", "en-US"))
    slack = RecordingChannel("slack")
    channels: dict[str, ChatChannel] = {"slack": slack}
    notifier = Notifier(database, channels, NotifierConfig(quiet_hours=None), clock=fixed_clock())
    handlers = DueHandlers()
    notifier.register(handlers)
    ENROLLMENT.register(handlers, database, notifier)
    runner = DueRunner(notifier.queue, handlers, clock=fixed_clock())

    practical = await _to_practical(person)
    consent = (await person.submit(practical.form, MENTOR_PRACTICAL)).form_answer
    assert isinstance(consent, NextForm)
    summary = (await person.submit(consent.form, CONSENT)).form_answer
    assert isinstance(summary, NextForm)
    done = done_message(await person.confirm(summary.form))
    assert "The program team will review your enrollment" in words(done)
    async with database.unit_of_work() as session:
        assert (await session.execute(select(Enrollment.status))).scalar_one() == "pending"

    await drain(runner)
    [(recipient, card)] = slack.sent
    assert recipient.user_id == "U9" and card.summary == "Une inscription attend votre accord"
    assert "Jun Test demande à rejoindre Mentorat <b>mi-2027</b>" in words(card)
    approve = buttons(card)["enrollment:approve"]

    refused = await person.send(kind="action", action=approve.action, value=approve.value)
    assert "Only the program team can do this." in words(refused.messages[0])
    approved = await admin.send(kind="action", action=approve.action, value=approve.value)
    assert approved.close_source and "Approuvée." in words(approved.messages[0])
    again = await admin.send(kind="action", action="enrollment:decline", value=approve.value)
    assert "already been answered" in words(again.messages[0]) or "déjà" in words(again.messages[0])
    async with database.unit_of_work() as session:
        assert (await session.execute(select(Enrollment.status))).scalar_one() == "active"
        audit = (await session.execute(select(AuditEvent.action))).scalars().all()
    assert audit.count("enrollment.approved") == 1 and audit.count("admin.refused") == 1

    await drain(runner)
    told = slack.sent[-1]
    assert told[0].user_id == "U2" and told[1].summary == "Your enrollment is approved"
