"""`tandem demo`'s pair already under way, driven through the console as a newcomer does:
Laurent (Paris, French) finds his first slot card at once; Zoé (Montréal, English) finds
hers when her morning comes on the demo's clock; he picks, she confirms, both read the time
planned in their own zone and words, dated from the demo's time."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
from babel.dates import format_datetime
from sqlalchemy import select

from bot.domain import demo_organisation as demo
from storage.db import Database
from storage.models import CheckIn, Pairing, Person
from tests.console.test_demo_time import demo_server, forward, post
from tests.support.clock import T0

BUTTON = re.compile(
    r'<button type="button" class="[^"]*" data-action="([^"]*)" data-ref="([^"]*)" '
    r'data-value="([^"]*)"[^>]*>([^<]*)</button>'
)


async def person_id(database: Database, email: str) -> str:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Person.id).where(Person.email == email))
    assert found is not None
    return found


async def first_check_in(database: Database) -> CheckIn:
    """The session being scheduled for the demo's first pair (Zoé and Laurent); Laurent's
    second pair, with Justine, has its own."""
    zoe = await person_id(database, demo.ACTIVE_PAIR[0])
    async with database.unit_of_work() as session:
        return (
            await session.scalars(
                select(CheckIn)
                .join(Pairing, Pairing.id == CheckIn.pairing_id)
                .where(Pairing.mentor_id == zoe)
            )
        ).one()


def with_zoe(card: dict[str, str]) -> bool:
    return "Zoé Gauthier" in html.unescape(card["html"])


async def cards(http: aiohttp.ClientSession, url: str, person: str) -> list[dict[str, str]]:
    async with http.get(f"{url}/console/api/messages", params={"person_id": person}) as r:
        assert r.status == 200
        return [m for m in (await r.json())["messages"] if m["author"] != "person"]


async def click(
    http: aiohttp.ClientSession, url: str, person: str, card: dict[str, str], label: str
) -> None:
    found = [b for b in BUTTON.findall(card["html"]) if html.unescape(b[3]) == label]
    assert found, f"no button {label!r} in {card['html']}"
    action, ref, value, _ = (html.unescape(part) for part in found[0])
    body = {"person_id": person, "message_id": card["id"], "action": action, "value": value}
    await post(http, f"{url}/console/api/action", body | ({"ref": ref} if ref else {}))


async def test_the_demo_pair_schedules_its_first_session_on_the_demo_clock(
    database_url: str,
) -> None:
    async with demo_server(database_url) as (url, database), aiohttp.ClientSession() as http:
        zoe, laurent = [await person_id(database, e) for e in demo.ACTIVE_PAIR]
        async with database.unit_of_work() as session:
            assert await session.scalar(select(CheckIn)) is None
        moved = await forward(http, url, hours=1)
        assert moved["demo_now"] == (T0 + timedelta(hours=1)).isoformat()

        # Tuesday 13:00 in Paris: Laurent's card is there; it is 07:00 in Montréal, Zoé's
        # waits for the end of her quiet hours.
        [laurent_card] = [c for c in await cards(http, url, laurent)
                          if "Choisissez un horaire" in c["html"] and with_zoe(c)]  # fmt: skip
        assert not [c for c in await cards(http, url, zoe) if "horaire" in c["html"]]
        await forward(http, url, hours=1)
        [zoe_card] = [c for c in await cards(http, url, zoe) if "Pick a time" in c["html"]]
        assert "Laurent Dubois" in html.unescape(zoe_card["html"])

        offered = list((await first_check_in(database)).slots)
        paris, montreal = ZoneInfo("Europe/Paris"), ZoneInfo("America/Montreal")
        first = datetime.fromisoformat(offered[0])
        label = format_datetime(first.astimezone(paris), "EEE d MMM, HH:mm", locale="fr")
        await click(http, url, laurent, laurent_card, label)
        await forward(http, url, hours=1)  # (the demo's ticker delivers within seconds)
        [ask] = [c for c in await cards(http, url, zoe) if "Confirm your" in c["html"]]
        await click(http, url, zoe, ask, "Confirm")
        await forward(http, url, hours=1)

        for person, zone, words, locale in (
            (laurent, paris, "Votre première séance est planifiée", "fr"),
            (zoe, montreal, "Your first session is planned", "en"),
        ):
            told = " ".join(html.unescape(c["html"]) for c in await cards(http, url, person))
            assert words in told and "Outlook" in told and "/calendar/" in told
            assert format_datetime(first.astimezone(zone), "HH:mm", locale=locale) in told
        check_in = await first_check_in(database)
        assert check_in.status == "planned" and check_in.scheduled_at == first
        assert T0 < first < T0 + timedelta(days=15)


# Far ahead of any machine's clock, as `tandem demo`'s is once moved forward.
AHEAD = datetime(2101, 3, 1, 11, 0, tzinfo=UTC)  # a Tuesday


async def test_the_page_keeps_seeing_new_messages_when_the_demo_clock_is_ahead(
    database_url: str,
) -> None:
    """The console page polls with the cursor it was given. Once a card was closed on the
    demo's clock (ahead of the console's own), what came after still shows up: the cursor
    used to take the closing's time and hide every later message until a reload."""
    async with demo_server(database_url, AHEAD) as (url, database), aiohttp.ClientSession() as http:
        zoe, laurent = [await person_id(database, e) for e in demo.ACTIVE_PAIR]
        await forward(http, url, hours=2)
        [laurent_card] = [
            c for c in await cards(http, url, laurent) if "Choisissez" in c["html"] and with_zoe(c)
        ]
        first = datetime.fromisoformat((await first_check_in(database)).slots[0])
        paris = ZoneInfo("Europe/Paris")
        label = format_datetime(first.astimezone(paris), "EEE d MMM, HH:mm", locale="fr")
        await click(http, url, laurent, laurent_card, label)
        await forward(http, url, hours=1)
        [ask] = [c for c in await cards(http, url, zoe) if "Confirm your" in c["html"]]
        await click(http, url, zoe, ask, "Confirm")
        await forward(http, url, hours=1)  # the slot cards are closed
        params = {"person_id": laurent}
        async with http.get(f"{url}/console/api/messages", params=params) as r:
            cursor = (await r.json())["cursor"]
        await forward(http, url, days=7)  # past the session: the reminder and the question
        async with http.get(f"{url}/console/api/messages", params=params | {"since": cursor}) as r:
            later = " ".join(html.unescape(m["html"]) for m in (await r.json())["messages"])
        assert "Votre séance a-t-elle eu lieu" in later


