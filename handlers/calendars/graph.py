"""Microsoft Graph free/busy: ``POST /users/{id}/calendar/getSchedule`` with an app-only
token (client credentials). Only the start, end and status of each item are read: the
answer also carries subjects and locations, which are dropped here and never go further.

Limits from Graph's documentation: at most 20 schedules per call, windows under 62 days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from bot.domain.sessions.busy import Answer, Busy, FreeBusy, Reason, Unreadable, WorkingHours
from handlers.calendars.http import (
    AppToken,
    ProviderError,
    TokenRejected,
    batches,
    post_json,
    with_token,
)

BATCH = 20
WINDOW = timedelta(days=61)  # Graph refuses 62 days or more
BUSY_STATUSES = frozenset({"busy", "oof", "tentative"})
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class GraphConfig:
    tenant_id: str
    client_id: str
    client_secret: str
    login_url: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com/v1.0"


class GraphCalendar:
    provider = "graph"

    def __init__(self, http: aiohttp.ClientSession, config: GraphConfig) -> None:
        self.http, self.config = http, config
        self.token = AppToken(self._fetch_token)

    async def _fetch_token(self) -> tuple[str, float]:
        config = self.config
        form = {
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "scope": "https://graph.microsoft.com/.default",
            "grant_type": "client_credentials",
        }
        url = f"{config.login_url}/{quote(config.tenant_id)}/oauth2/v2.0/token"
        try:
            answer = await post_json(self.http, url, form=form, deadline=float("inf"))
        except TokenRejected as exc:
            raise ProviderError("denied", "the app's credentials were refused") from exc
        return str(answer["access_token"]), float(answer.get("expires_in", 3599))

    async def read(
        self, emails: Sequence[str], start: datetime, end: datetime, *, deadline: float
    ) -> dict[str, Answer]:
        found: dict[str, list[Busy]] = {e.lower(): [] for e in emails}
        hours: dict[str, WorkingHours | None] = {}
        failed: dict[str, Reason] = {}
        for batch in batches(emails, BATCH):
            for window_start, window_end in _windows(start, end):
                answer = await self._schedule(batch, window_start, window_end, deadline)
                for item in answer.get("value", []):
                    read = schedule_of(item)
                    if read.email not in found:
                        continue
                    if isinstance(read, Unreadable):
                        failed[read.email] = read.reason
                        continue
                    found[read.email].extend(read.busy)
                    hours.setdefault(read.email, read.working_hours)
        return {
            email: Unreadable(email, self.provider, failed[email])
            if email in failed
            else FreeBusy(email, self.provider, tuple(sorted(busy)), hours.get(email))
            for email, busy in found.items()
        }

    async def _schedule(
        self, batch: tuple[str, ...], start: datetime, end: datetime, deadline: float
    ) -> Any:
        body = {
            "schedules": list(batch),
            "startTime": {"dateTime": _naive_utc(start), "timeZone": "UTC"},
            "endTime": {"dateTime": _naive_utc(end), "timeZone": "UTC"},
            "availabilityViewInterval": 15,
        }
        url = f"{self.config.graph_url}/users/{quote(batch[0])}/calendar/getSchedule"

        async def call(token: str) -> Any:
            headers = {"Authorization": f"Bearer {token}", "Prefer": 'outlook.timezone="UTC"'}
            return await post_json(self.http, url, json=body, headers=headers, deadline=deadline)

        return await with_token(self.token, call)


def _windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    out = []
    while start < end:
        out.append((start, min(end, start + WINDOW)))
        start += WINDOW
    return out


def _naive_utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def schedule_of(item: Mapping[str, Any]) -> FreeBusy | Unreadable:
    """One ``scheduleInformation`` of the answer: its busy intervals and working hours only."""
    email = str(item.get("scheduleId", "")).lower()
    if "error" in item:
        return Unreadable(email, GraphCalendar.provider, _reason(item["error"]))
    busy = tuple(sorted(_busy(item.get("scheduleItems", []))))
    return FreeBusy(email, GraphCalendar.provider, busy, _working_hours(item.get("workingHours")))


def _reason(error: Mapping[str, Any]) -> Reason:
    code = str(error.get("responseCode", ""))
    if "NotFound" in code:
        return "not_found"
    if "Denied" in code or "Unauthorized" in code:
        return "denied"
    return "error"


def _busy(items: Sequence[Mapping[str, Any]]) -> list[Busy]:
    out = []
    for item in items:
        if str(item.get("status", "")).lower() not in BUSY_STATUSES:
            continue
        out.append(Busy(_instant(item["start"]), _instant(item["end"])))
    return out


def _instant(value: Mapping[str, Any]) -> datetime:
    """Graph's ``dateTimeTimeZone``: a naive time with seven decimals and a zone name."""
    text = str(value["dateTime"])[:26]
    naive = datetime.fromisoformat(text)
    zone = iana(str(value.get("timeZone", "UTC"))) or "UTC"
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def iana(name: str) -> str | None:
    """An IANA zone for a Windows zone name ("Romance Standard Time") or an IANA one."""
    if name.upper() in ("UTC", "Z"):
        return "UTC"
    candidate = str(WINDOWS_TO_OLSON.get(name, name))
    try:
        ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return candidate


def _working_hours(value: Mapping[str, Any] | None) -> WorkingHours | None:
    if not value:
        return None
    zone = iana(str((value.get("timeZone") or {}).get("name", "")))
    days = frozenset(DAYS.index(d) for d in value.get("daysOfWeek", []) if d in DAYS)
    try:
        start = time.fromisoformat(str(value["startTime"])[:8])
        end = time.fromisoformat(str(value["endTime"])[:8])
    except (KeyError, ValueError):
        return None
    if zone is None or not days:
        return None
    return WorkingHours(days, start, end, zone)
