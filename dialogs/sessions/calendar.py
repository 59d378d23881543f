"""Sessions in people's own calendars: each person's private feed, a confirmed session's links.

- ``calendar_file``: the body of ``GET /calendar/{token}.ics`` (None → 404), every session
  of the reader's pairings, named in the reader's language after the partner; and of
  ``GET /calendar/{token}/{check_in_id}.ics``, one session to import once.
- ``calendar_links`` and ``calendar_block``: what a message about a confirmed session
  appends (Outlook, Google, the ``.ics`` file and the subscription to the whole feed);
  ``private_calendar`` + ``calendar_paragraphs`` the same for a queued notification, whose
  presenter has no keys.

The token says who reads (``CalendarKeys``); the database says whether they still may
(``feed_open``). A token we did not make, or one whose pairings are over, gets the same
``None`` so the server's 404 says nothing about which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.sessions.calendar_access import CalendarKeys, feed_open, session_url
from bot.domain.sessions.calendar_access import feed_url as own_feed_url
from bot.domain.sessions.calendar_feed import (
    CalendarSession,
    google_link,
    ics,
    listed,
    outlook_link,
)
from dialogs.core.content import Link, Paragraph, Text
from dialogs.core.i18n import LOCALES, Translator, negotiate
from storage.db import Database
from storage.sessions.calendar import PersonCalendar, person_calendar


class SessionTimes(Protocol):
    """What links need of a check-in (``storage.models.CheckIn`` has it)."""

    @property
    def id(self) -> int: ...
    @property
    def scheduled_at(self) -> datetime: ...
    @property
    def duration_minutes(self) -> int: ...
    @property
    def sequence(self) -> int: ...
    @property
    def zone(self) -> str | None: ...


@dataclass(frozen=True)
class CalendarLinks:
    ics: str  # this session alone, to import
    google: str
    outlook: str
    feed: str  # all the reader's sessions, to subscribe to


def session_title(t: Translator, partner_name: str | None) -> str:
    """The event's title: the partner's name and nothing else about anyone."""
    if partner_name:
        return t("Reverse mentoring with {name}", name=partner_name)
    return t("Reverse-mentoring session")


def feed_url(keys: CalendarKeys, person_id: str) -> str:
    return keys.feed_url(person_id)


def private_calendar(keys: CalendarKeys | None, person_id: str) -> str:
    """What a notification about a confirmed session carries for its reader, computed where
    the keys are (``ctx.calendar`` in a flow, ``notifier.config.calendar`` in a due
    handler) so that its presenter can call ``calendar_paragraphs``; "" without keys."""
    return keys.private_calendar(person_id) if keys is not None else ""


def _session(check_in: SessionTimes, summary: str, *, cancelled: bool) -> CalendarSession:
    return CalendarSession(
        check_in_id=check_in.id,
        start=check_in.scheduled_at,
        duration_minutes=check_in.duration_minutes,
        sequence=check_in.sequence,
        cancelled=cancelled,
        summary=summary,
        zone=check_in.zone,
    )


def _links(private: str, session: CalendarSession) -> CalendarLinks:
    return CalendarLinks(
        ics=session_url(private, session.check_in_id),
        google=google_link(session),
        outlook=outlook_link(session),
        feed=own_feed_url(private),
    )


def calendar_links(
    keys: CalendarKeys,
    check_in: SessionTimes,
    person_id: str,
    partner_name: str | None,
    locale: str,
) -> CalendarLinks:
    """The links ``person_id`` gets for a confirmed session, titled in their ``locale``."""
    session = _session(check_in, session_title(Translator(locale), partner_name), cancelled=False)
    return _links(keys.private_calendar(person_id), session)


def calendar_block(t: Translator, links: CalendarLinks) -> Paragraph:
    """A paragraph for the end of a confirmed (or moved) session's message."""
    return Paragraph(
        (
            Text(t("Add it to your calendar: ")),
            Link(links.outlook, "Outlook"),
            Text(" · "),
            Link(links.google, t("Google Calendar")),
            Text(" · "),
            Link(links.ics, t(".ics file")),
            Text(t(". Or ")),
            Link(links.feed, t("subscribe to your private calendar")),
            Text(t(": every session, kept up to date when one moves.")),
        )
    )


def calendar_paragraphs(
    t: Translator,
    private: str,
    check_in_id: int,
    starts_at: datetime | str,
    minutes: int,
    partner_name: str | None,
    zone: str | None = None,
) -> tuple[Paragraph, ...]:
    """For a presenter: the calendar block of a notification that carries ``private``
    (``private_calendar``) and the session's plain values; nothing when ``private`` is ""."""
    if not private:
        return ()
    start = datetime.fromisoformat(starts_at) if isinstance(starts_at, str) else starts_at
    session = CalendarSession(
        check_in_id=check_in_id,
        start=start,
        duration_minutes=minutes,
        sequence=0,
        cancelled=False,
        summary=session_title(t, partner_name),
        zone=zone,
    )
    return (calendar_block(t, _links(private, session)),)


def _reader_locale(calendar: PersonCalendar, default: str) -> str:
    if calendar.locale in LOCALES:
        return str(calendar.locale)
    return negotiate(calendar.platform_locales, default)


async def _readable(
    database: Database,
    keys: CalendarKeys,
    token: str,
    now: datetime,
    check_in_id: int | None = None,
) -> PersonCalendar | None:
    person_id = keys.person_of(token)
    if person_id is None:
        return None
    calendar = await person_calendar(database, person_id, check_in_id=check_in_id)
    if calendar is None or not feed_open(list(calendar.pairing_ends), now):
        return None
    return calendar


def _sessions(calendar: PersonCalendar, t: Translator) -> list[CalendarSession]:
    sessions = []
    for row in calendar.rows:
        cancelled = listed(row.status, row.confirmed_at)
        if cancelled is None:
            continue
        sessions.append(_session(row, session_title(t, row.partner_name), cancelled=cancelled))
    return sessions


async def calendar_file(
    database: Database,
    keys: CalendarKeys,
    token: str,
    *,
    check_in_id: int | None = None,
    now: datetime,
    default_locale: str,
) -> bytes | None:
    """The reader's whole calendar, or only ``check_in_id`` (to import once); None for an
    unknown token, a reader with no pairing any more, or a session not theirs or unagreed."""
    calendar = await _readable(database, keys, token, now, check_in_id)
    if calendar is None:
        return None
    t = Translator(_reader_locale(calendar, default_locale))
    sessions = _sessions(calendar, t)
    if check_in_id is not None and not sessions:
        return None
    return ics(sessions, host=keys.host, name=t("Reverse mentoring"), stamp=now)
