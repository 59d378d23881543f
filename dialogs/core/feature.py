"""A feature bundles its flows with the commands and buttons that reach them, and the due
actions and routines it handles.

The conversation core looks commands and button actions up here, and the server registers
each feature's due-action handlers (``due``) and routines, so a new capability is a new
package in ``dialogs/`` whose Feature is listed in ``dialogs/capabilities.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.domain.due import DueKind
from dialogs.core.commands import Command
from dialogs.core.events import Inbound, Outcome
from dialogs.core.flow import Flow, FlowContext
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.queue import ClaimedAction
from storage.routines import Routine

if TYPE_CHECKING:  # the notifier presents messages with the core: only a type here
    from dialogs.notify.notifier import Notifier, Outdated


class FlowStarter(Protocol):
    async def __call__(
        self, flow: str, *, opener: str, data: Mapping[str, Any] | None = None
    ) -> Outcome:
        """Show the flow's first (or resumed) step: a form, or a card with buttons.

        ``opener`` is the button action that opens it again when the platform cannot open a
        form right now (a typed word in Slack has no trigger)."""
        ...


@dataclass
class Turn:
    """One inbound event, as a command or action handler sees it."""

    ctx: FlowContext
    inbound: Inbound
    start: FlowStarter
    command: Command | None = None

    def reply(self, *messages: Any, **fields: Any) -> Outcome:
        return Outcome(self.ctx.locale, messages=tuple(messages), **fields)


Handler = Callable[[Turn], Awaitable[Outcome]]


@dataclass(frozen=True)
class DueContext:
    """What a due-action handler gets beside its payload."""

    database: Database
    notifier: Notifier
    key: str  # the action's idempotency key: the keys of what it queues derive from it
    due_at: datetime


# ``async def handler(due: DueContext, payload: <the kind's payload>) -> None``; the registry
# test checks that each handler takes its kind's payload type.
DueHandler = Callable[[DueContext, Any], Awaitable[None]]


@dataclass(frozen=True)
class Recurring:
    """A cron routine: ``trigger`` holds CronTrigger arguments; it runs as the due action
    ``routine.<name>``, with no payload."""

    name: str
    trigger: Mapping[str, Any]
    run: Callable[[DueContext], Awaitable[None]]


@dataclass(frozen=True)
class Feature:
    name: str
    flows: tuple[Flow, ...] = ()
    # Canonical English words; admin commands as "admin <word>" (e.g. "admin program").
    commands: Mapping[str, Handler] = field(default_factory=dict)
    actions: Mapping[str, Handler] = field(default_factory=dict)  # button actions without ref
    # The due actions this feature handles (each kind handled by exactly one feature) and
    # its cron routines; the server and the tests register them with ``register``.
    due: Mapping[DueKind[Any], DueHandler] = field(default_factory=dict)
    routines: tuple[Recurring, ...] = ()
    # Checks, by notification type, that a queued message of this feature no longer applies
    # to its reader when it falls due (the notifier then does not send it).
    outdated: Mapping[str, Outdated] = field(default_factory=dict)
    # Declared once, checked and audited by the core before dispatch: the button actions
    # (keys of ``actions``) and the flows (their forms and card buttons) only admins reach.
    # "admin <word>" commands are admin-only by the grammar. Which program an admin may
    # touch stays the handler's check (``ctx.administers``).
    admin_actions: frozenset[str] = frozenset()
    admin_flows: frozenset[str] = frozenset()
    # Commands and button actions (keys of ``commands`` / ``actions``) that only read: the
    # core runs them without taking SQLite's write lock (they may still write, rarely).
    read_only_commands: frozenset[str] = frozenset()
    read_only_actions: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if unknown := self.admin_actions - set(self.actions):
            raise ValueError(f"{self.name}: admin actions it does not handle: {sorted(unknown)}")
        if unknown := self.read_only_commands - set(self.commands):
            raise ValueError(f"{self.name}: read-only commands it does not have: {unknown}")
        if unknown := self.read_only_actions - set(self.actions):
            raise ValueError(f"{self.name}: read-only actions it does not handle: {unknown}")
        if unknown := self.admin_flows - {f.name for f in self.flows}:
            raise ValueError(f"{self.name}: admin flows it does not have: {sorted(unknown)}")

    def register(
        self, handlers: DueHandlers, database: Database, notifier: Notifier
    ) -> list[Routine]:
        """Add this feature's due-action handlers; the routines to give the clock."""
        notifier.outdated.update(self.outdated)
        for kind, handler in self.due.items():
            handlers.register(kind.name)(_bound(kind, handler, database, notifier))
        return [
            Routine(r.name, r.trigger, _routine(r.run, database, notifier)) for r in self.routines
        ]


def _bound(
    kind: DueKind[Any], handler: DueHandler, database: Database, notifier: Notifier
) -> Callable[[ClaimedAction], Awaitable[None]]:
    async def run(action: ClaimedAction) -> None:
        due = DueContext(database, notifier, action.idempotency_key, action.due_at)
        await handler(due, kind.load(action.payload))

    return run


def _routine(
    run: Callable[[DueContext], Awaitable[None]], database: Database, notifier: Notifier
) -> Callable[[ClaimedAction], Awaitable[None]]:
    async def fire(action: ClaimedAction) -> None:
        await run(DueContext(database, notifier, action.idempotency_key, action.due_at))

    return fire
