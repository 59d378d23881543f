"""The console's JSON API over real HTTP on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select

from bot.clock import DemoClock, DemoTime
from dialogs.core.content import Paragraph, Text
from dialogs.core.ui import Message, Section
from dialogs.notify.delivery import Recipient
from handlers.console import mount
from handlers.console.store import ConsoleStore
from storage.db import Database
from storage.models import PlatformIdentity
from storage.models.console import ConsoleMessage
from storage.queue import ClaimedAction, DueQueue
from tests.support.clock import T0, fixed_clock
from tests.support.console import (
    FakeConversation,
    console_config,
    running_console,
    seed_people,
)


async def post(session: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, Any]:
    async with session.post(url, json=body) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


async def messages(session: aiohttp.ClientSession, base: str, person: str, since: str = "") -> Any:
    params = {"person_id": person} | ({"since": since} if since else {})
    async with session.get(f"{base}/console/api/messages", params=params) as response:
        assert response.status == 200
        return await response.json()


async def count(database: Database, model: Any) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def test_mount_refuses_without_loopback_or_when_off() -> None:
    core, database = FakeConversation(), Database("sqlite+aiosqlite:///:memory:")
    for config in (console_config(enabled=False), console_config(host="0.0.0.0")):
        app = web.Application()
        assert mount(app, core, database, config) is None
        assert not [r for r in app.router.resources() if "console" in r.canonical]
    assert console_config(host="::1").servable and console_config(host="localhost").servable


async def test_people_help_in_each_language_click_and_history(database: Database) -> None:
    people = await seed_people(database)
    core = FakeConversation()
    async with running_console(database, core) as console, aiohttp.ClientSession() as http:
        async with http.get(f"{console.url}/console/api/people") as response:
            listed = (await response.json())["people"]
        assert [(p["name"], p["admin"]) for p in listed] == [
            ("Ada Lovelace", True),
            ("Bruno Martin", False),
        ]
        async with http.get(f"{console.url}/console/api/people", params={"q": "brun"}) as response:
            assert [p["id"] for p in (await response.json())["people"]] == [people.bruno]

        for person, expected in ((people.ada, "Here is what I can do"),
                                 (people.bruno, "Voici ce que je sais faire")):  # fmt: skip
            status, answer = await post(
                http, f"{console.url}/console/api/send", {"person_id": person, "text": "help"}
            )
            assert status == 200 and answer["locale"] == ("en" if person == people.ada else "fr")
            shown = await messages(http, console.url, person)
            assert [m["author"] for m in shown["messages"]] == ["person", "bot"]
            assert expected in shown["messages"][1]["html"]
        # Each person acted as themselves, through their console identity (made once).
        assert [(i.kind, i.actor.user_id) for i in core.received] == [
            ("message", people.ada),
            ("message", people.bruno),
        ]
        await post(http, f"{console.url}/console/api/send", {"person_id": people.ada, "text": "x"})
        async with database.unit_of_work() as session:
            identities = (await session.scalars(select(PlatformIdentity))).all()
        assert sorted((i.platform, i.tenant_id, i.user_id) for i in identities) == sorted(
            [("console", "console", people.ada), ("console", "console", people.bruno)]
        )

        shown = await messages(http, console.url, people.ada)
        card = shown["messages"][1]
        assert "disabled" not in card["html"]
        status, answer = await post(
            http,
            f"{console.url}/console/api/action",
            {
                "person_id": people.ada,
                "message_id": card["id"],
                "action": "language",
                "ref": "help|inst1|menu|1",
                "value": "en",
            },
        )
        assert status == 200
        after = await messages(http, console.url, people.ada, since=shown["cursor"])
        changed = {m["id"]: m["html"] for m in after["messages"]}
        assert "Language noted: English" in list(changed.values())[-1]
        assert "disabled" in changed[card["id"]]  # the answered card's buttons no longer act
        # Polling from the latest cursor brings nothing older than the last change.
        assert len(after["messages"]) < len(
            (await messages(http, console.url, people.ada))["messages"]
        )


async def test_form_errors_then_done_in_the_http_answer(database: Database) -> None:
    people = await seed_people(database)
    async with (
        running_console(database, FakeConversation()) as console,
        aiohttp.ClientSession() as http,
    ):
        await post(http, f"{console.url}/console/api/send",
                   {"person_id": people.bruno, "text": "aide"})  # fmt: skip
        card = (await messages(http, console.url, people.bruno))["messages"][-1]
        status, opened = await post(
            http,
            f"{console.url}/console/api/action",
            {
                "person_id": people.bruno,
                "message_id": card["id"],
                "action": "profile",
                "ref": "help|inst1|menu|1",
            },
        )
        assert status == 200 and 'data-ref="profile|inst2|edit|1"' in opened["form"]
        assert "Intitulé de poste" in opened["form"]
        submit = {"person_id": people.bruno, "ref": "profile|inst2|edit|1"}
        _, wrong = await post(http, f"{console.url}/console/api/submit",
                              submit | {"values": {"title": None}})  # fmt: skip
        assert wrong["answer"] == "errors"
        assert wrong["errors"] == {"title": "Indiquez votre intitulé de poste"}
        _, done = await post(http, f"{console.url}/console/api/submit",
                             submit | {"values": {"title": "Alternante data"}})  # fmt: skip
        assert done["answer"] == "done" and len(done["messages"]) == 1
        last = (await messages(http, console.url, people.bruno))["messages"][-1]
        assert "Profil enregistré" in last["html"]
        # Opening a form does not answer the card: its buttons still act.
        assert (
            "disabled"
            not in (await messages(http, console.url, people.bruno))["messages"][1]["html"]
        )


async def test_bad_input_gets_4xx_and_changes_nothing(database: Database) -> None:
    people = await seed_people(database)
    core = FakeConversation()
    async with running_console(database, core) as console, aiohttp.ClientSession() as http:
        await post(
            http, f"{console.url}/console/api/send", {"person_id": people.ada, "text": "help"}
        )
        card = (await messages(http, console.url, people.ada))["messages"][-1]
        before, seen = await count(database, ConsoleMessage), len(core.received)
        send, action = f"{console.url}/console/api/send", f"{console.url}/console/api/action"
        cases: list[tuple[str, Any, int]] = [
            (send, {"person_id": "nobody", "text": "help"}, 404),
            (send, {"person_id": people.ada, "text": "   "}, 400),
            (send, {"person_id": people.ada, "text": ["help"]}, 400),
            (send, {"person_id": people.ada, "text": "x" * 5000}, 400),
            (send, ["not", "an", "object"], 400),
            (
                action,
                {
                    "person_id": people.ada,
                    "message_id": card["id"],
                    "action": "language",
                    "ref": "forged",
                },
                400,
            ),
            # Bruno cannot click a button on Ada's card.
            (
                action,
                {
                    "person_id": people.bruno,
                    "message_id": card["id"],
                    "action": "language",
                    "ref": "help|inst1|menu|1",
                },
                404,
            ),
            (
                f"{console.url}/console/api/submit",
                {"person_id": people.ada, "ref": "p|i|s|1", "values": {"title": {"a": 1}}},
                400,
            ),
            (f"{console.url}/console/api/clock", {"hours": 1}, 404),  # not in demo mode
        ]
        for url, body, expected in cases:
            status, _ = await post(http, url, body)
            assert status == expected, (url, body, status)
        async with http.post(
            send, data=b"{not json", headers={"Content-Type": "application/json"}
        ) as r:
            assert r.status == 400
        async with http.post(send, data=b"text=help") as r:
            assert r.status == 415
        # Another site in the same browser, or a rebinding DNS name, is refused.
        body = {"person_id": people.ada, "text": "help"}
        async with http.post(send, json=body, headers={"Origin": "https://evil.example"}) as r:
            assert r.status == 403
        async with http.post(send, json=body, headers={"Host": "evil.example"}) as r:
            assert r.status == 403
        async with http.get(f"{console.url}/console/api/messages",
                            params={"person_id": people.ada, "since": "yesterday"}) as r:  # fmt: skip
            assert r.status == 400
        assert await count(database, ConsoleMessage) == before
        assert len(core.received) == seen


async def test_channel_delivers_updates_and_survives_a_restart(database: Database) -> None:
    people = await seed_people(database)
    async with running_console(database, FakeConversation()) as console:
        recipient = Recipient(people.ada, "console", "console", people.ada, "en", "Europe/London")
        bruno = Recipient(people.bruno, "console", "console", people.bruno, "fr", "Europe/Paris")
        first = Message((Section((Paragraph((Text("Session tomorrow"),)),)),), "Session")
        ref = await console.channel.send(recipient, first)
        assert (ref.platform, ref.conversation_id) == ("console", people.ada)
        await console.channel.update(
            ref, Message((Section((Paragraph((Text("Session moved"),)),)),), "Moved")
        )
        refs = await console.channel.introduce([recipient, bruno], first)
        assert [r.conversation_id for r in refs] == [people.ada, people.bruno]
    # A new process (another store on the same database) shows the same history.
    from handlers.console.render import Viewer, render_message

    stored = await ConsoleStore(database, console_config()).history(people.ada)
    shown = [render_message(s.message, Viewer("en", "Europe/London")) for s in stored]
    assert next(s.message_id for s in stored) == ref.message_id
    assert "Session moved" in shown[0] and "Session tomorrow" in shown[1]


async def test_demo_clock_drains_what_falls_due(database: Database) -> None:
    people = await seed_people(database)
    ran: list[str] = []

    seen: list[datetime] = []

    async def remind(action: ClaimedAction) -> None:
        ran.append(action.idempotency_key)
        seen.append(clock.now())

    due = T0 + timedelta(days=2, minutes=33)  # between any two routine fires
    async with database.unit_of_work() as session:
        await DueQueue(database).enqueue(session, "demo.remind", "in-two-days", due)
    clock = DemoClock(database, fixed_clock())
    config = console_config(
        demo_clock=DemoTime(clock, {"demo.remind": remind}, lambda: ()), tenant_id="demo"
    )
    async with (
        running_console(database, FakeConversation(), config) as console,
        aiohttp.ClientSession() as http,
    ):
        start = (await messages(http, console.url, people.ada))["demo_now"]
        status, first = await post(http, f"{console.url}/console/api/clock", {"hours": 24})
        assert status == 200 and first["done"] == 0 and ran == []
        _, second = await post(http, f"{console.url}/console/api/clock", {"days": 1, "hours": 1})
        assert second["done"] == 1 and ran == ["in-two-days"]
        assert seen == [due]  # it ran at its own time, as if that time had passed
        assert second["demo_now"] > first["demo_now"] > start
        for bad in (
            {"hours": 0},
            {"hours": -5},
            {"days": 10_000},
            {"hours": "1"},
            {"hours": True},
        ):
            status, _ = await post(http, f"{console.url}/console/api/clock", bad)
            assert status == 400, bad