async def test_moving_the_demo_clock_brings_reminders_questions_nudges_and_an_alert(
    database_url: str,
) -> None:
    """The pair plans its first session, then nobody answers anything: +1 h and +1 d bring
    the reminder and "did it happen?"; the days after, a nudge to each; two weeks later,
    the program admin's alert. Each in the reader's words."""
    async with demo_server(database_url) as (url, database), aiohttp.ClientSession() as http:
        zoe, laurent = [await person_id(database, e) for e in demo.ACTIVE_PAIR]
        admin = await person_id(database, demo.ADMIN_EMAIL)
        await forward(http, url, hours=2)
        [card] = [
            c
            for c in await cards(http, url, laurent)
            if "Choisissez un horaire" in c["html"] and with_zoe(c)
        ]
        first = datetime.fromisoformat((await first_check_in(database)).slots[0])
        paris = ZoneInfo("Europe/Paris")
        await click(http, url, laurent, card, format_datetime(
            first.astimezone(paris), "EEE d MMM, HH:mm", locale="fr"))  # fmt: skip
        await forward(http, url, hours=1)
        [ask] = [c for c in await cards(http, url, zoe) if "Confirm your" in c["html"]]
        await click(http, url, zoe, ask, "Confirm")

        async def seen(person: str) -> str:
            return " ".join(html.unescape(c["html"]) for c in await cards(http, url, person))

        await forward(http, url, days=1)
        assert "Votre séance approche" in await seen(laurent)
        assert "Your session is coming up" in await seen(zoe)
        assert "Votre séance a-t-elle eu lieu" in await seen(laurent)
        assert "Did your session happen?" in await seen(zoe)
        for _ in range(3):
            await forward(http, url, days=1)
        assert "Reporter d’un jour" in await seen(laurent)
        await forward(http, url, hours=3)  # Monday 08:00 in Montréal: the mentors' nudges
        assert "Snooze 1 day" in await seen(zoe)
        assert "Un binôme a peut-être besoin de vous" not in await seen(admin)
        await forward(http, url, days=7)
        await forward(http, url, days=7)
        alert = await seen(admin)
        assert "Un binôme a peut-être besoin de vous" in alert
        assert "Laurent Dubois" in alert and "Zoé Gauthier" in alert


async def test_moving_the_demo_clock_brings_laurent_a_weekly_digest(database_url: str) -> None:
    """Laurent leads two demo pairs (Zoé, Justine). Nobody plans a first session: three days
    on, the daily look at the pairs finds an item from each of his pairs, and instead of two
    nudges he gets one weekly digest naming both mentors (held by his quiet hours over the
    weekend, delivered on Monday morning); each mentor gets her own single nudge."""
    async with demo_server(database_url) as (url, database), aiohttp.ClientSession() as http:
        zoe, laurent = [await person_id(database, e) for e in demo.ACTIVE_PAIR]
        justine = await person_id(database, demo.SECOND_PAIR[0])

        async def seen(person: str) -> str:
            return " ".join(html.unescape(c["html"]) for c in await cards(http, url, person))

        slot_cards = [c for c in await cards(http, url, laurent) if "Choisissez" in c["html"]]
        assert len(slot_cards) <= 2  # one per pair (the second maybe still on its way)
        for _ in range(3):
            await forward(http, url, days=1)
        assert "Votre mentorat cette semaine" not in await seen(laurent)
        for _ in range(3):  # the weekend: the digest waits for Monday morning
            await forward(http, url, days=1)
        told = await seen(laurent)
        assert told.count("Votre mentorat cette semaine") == 1
        [digest] = [c for c in await cards(http, url, laurent)
                    if "Votre mentorat cette semaine" in c["html"]]  # fmt: skip
        said = html.unescape(digest["html"])
        assert "Zoé Gauthier" in said and "Justine Lavoie" in said
        assert said.count("première séance pas encore planifiée") == 2
        assert "Reporter d’un jour" in said and "Tout va bien" in said
        assert told.count("Reporter d’un jour") == 1  # no single nudge besides the digest
        await forward(http, url, hours=3)  # Monday 08:00 in Montréal: the mentors' nudges
        assert "Snooze 1 day" in await seen(zoe)
        assert "Reporter d’un jour" in await seen(justine)
