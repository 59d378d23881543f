"""People, a program and a wired notifier + due runner for the participation tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from dialogs.core.content import Paragraph
from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.core.events import Actor, Inbound, Outcome, Platform
from dialogs.core.ui import Button, Facts, Header, Message, MessageRef, Section
from dialogs.notify.delivery import Recipient
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.participation.jobs import register_due_handlers
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import CareerStage, Enrollment, Pairing, Person, PlatformIdentity, Program
from tests.support.clock import fixed_clock

ADMIN_EMAIL = "rh@acme.example"
CONFIG = ConversationConfig(default_locale="en", admins=(ADMIN_EMAIL, "U0ADMIN"),
                            slack_team_ids=("T1",))  # fmt: skip


class RecordingChannel:
    """A ChatChannel (our own protocol) that records what it delivers."""

    platform: Platform = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, Message]] = []

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        self.sent.append((recipient, message))
        return MessageRef("slack", f"D-{recipient.user_id}", str(len(self.sent)))

    async def update(self, ref: MessageRef, message: Message) -> None:
        raise AssertionError("not used")

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        raise AssertionError("not used")

    def to(self, person_id: str) -> list[Message]:
        return [m for r, m in self.sent if r.person_id == person_id]


@dataclass
class World:
    database: Database
    conversation: Conversation
    channel: RecordingChannel
    runner: DueRunner
    program_id: int = 0
    people: dict[str, str] = field(default_factory=dict)  # slack user id -> person id

    async def say(self, user: str, text: str) -> Outcome:
        return await self.conversation.handle(Inbound(actor(user), "command", text=text))

    async def click(self, user: str, button: Button) -> Outcome:
        return await self.conversation.handle(
            Inbound(actor(user), "action", action=button.action, value=button.value, ref=button.ref)
        )


def actor(user: str) -> Actor:
    return Actor("slack", "T1", user, locale_hint="en-US", display_name=f"Person {user}")


async def world(database: Database) -> World:
    channel = RecordingChannel()
    notifier = Notifier(database, {"slack": channel},
                        NotifierConfig(default_locale="en", quiet_hours=None,
                                       admins=(ADMIN_EMAIL,)), clock=fixed_clock())  # fmt: skip
    handlers = DueHandlers()
    notifier.register(handlers)
    register_due_handlers(handlers, database, notifier)
    return World(database, Conversation(database, CONFIG, clock=fixed_clock()), channel,
                 DueRunner(notifier.queue, handlers, clock=fixed_clock()))  # fmt: skip


async def add_program(database: Database, slug: str = "rm-2027", status: str = "open") -> int:
    async with database.unit_of_work() as session:
        program = Program(slug=slug, name=f"Program {slug}", timezone="Europe/Paris",
                          starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
                          status=status)  # fmt: skip
        session.add(program)
        await session.flush()
        return program.id


async def add_person(
    database: Database, user: str, email: str, *, first: str, stage: str | None = None,
    department: str | None = None, slack: bool = True,
) -> str:  # fmt: skip
    async with database.unit_of_work() as session:
        stage_id = None
        if stage is not None:
            found = await session.scalar(select(CareerStage.id).where(CareerStage.key == stage))
            assert found is not None, f"no career stage {stage}"
            stage_id = found
        person = Person(email=email, first_name=first, last_name="Test", locale="en",
                        timezone="Europe/Paris", languages=["en"], department=department,
                        career_stage_id=stage_id)  # fmt: skip
        session.add(person)
        await session.flush()
        if slack:
            session.add(PlatformIdentity(person_id=person.id, platform="slack", tenant_id="T1",
                                         user_id=user))  # fmt: skip
        return person.id


async def enroll(database: Database, person_id: str, program_id: int, status: str = "active",
                 role: str = "mentor") -> int:  # fmt: skip
    async with database.unit_of_work() as session:
        enrollment = Enrollment(program_id=program_id, person_id=person_id, role=role,
                                status=status)  # fmt: skip
        session.add(enrollment)
        await session.flush()
        return enrollment.id


async def pair(database: Database, program_id: int, mentor: str, mentee: str) -> int:
    async with database.unit_of_work() as session:
        pairing = Pairing(program_id=program_id, mentor_id=mentor, mentee_id=mentee)
        session.add(pairing)
        await session.flush()
        return pairing.id


def words(messages: Sequence[Message | None]) -> str:
    text: list[str] = []
    for message in messages:
        if message is None:
            continue
        for block in message.blocks:
            if isinstance(block, Header):
                text.append(block.text)
            if isinstance(block, Section):
                text += [p.plain() for p in block.paragraphs]
            if isinstance(block, Facts):
                text += [f"{label} {value.plain()}" for label, value in block.items]
    return "\n".join(text)


def buttons(message: Message) -> list[Button]:
    return [b for block in message.blocks for b in getattr(block, "buttons", ())]


def paragraphs(message: Message) -> list[Paragraph]:
    return [p for b in message.blocks if isinstance(b, Section) for p in b.paragraphs]
