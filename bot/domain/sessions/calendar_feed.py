"""A person's sessions as iCalendar (RFC 5545), and "add to calendar" links, from plain values.

Calendar applications match an event by its UID and keep the copy with the highest
SEQUENCE, so a session keeps one UID for life (``tandem-checkin-<id>@<host>``) and the
check-in's ``sequence`` is bumped on every change; a session that will not take place stays
in the feed as STATUS:CANCELLED, so an event already imported is removed rather than left
behind. Times are written in the series' zone (DTSTART;TZID=…) with its VTIMEZONE, so a
calendar shows the pair's wall time even across clock changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event

PRODID = "-//Tandem//Reverse mentoring sessions//EN"
# What the feed shows of each status: sessions that will not (or did not) take place as
# planned are CANCELLED; those held, missed or disputed stay where they were.
CONFIRMED_STATUSES = frozenset({"planned", "held", "missed", "disputed"})
CANCELLED_STATUSES = frozenset({"cancelled", "skipped", "rescheduled"})
# Calendars re-fetch a subscribed feed at their own pace; this asks for about an hour.
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class CalendarSession:
    """One session as a calendar sees it; ``summary`` is already in the reader's words."""

    check_in_id: int
    start: datetime  # aware
    duration_minutes: int
    sequence: int
    cancelled: bool
    summary: str
    zone: str | None = None  # the series' IANA zone; None: written in UTC

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_minutes)


def listed(status: str, confirmed_at: datetime | None) -> bool | None:
    """Whether a check-in in ``status`` is cancelled in calendars (True), confirmed (False),
    or not shown at all (None: slots only proposed, never agreed)."""
    if status in CONFIRMED_STATUSES:
        return False
    if status in CANCELLED_STATUSES:
        return True
    # ``proposed`` again after being confirmed (new slots asked for): the old time is gone.
    return True if confirmed_at is not None else None


def event_uid(check_in_id: int, host: str) -> str:
    return f"tandem-checkin-{check_in_id}@{host}"


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _event(session: CalendarSession, host: str, stamp: datetime) -> Event:
    zone = _zone(session.zone)
    event = Event()
    event.add("uid", event_uid(session.check_in_id, host))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", session.start.astimezone(zone))
    event.add("dtend", session.end.astimezone(zone))
    event.add("sequence", session.sequence)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if session.cancelled else "OPAQUE")
    event.add("summary", session.summary)
    return event


def calendar(
    sessions: Iterable[CalendarSession], *, host: str, name: str, stamp: datetime
) -> Calendar:
    """The VCALENDAR for these sessions, with a VTIMEZONE for each zone they use.

    ``stamp`` (now) is each event's DTSTAMP: when this copy was made; SEQUENCE orders
    the changes."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    days: list[date] = []
    for session in sorted(sessions, key=lambda s: (s.start, s.check_in_id)):
        cal.add_component(_event(session, host, stamp))
        days += [session.start.date(), session.end.date()]
    if days:
        # Only the transitions around these sessions: a whole zone's history is kilobytes.
        cal.add_missing_timezones(
            first_date=min(days) - timedelta(days=1), last_date=max(days) + timedelta(days=2)
        )
    return cal


def ics(sessions: Iterable[CalendarSession], *, host: str, name: str, stamp: datetime) -> bytes:
    body: bytes = calendar(sessions, host=host, name=name, stamp=stamp).to_ical()
    return body


def _utc_compact(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# Spaces as %20: a "+" means a space only in form encoding, which a deep link need not use.
def google_link(session: CalendarSession) -> str:
    """Google Calendar's "create event" page, times in UTC, shown in the series' zone."""
    query = {
        "action": "TEMPLATE",
        "text": session.summary,
        "dates": f"{_utc_compact(session.start)}/{_utc_compact(session.end)}",
    }
    if session.zone:
        query["ctz"] = session.zone
    return "https://calendar.google.com/calendar/render?" + urlencode(query, quote_via=quote)


def outlook_link(session: CalendarSession) -> str:
    """Outlook on the web's compose deep link; ISO 8601 instants in UTC."""
    iso = "%Y-%m-%dT%H:%M:%SZ"
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": session.summary,
        "startdt": session.start.astimezone(UTC).strftime(iso),
        "enddt": session.end.astimezone(UTC).strftime(iso),
    }
    return "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(
        query, quote_via=quote
    )
