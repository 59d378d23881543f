"""A small program with mentors and mentees, a recording channel and the matching jobs
wired as the server wires them, for the proposal workflow tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.clock import Ticker
from bot.domain.clock import ManualClock
from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.core.events import Actor, Inbound, Outcome, Platform
from dialogs.core.ui import Button, Done, FieldErrors, Form, Message, MessageRef
from dialogs.matching.jobs import register_due_handlers as register_matching
from dialogs.notify.delivery import Recipient
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.participation.jobs import register_due_handlers as register_participation
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import CareerStage, Enrollment, Person, PlatformIdentity, Program
from tests.participation.support import buttons, words
from tests.support.clock import T0, fixed_clock

ADMIN_EMAIL = "rh@acme.example"
CONFIG = ConversationConfig(
    default_locale="en", admins=(ADMIN_EMAIL, "UADMIN"), slack_team_ids=("T1",)
)

__all__ = ["buttons", "words"]


class RecordingChannel:
    """A ChatChannel that records sends, updates and introductions."""

    platform: Platform = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, Message, MessageRef]] = []
        self.updates: list[tuple[MessageRef, Message]] = []
        self.introductions: list[tuple[list[str], Message]] = []

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        ref = MessageRef("slack", f"D-{recipient.user_id}", str(len(self.sent) + 1))
        self.sent.append((recipient, message, ref))
        return ref

    async def update(self, ref: MessageRef, message: Message) -> None:
        self.updates.append((ref, message))

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        self.introductions.append(([r.person_id for r in recipients], message))
        return [MessageRef("slack", "G-intro", f"i{n}") for n, _ in enumerate(recipients)]

    async def announce(self, tenant_id: str, channel: str, message: Message) -> MessageRef:
        raise AssertionError("not used")

    def to(self, person_id: str) -> list[Message]:
        return [m for r, m, _ in self.sent if r.person_id == person_id]

    def updated(self, person_id: str) -> list[Message]:
        refs = {ref for r, _, ref in self.sent if r.person_id == person_id}
        return [m for ref, m in self.updates if ref in refs]


@dataclass
class World:
    database: Database
    conversation: Conversation
    channel: RecordingChannel
    runner: DueRunner
    program_id: int = 0
    users: dict[str, str] = field(default_factory=dict)  # person id -> slack user id
    ticker: Ticker | None = None  # registers the routines' handlers; never started here
    admin_id: str = ""
    clock: ManualClock = field(default_factory=fixed_clock)

    async def say(self, user: str, text: str) -> Outcome:
        return await self.conversation.handle(Inbound(actor(user), "command", text=text))

    async def click(self, user: str, button: Button) -> Outcome:
        return await self.conversation.handle(
            Inbound(actor(user), "action", action=button.action, value=button.value, ref=button.ref)
        )

    async def submit(self, user: str, form: Form, values: dict[str, str]) -> Outcome:
        return await self.conversation.handle(
            Inbound(actor(user), "submission", ref=form.ref, values=dict(values))
        )

    async def drain(self, at: datetime | None = None) -> None:
        """Run what is due, and what that queued, until nothing is left."""
        for _ in range(10):
            report = await self.runner.drain(at or self.clock.now())
            if not report.done and not report.retried:
                return
        raise AssertionError("the queue did not settle")

    def user(self, person_id: str) -> str:
        return self.users[person_id]


def actor(user: str) -> Actor:
    return Actor("slack", "T1", user, locale_hint="en-US", display_name=f"Person {user}")


async def world(database: Database) -> World:
    channel = RecordingChannel()
    clock = fixed_clock()
    notifier = Notifier(
        database,
        {"slack": channel},
        NotifierConfig(default_locale="en", quiet_hours=None, admins=(ADMIN_EMAIL,)),
        clock=clock,
    )
    handlers = DueHandlers()
    notifier.register(handlers)
    register_participation(handlers, database, notifier)
    routines = register_matching(handlers, database, notifier)
    runner = DueRunner(notifier.queue, handlers, clock=clock)
    ticker = Ticker(runner, routines, timezone="Europe/Paris")
    conversation = Conversation(database, CONFIG, clock=clock)
    return World(database, conversation, channel, runner, ticker=ticker, clock=clock)


async def add_program(database: Database, slug: str = "rm-2027", **rules: object) -> int:
    async with database.unit_of_work() as session:
        program = Program(
            slug=slug, name=f"Program {slug}", timezone="Europe/Paris",
            starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), status="open",
            rules=dict(rules), proposal_expiry_days=7,
        )  # fmt: skip
        session.add(program)
        await session.flush()
        return program.id


async def add_member(
    w: World, user: str, *, first: str, role: str, stage: str, department: str,
    offers: Sequence[str] = (), wants: Sequence[str] = (), email: str | None = None,
    manager_id: str | None = None,
) -> str:  # fmt: skip
    """An imported person with a Slack identity and an active enrollment."""
    async with w.database.unit_of_work() as session:
        stage_id = await session.scalar(select(CareerStage.id).where(CareerStage.key == stage))
        person = Person(
            email=email or f"{first.lower()}@acme.example", first_name=first, last_name="Test",
            locale="en", timezone="Europe/Paris", languages=["fr", "en"],
            department=department, career_stage_id=stage_id, manager_id=manager_id,
            title="Director" if role == "mentee" else "Marketing assistant",
        )  # fmt: skip
        session.add(person)
        await session.flush()
        session.add(PlatformIdentity(person_id=person.id, platform="slack", tenant_id="T1",
                                     user_id=user))  # fmt: skip
        session.add(
            Enrollment(
                program_id=w.program_id, person_id=person.id, role=role, status="active",
                skills_offered=[{"skill": k, "level": 4} for k in offers],
                skills_wanted=[{"skill": k, "level": 1} for k in wants],
                languages=["fr", "en"], capacity=1, goals=f"{first}'s goals",
            )
        )  # fmt: skip
        w.users[person.id] = user
        return person.id


async def admin(w: World) -> str:
    """The program team: a deployment admin by email (TANDEM_ADMINS)."""
    async with w.database.unit_of_work() as session:
        person = Person(email=ADMIN_EMAIL, first_name="Rh", last_name="Team", locale="en")
        session.add(person)
        await session.flush()
        session.add(PlatformIdentity(person_id=person.id, platform="slack", tenant_id="T1",
                                     user_id="UADMIN", email=ADMIN_EMAIL))  # fmt: skip
        w.admin_id = person.id
        return person.id


def button(message: Message, action: str) -> Button:
    found = [b for b in buttons(message) if b.action == action]
    assert found, f"no {action} button in {words([message])!r}"
    return found[0]


def later(days: float) -> datetime:
    """``days`` after the test clock's start (the clock itself does not move)."""
    return T0 + timedelta(days=days)


def done_message(outcome: Outcome) -> Message:
    """The message a form submission ended with (inside its acknowledgement)."""
    assert isinstance(outcome.form_answer, Done), outcome.form_answer
    assert outcome.form_answer.message is not None
    return outcome.form_answer.message


def field_errors(outcome: Outcome) -> dict[str, str]:
    assert isinstance(outcome.form_answer, FieldErrors), outcome.form_answer
    return outcome.form_answer.errors
