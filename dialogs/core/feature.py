"""A feature bundles its flows with the commands and buttons that reach them, and its jobs.

The conversation core looks commands and button actions up here, and the server registers
each feature's due-action handlers through ``jobs``, so a new capability is a new package
in ``dialogs/`` whose Feature is listed in ``dialogs/capabilities.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from dialogs.core.commands import Command
from dialogs.core.events import Inbound, Outcome
from dialogs.core.flow import Flow, FlowContext
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.routines import Routine

if TYPE_CHECKING:  # the notifier presents messages with the core: only a type here
    from dialogs.notify.notifier import Notifier


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

# Registers a feature's due-action handlers; returns the cron routines it adds, if any.
Jobs: TypeAlias = "Callable[[DueHandlers, Database, Notifier], Sequence[Routine] | None]"


@dataclass(frozen=True)
class Feature:
    name: str
    flows: tuple[Flow, ...] = ()
    # Canonical English words; admin commands as "admin <word>" (e.g. "admin program").
    commands: Mapping[str, Handler] = field(default_factory=dict)
    actions: Mapping[str, Handler] = field(default_factory=dict)  # button actions without ref
    # Due-action handlers (and routines) the server and the tests register for this feature
    jobs: Jobs | None = None
    # Declared once, checked and audited by the core before dispatch: the button actions
    # (keys of ``actions``) and the flows (their forms and card buttons) only admins reach.
    # "admin <word>" commands are admin-only by the grammar. Which program an admin may
    # touch stays the handler's check (``ctx.administers``).
    admin_actions: frozenset[str] = frozenset()
    admin_flows: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if unknown := self.admin_actions - set(self.actions):
            raise ValueError(f"{self.name}: admin actions it does not handle: {sorted(unknown)}")
        if unknown := self.admin_flows - {f.name for f in self.flows}:
            raise ValueError(f"{self.name}: admin flows it does not have: {sorted(unknown)}")
