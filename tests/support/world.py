"""A world wired as the server wires it: the real core, a recording channel, the notifier and
the participation and matching jobs on a due runner, all on the fixed test clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.clock import Ticker
from bot.domain.clock import ManualClock
from dialogs.capabilities import register_due
from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.core.events import Actor, Inbound, Outcome
from dialogs.core.ui import Button, Form
from dialogs.matching.admin import MATCHING
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.participation.feature import PARTICIPATION
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import CareerStage, Enrollment, Person, PlatformIdentity
from tests.support.channels import RecordingChannel
from tests.support.clock import T0, fixed_clock
from tests.support.driver import ADMIN_EMAIL

# The program team: by email, and by the Slack user ids the tests give their admins.
CONFIG = ConversationConfig(
    default_locale="en", admins=(ADMIN_EMAIL, "UADMIN", "U0ADMIN"), slack_team_ids=("T1",)
)


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


async def world(database: Database, *, every_feature: bool = False) -> World:
    """``every_feature``: all features' due actions and routines, as the server registers
    them (else participation and matching only)."""
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
    if every_feature:
        routines = register_due(handlers, database, notifier)
    else:
        PARTICIPATION.register(handlers, database, notifier)
        routines = MATCHING.register(handlers, database, notifier)
    runner = DueRunner(notifier.queue, handlers, clock=clock)
    ticker = Ticker(runner, routines, timezone="Europe/Paris")
    conversation = Conversation(database, CONFIG, clock=clock)
    return World(database, conversation, channel, runner, ticker=ticker, clock=clock)


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


def later(days: float) -> datetime:
    """``days`` after the test clock's start (the clock itself does not move)."""
    return T0 + timedelta(days=days)
