"""A flow is an explicit state machine: named steps, each with its form and its transitions.

Each step renders a form from the flow's data and turns a submission into a ``Transition``:
field errors (stay), the next step, or the end. The engine persists the state between
steps, so a reader sees a whole flow in one screen and any replica can continue it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.sessions.calendar_access import CalendarKeys
from dialogs.core.i18n import Translator
from dialogs.core.ui import ActionRef, FieldValue, Form, Message
from storage.models import Person


@dataclass
class FlowContext:
    session: AsyncSession
    person: Person
    locale: str
    t: Translator
    clock: Clock  # business time: ``ctx.now()`` wherever a flow needs "now"
    is_admin: bool = False
    # The programs a program admin runs; None: every program (TANDEM_ADMINS) or not an admin.
    admin_of: frozenset[int] | None = None
    deployment_admins: tuple[str, ...] = ()  # TANDEM_ADMINS: who reads what (storage.people.admins)
    calendar: CalendarKeys | None = None  # calendar links (dialogs/sessions/calendar.py)

    def now(self) -> datetime:
        return self.clock.now()

    def administers(self, program_id: int) -> bool:
        """May run admin commands on this program: deployment admins on all, program admins
        on theirs."""
        return self.is_admin and (self.admin_of is None or program_id in self.admin_of)


@dataclass(frozen=True)
class Transition:
    """What a submission leads to. ``errors`` keeps the step; ``next_step`` None ends the flow."""

    next_step: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    message: Message | None = None  # shown when the flow ends


FormBuilder = Callable[[FlowContext, Mapping[str, Any], ActionRef], Form]
SubmitHandler = Callable[
    [FlowContext, Mapping[str, Any], Mapping[str, FieldValue]], Awaitable[Transition]
]
CardBuilder = Callable[[FlowContext, Mapping[str, Any], ActionRef], Message]
ActionHandler = Callable[[FlowContext, Mapping[str, Any], str, str], Awaitable[Transition]]


@dataclass(frozen=True)
class Step:
    """A step is answered either through a form (``form`` + ``submit``) or through the
    buttons of a card (``card`` + ``act``, called with the button's action and value)."""

    name: str
    form: FormBuilder | None = None
    submit: SubmitHandler | None = None
    card: CardBuilder | None = None
    act: ActionHandler | None = None


@dataclass(frozen=True)
class Flow:
    name: str
    first_step: str
    steps: Mapping[str, Step]
    # A filled-in instance's data, so that every step can be previewed (the platform-limit
    # test renders each step with it on Slack, Teams and the console).
    example: Mapping[str, Any] = field(default_factory=dict)

    def step(self, name: str) -> Step:
        return self.steps[name]


def text_value(values: Mapping[str, FieldValue], name: str) -> str:
    value = values.get(name)
    if isinstance(value, tuple):
        return value[0] if value else ""
    return (value or "").strip()


def list_value(values: Mapping[str, FieldValue], name: str) -> tuple[str, ...]:
    value = values.get(name)
    if value is None or value == "":
        return ()
    return value if isinstance(value, tuple) else (value,)
