"""Google Calendar free/busy: ``freeBusy.query`` with the narrow ``calendar.freebusy``
scope, as a service account with domain-wide delegation acting as one user. The answer
holds busy intervals only (Google never sends subjects on this call).

Limits from Google's documentation: at most 50 calendars per query.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import jwt

from bot.domain.sessions.busy import Answer, Busy, FreeBusy, Reason, Unreadable
from handlers.calendars.http import (
    AppToken,
    ProviderError,
    TokenRejected,
    batches,
    post_json,
    with_token,
)

BATCH = 50
SCOPE = "https://www.googleapis.com/auth/calendar.freebusy"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True)
class GoogleConfig:
    credentials: Mapping[str, Any]  # the service account's JSON key file, parsed
    delegate: str  # the Workspace user the service account acts as
    api_url: str = "https://www.googleapis.com"

    @classmethod
    def from_file(cls, path: str, delegate: str, api_url: str | None = None) -> GoogleConfig:
        credentials = json.loads(Path(path).read_text(encoding="utf-8"))
        for key in ("client_email", "private_key", "token_uri"):
            if key not in credentials:
                raise ValueError(f"{path}: a service account key file has {key!r}")
        return cls(credentials, delegate, api_url or cls.api_url)


class GoogleCalendar:
    provider = "google"

    def __init__(self, http: aiohttp.ClientSession, config: GoogleConfig) -> None:
        self.http, self.config = http, config
        self.token = AppToken(self._fetch_token)

    async def _fetch_token(self) -> tuple[str, float]:
        key = self.config.credentials
        issued = int(time.time())  # a protocol timestamp Google checks: the real clock
        claims = {
            "iss": key["client_email"],
            "sub": self.config.delegate,
            "scope": SCOPE,
            "aud": key["token_uri"],
            "iat": issued,
            "exp": issued + 3600,
        }
        headers = {"kid": key["private_key_id"]} if key.get("private_key_id") else None
        assertion = jwt.encode(claims, key["private_key"], algorithm="RS256", headers=headers)
        form = {"grant_type": GRANT, "assertion": assertion}
        try:
            answer = await post_json(
                self.http, str(key["token_uri"]), form=form, deadline=float("inf")
            )
        except (TokenRejected, ProviderError) as exc:
            raise ProviderError("denied", "the service account was refused") from exc
        return str(answer["access_token"]), float(answer.get("expires_in", 3599))

    async def read(
        self, emails: Sequence[str], start: datetime, end: datetime, *, deadline: float
    ) -> dict[str, Answer]:
        out: dict[str, Answer] = {}
        url = f"{self.config.api_url}/calendar/v3/freeBusy"
        for batch in batches(emails, BATCH):
            body = {
                "timeMin": _rfc3339(start),
                "timeMax": _rfc3339(end),
                "items": [{"id": email} for email in batch],
            }

            async def call(token: str, body: dict[str, Any] = body) -> Any:
                headers = {"Authorization": f"Bearer {token}"}
                return await post_json(
                    self.http, url, json=body, headers=headers, deadline=deadline
                )

            answer = await with_token(self.token, call)
            calendars = answer.get("calendars", {})
            for email in batch:
                entry = calendars.get(email)
                if entry is None:
                    out[email] = Unreadable(email, self.provider, "error")
                elif entry.get("errors"):
                    out[email] = Unreadable(email, self.provider, _reason(entry["errors"]))
                else:
                    busy = tuple(sorted(_busy(entry.get("busy", []))))
                    out[email] = FreeBusy(email, self.provider, busy)
        return out


def _rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reason(errors: Sequence[Mapping[str, Any]]) -> Reason:
    reasons = {str(e.get("reason", "")) for e in errors}
    if "notFound" in reasons:
        return "not_found"
    if reasons & {"forbidden", "accessDenied", "insufficientPermissions"}:
        return "denied"
    return "error"


def _busy(items: Sequence[Mapping[str, Any]]) -> list[Busy]:
    return [
        Busy(
            datetime.fromisoformat(str(i["start"])).astimezone(UTC),
            datetime.fromisoformat(str(i["end"])).astimezone(UTC),
        )
        for i in items
    ]
