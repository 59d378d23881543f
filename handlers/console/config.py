"""The console's configuration, given by the entry module (handlers never import bot/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.loopback import is_loopback
from storage.due_runner import DrainReport


class MovableClock(Protocol):
    """The demo's business time, moved forward from the console's clock control."""

    async def load(self) -> datetime: ...

    async def forward(self, delta: timedelta) -> tuple[datetime, DrainReport]:
        """Move forward, running what falls due on the way: where it stands, what ran."""
        ...


@dataclass(frozen=True)
class ConsoleConfig:
    enabled: bool  # TANDEM_CONSOLE (on in `tandem demo`)
    host: str  # the address the server binds: the console refuses anything but loopback
    tenant_id: str = "console"  # "demo" in demo mode: the PlatformIdentity tenant
    admins: tuple[str, ...] = ()  # TANDEM_ADMINS: emails or ids flagged as admins in the list
    default_timezone: str = "Europe/Paris"
    default_locale: str = "fr"
    # Demo mode only: the clock control that moves business time and runs what fell due.
    demo_clock: MovableClock | None = None

    @property
    def servable(self) -> bool:
        return self.enabled and is_loopback(self.host)
