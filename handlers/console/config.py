"""The console's configuration, given by the entry module (handlers never import bot/)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.loopback import is_loopback
from storage.due_runner import Handler


class MovableClock(Protocol):
    """The demo's business clock, moved forward from the console's clock control."""

    def now(self) -> datetime: ...

    async def load(self) -> datetime: ...

    async def advance(self, delta: timedelta) -> datetime: ...


@dataclass(frozen=True)
class ConsoleConfig:
    enabled: bool  # TANDEM_CONSOLE (on in `tandem demo`)
    host: str  # the address the server binds: the console refuses anything but loopback
    tenant_id: str = "console"  # "demo" in demo mode: the PlatformIdentity tenant
    admins: tuple[str, ...] = ()  # TANDEM_ADMINS: emails or ids flagged as admins in the list
    default_timezone: str = "Europe/Paris"
    default_locale: str = "fr"
    # Demo mode only: the clock control that moves business time and drains what fell due.
    demo_clock: MovableClock | None = None
    due_handlers: Mapping[str, Handler] = field(default_factory=dict)

    @property
    def servable(self) -> bool:
        return self.enabled and is_loopback(self.host)
