"""`tandem forget` as a user would meet it: nothing of the person is left anywhere.

A person imported from the HRIS talks to the bot over Slack, through the real signed
endpoint, in a workspace with no allow-list (so their Slack identity is *not* linked to the
imported record: a second Person is created from their Slack profile). They write to the
program team with ``contact`` and send a direct message, both with a word nobody else
uses. An HR admin then runs ``tandem forget EMAIL``. Every column of every table (read
back by reflection, not through our models) and, on SQLite, the raw bytes of the database,
its ``-wal`` and ``-shm`` files must hold none of: the email, the imported first and last
names, the Slack display name, the Slack user id, the unique word.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import MetaData, select
from sqlalchemy.engine import Connection, make_url

from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.participation.feature import PARTICIPATION
from storage.db import Database
from storage.due_runner import DueRunner
from storage.models import Person, PlatformIdentity
from storage.queue import DueQueue
from tests.enrollment.test_enrollment_over_http import submission
from tests.fakes.fixtures import fake_slack
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import event_request, interactivity_request, slash_command_request
from tests.slack.conftest import SECRET, SlackServer, start_server
from tests.support.cli import clean_env, tandem
from tests.support.clock import T0, fixed_clock

__all__ = ["fake_slack"]
DEADLINE_S = 120  # the whole journey; each CLI call also has its own (tests/support/cli.py)

EMAIL = "Zephyrine.Quillardet@acme.example"
FIRST, LAST = "Zéphyrine", "Quillardet"
DISPLAY = "zephymarsh"  # the Slack profile's display name, unlike the HRIS
REAL_NAME = "Zephy Marsh-Quillardet"
WORD = "zorglubaphone"  # typed by her, nowhere else
SLACK_USER = FakeUser("U0ZEPHY42", DISPLAY, EMAIL, "Europe/Paris", "fr-FR", REAL_NAME)
ADMIN_EMAIL = "rh.team@acme.example"
HRIS = (
    "employee_id;email;first_name;last_name;title;department;manager;career_stage;location;"
    "timezone;language\n"
    f"E1;{ADMIN_EMAIL};Rose;Hache;DRH;RH;;;Paris;Europe/Paris;fr\n"
    f"E2;{EMAIL};{FIRST};{LAST};Directrice;Qualité;E1;;Lyon;Europe/Paris;fr\n"
)
NEEDLES = (EMAIL, FIRST, LAST, DISPLAY, REAL_NAME, SLACK_USER.id, WORD)


def _spellings(needle: str) -> set[str]:
    """How a needle may be written down: as is, lower-cased, and JSON-escaped."""
    return {needle.lower(), json.dumps(needle.lower())[1:-1]}


def _hits(where: str, haystack: str, needles: Sequence[str]) -> list[str]:
    lowered = haystack.lower()
    return [f"{where}: {n}" for n in needles if any(s in lowered for s in _spellings(n))]


def _scan_tables(connection: Connection, needles: Sequence[str]) -> list[str]:
    """Every cell of every table the database has (reflected: a table our models do not
    declare is scanned too), rendered as text."""
    metadata = MetaData()
    metadata.reflect(connection)
    found: list[str] = []
    for table in metadata.sorted_tables:
        for row in connection.execute(select(table)).mappings():
            for column, value in row.items():
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                found += _hits(f"{table.name}.{column}", text, needles)
    return found


async def scan_tables(database: Database, needles: Sequence[str]) -> list[str]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(_scan_tables, needles)


def scan_files(path: Path, needles: Sequence[str]) -> list[str]:
    """The database file and its companions, byte by byte (UTF-8 and JSON-escaped)."""
    found: list[str] = []
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if not file.exists():
            continue
        data = file.read_bytes().lower()
        for needle in needles:
            if any(s.encode() in data for s in _spellings(needle)):
                found.append(f"{file.name}: {needle}")
    return found


async def talk_over_slack(server: SlackServer, database: Database) -> None:
    """She writes to the program team and sends a direct message; the queue runs once."""
    slack = server.slack
    opened = await server.post(slash_command_request(SECRET, text="contact", user_id=SLACK_USER.id))
    assert opened.status == 200
    await server.settle()
    [view] = [v for v in slack.views.values() if v["type"] == "modal"]
    [block_id] = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    words = f"Bonjour, ici {FIRST} {LAST} : mon mentor ne répond plus ({WORD})."
    answer = submission(SLACK_USER.id, view, {block_id: words})
    signed = interactivity_request(SECRET, answer)
    response = await server.http.post(
        server.url + "/slack/events", data=signed.body, headers=signed.headers
    )
    assert response.status == 200, await response.text()
    dm = {"type": "message", "channel_type": "im", "user": SLACK_USER.id, "channel": "D0ZEPHY42"}
    await server.post(event_request(SECRET, {**dm, "text": f"bonjour, ici {FIRST} ({WORD})"}))
    await server.settle()
    # The program team's copy is queued by the real handlers, as ``tandem serve`` wires them.
    notifier = Notifier(
        database,
        {"slack": server.channel},
        NotifierConfig(admins=(ADMIN_EMAIL,)),
        clock=fixed_clock(),
    )
    notifier.register(server.due_handlers)
    PARTICIPATION.register(server.due_handlers, database, notifier)
    runner = DueRunner(DueQueue(database), server.due_handlers, clock=fixed_clock())
    await runner.drain(T0 + timedelta(minutes=1))
    assert slack.violations == []


async def test_forget_leaves_nothing_of_an_unlinked_slack_user(
    database_url: str, database: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = clean_env(TANDEM_DATABASE_URL=database_url)
    (tmp_path / "hris.csv").write_text(HRIS, encoding="utf-8")
    imported = tandem("people", "import", "hris.csv", cwd=tmp_path, env=env)
    assert imported.returncode == 0, imported.stderr
    fake_slack.add_user(SLACK_USER)

    async with asyncio.timeout(DEADLINE_S):
        # No allow-list: her Slack identity gets a Person of its own, not the imported one.
        async for server in start_server(database, fake_slack, team_ids=()):
            await talk_over_slack(server, database)
            async with database.unit_of_work() as session:
                people = await session.scalars(select(Person).where(Person.email.is_(None)))
                assert [p.first_name for p in people] == [DISPLAY]
                identity = await session.scalar(select(PlatformIdentity))
                assert identity is not None and identity.email == EMAIL.lower()
            before = await scan_tables(database, NEEDLES)
            tables = {hit.split(".")[0] for hit in before}
            # The scan finds what it must find, where the fault was seen.
            assert {"persons", "platform_identities", "inbound_events", "due_actions"} <= tables
            assert any(hit.endswith(WORD) and "due_actions" in hit for hit in before)
            assert any(hit.endswith(WORD) and "inbound_events" in hit for hit in before)

            # While the server still runs, as it would in production.
            erased = await asyncio.to_thread(
                tandem, "forget", "--yes", EMAIL, cwd=tmp_path, env=env
            )
            assert erased.returncode == 0, erased.stderr
            assert "Erased" in erased.stdout

            assert await scan_tables(database, NEEDLES) == []
            if make_url(database_url).get_backend_name() == "sqlite":
                path = Path(str(make_url(database_url).database))
                assert scan_files(path, NEEDLES) == []

    # The tombstones stay: the imported one keeps its place under its manager.
    async with database.unit_of_work() as session:
        tombstones = list(
            await session.scalars(select(Person).where(Person.erased_at.is_not(None)))
        )
        assert len(tombstones) == 2
        assert {t.manager_id is not None for t in tombstones} == {True, False}
        assert all(t.email is None and t.first_name is None for t in tombstones)
