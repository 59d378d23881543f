"""The fake Slack workspace's people, for ``users.info`` and ``users.lookupByEmail``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass
class FakeUser:
    """One person in the fake workspace's directory (``users.info``, ``users.lookupByEmail``)."""

    id: str
    name: str
    email: str
    tz: str = "Europe/Paris"
    locale: str = "fr-FR"
    real_name: str = ""
    is_bot: bool = False
    deleted: bool = False

    def as_slack(self, team_id: str, *, include_locale: bool) -> dict[str, Any]:
        offset = datetime.now(UTC).astimezone(ZoneInfo(self.tz)).utcoffset()
        real_name = self.real_name or self.name.title()
        user: dict[str, Any] = {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": real_name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": {"email": self.email, "real_name": real_name, "display_name": self.name},
        }
        if include_locale:
            user["locale"] = self.locale
        return user


DEFAULT_USERS = (
    FakeUser("U0ALICE01", "alice", "alice@example.com", "Europe/Paris", "fr-FR", "Alice Martin"),
    FakeUser("U0BOB0002", "bob", "bob@example.com", "America/New_York", "en-US", "Bob Smith"),
)
