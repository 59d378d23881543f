"""A confirmed session's "add to calendar" links: the right instants, whatever the zones."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from bot.domain.sessions.calendar_access import CalendarKeys
from bot.domain.sessions.lifecycle import SessionPlanned
from dialogs.core.content import Link
from dialogs.core.i18n import Translator
from dialogs.core.ui import Section
from dialogs.notify.presenters import present
from dialogs.sessions.calendar import (
    calendar_block,
    calendar_links,
    calendar_paragraphs,
    feed_url,
    private_calendar,
)
from storage.models import CheckIn
from tests.support.messages import words

pytestmark = pytest.mark.timeout(30)

KEYS = CalendarKeys("https://tandem.example.com", "links-test-secret")
READER = "a" * 32


def session(at: datetime, minutes: int = 45, zone: str = "Europe/Paris") -> CheckIn:
    return CheckIn(
        id=41, pairing_id=7, scheduled_at=at.astimezone(UTC), duration_minutes=minutes,
        status="planned", sequence=2, zone=zone, local_start=at.timetz().replace(tzinfo=None),
    )  # fmt: skip


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}


@pytest.mark.parametrize(
    ("local", "start_utc", "end_utc"),
    [
        # Paris still in winter time, Montréal already in summer time (an hour apart twice a year)
        (
            datetime(2027, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/Paris")),
            "20270316T090000Z",
            "20270316T094500Z",
        ),
        # after Paris moved its clocks: the same 10:00 is an hour earlier in UTC
        (
            datetime(2027, 3, 30, 10, 0, tzinfo=ZoneInfo("Europe/Paris")),
            "20270330T080000Z",
            "20270330T084500Z",
        ),
        # a session that crosses midnight UTC, anchored in Montréal
        (
            datetime(2027, 11, 8, 19, 30, tzinfo=ZoneInfo("America/Toronto")),
            "20271109T003000Z",
            "20271109T011500Z",
        ),
    ],
)
def test_google_and_outlook_links_decode_to_the_session_times(
    local: datetime, start_utc: str, end_utc: str
) -> None:
    zone = str(local.tzinfo)
    links = calendar_links(KEYS, session(local, zone=zone), READER, "Léa Martin", "fr")

    google = query(links.google)
    assert links.google.startswith("https://calendar.google.com/calendar/render?")
    assert google["action"] == "TEMPLATE"
    assert google["dates"] == f"{start_utc}/{end_utc}"
    assert google["ctz"] == zone
    assert google["text"] == "Mentorat inversé avec Léa Martin"
    assert "+" not in links.google  # spaces travel as %20

    outlook = query(links.outlook)
    assert links.outlook.startswith("https://outlook.office.com/calendar/0/deeplink/compose?")
    assert outlook["rru"] == "addevent"
    assert outlook["path"] == "/calendar/action/compose"
    start = datetime.fromisoformat(outlook["startdt"])
    end = datetime.fromisoformat(outlook["enddt"])
    assert start == local and start.utcoffset() is not None
    assert (end - start).total_seconds() == 45 * 60
    assert start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") == start_utc
    assert outlook["subject"] == "Mentorat inversé avec Léa Martin"


def test_links_are_titled_in_the_readers_language() -> None:
    at = datetime(2027, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    english = calendar_links(KEYS, session(at), READER, "Claire Dubois", "en")
    assert query(english.google)["text"] == "Reverse mentoring with Claire Dubois"
    assert query(english.outlook)["subject"] == "Reverse mentoring with Claire Dubois"


def test_the_ics_and_feed_links_are_the_readers_own_and_opaque() -> None:
    at = datetime(2027, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    links = calendar_links(KEYS, session(at), READER, "Léa Martin", "fr")
    token = KEYS.token(READER)
    assert (
        links.feed == feed_url(KEYS, READER) == f"https://tandem.example.com/calendar/{token}.ics"
    )
    assert links.ics == f"https://tandem.example.com/calendar/{token}/41.ics"
    assert READER not in links.feed
    assert KEYS.person_of(token) == READER
    assert feed_url(KEYS, "b" * 32) != links.feed


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("fr", "Ajoutez-la à votre agenda\u202f: Outlook · Google Agenda · fichier .ics."),
        ("en", "Add it to your calendar: Outlook · Google Calendar · .ics file."),
    ],
)
def test_the_block_offers_every_link_in_the_readers_words(locale: str, words: str) -> None:
    at = datetime(2027, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    links = calendar_links(KEYS, session(at), READER, "Léa Martin", locale)
    block = calendar_block(Translator(locale), links)
    assert block.plain().startswith(words)
    urls = {part.url for part in block.parts if isinstance(part, Link)}
    assert urls == {links.outlook, links.google, links.ics, links.feed}


def test_a_queued_notification_carries_what_its_presenter_needs_for_the_same_links() -> None:
    """A presenter has no keys: the notification carries the reader's private calendar."""
    at = datetime(2027, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    direct = calendar_links(KEYS, session(at), READER, "Léa Martin", "fr")
    private = private_calendar(KEYS, READER)
    (block,) = calendar_paragraphs(
        Translator("fr"), private, 41, at.astimezone(UTC).isoformat(), 45, "Léa Martin",
        "Europe/Paris",
    )  # fmt: skip
    urls = {part.url for part in block.parts if isinstance(part, Link)}
    assert urls == {direct.outlook, direct.google, direct.ics, direct.feed}
    # Without a key (a deployment's tests with a bare runtime) the message simply has none.
    assert private_calendar(None, READER) == ""
    assert calendar_paragraphs(Translator("en"), "", 41, at, 45, "Léa Martin") == ()


def test_the_next_session_planned_carries_the_readers_links() -> None:
    """After a held session, the notice of the next one has the same links (in the words
    of its reader), and none without keys."""
    at = datetime(2027, 3, 30, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    direct = calendar_links(KEYS, session(at), READER, "Léa Martin", "en")
    planned = SessionPlanned(41, (), at.astimezone(UTC).isoformat(), 45,
                             calendar=private_calendar(KEYS, READER))  # fmt: skip
    message = present(planned, Translator("en"), None, {})
    urls = {
        part.url
        for block in message.blocks
        if isinstance(block, Section)
        for paragraph in block.paragraphs
        for part in paragraph.parts
        if isinstance(part, Link)
    }
    assert {direct.ics, direct.feed} <= urls
    # (no partner given here: the add links carry the generic title, at the same times)
    assert any(
        u.startswith("https://outlook.office.com/")
        and "20270330T0800" not in u
        and "2027-03-30T08%3A00%3A00Z" in u
        for u in urls
    )
    assert any(u.startswith("https://calendar.google.com/") and "20270330T080000Z" in u
               for u in urls)  # fmt: skip
    bare = present(SessionPlanned(41, (), at.isoformat(), 45), Translator("en"), None, {})
    assert "Outlook" not in words(bare)
