"""Notifications reach people once, on their platform, outside quiet hours, paced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.domain.notifications import Announcement, Introduction
from dialogs.core.content import PersonRef
from dialogs.core.ui import Section
from dialogs.notify.notifier import Notifier, NotifierConfig
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import (
    DueAction,
    Enrollment,
    Person,
    PlatformIdentity,
    Program,
    ProgramAdmin,
)
from storage.models import (
    MessageRef as MessageRefRow,
)
from tests.support.channels import RecordingChannel
from tests.support.clock import T0, fixed_clock


async def add_person(
    database: Database, email: str, *, first: str, slack: str | None = None, teams: str | None = None,
    locale: str | None = None, preferred: str | None = None,
) -> str:  # fmt: skip
    async with database.unit_of_work() as session:
        person = Person(email=email, first_name=first, last_name="Test", timezone="Europe/Paris",
                        locale=locale, preferred_platform=preferred, languages=["fr"])  # fmt: skip
        session.add(person)
        await session.flush()
        if slack:
            session.add(
                PlatformIdentity(
                    person_id=person.id, platform="slack", tenant_id="T1", user_id=slack
                )
            )
        if teams:
            session.add(
                PlatformIdentity(
                    person_id=person.id, platform="teams", tenant_id="tn", user_id=teams
                )
            )
        return person.id


def runner_for(notifier: Notifier) -> DueRunner:
    handlers = DueHandlers()
    notifier.register(handlers)
    return DueRunner(notifier.queue, handlers, clock=fixed_clock())


TUESDAY_NOON = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 12:00 in Paris


async def test_a_notification_is_delivered_once_in_the_readers_language(database: Database) -> None:
    slack = RecordingChannel("slack")
    notifier = Notifier(database, {"slack": slack}, NotifierConfig(), clock=fixed_clock())
    lea = await add_person(database, "lea@acme.example", first="Léa", slack="U1", locale="en")
    news = Announcement(text_fr="Bienvenue", text_en="Welcome")
    async with database.unit_of_work() as session:
        assert await notifier.notify(session, lea, news, key="k1", at=TUESDAY_NOON)
        assert not await notifier.notify(session, lea, news, key="k1", at=TUESDAY_NOON)
    runner = runner_for(notifier)
    assert (await runner.drain(TUESDAY_NOON - timedelta(minutes=1))).done == 0
    assert (await runner.drain(TUESDAY_NOON)).done == 1
    assert (await runner.drain(TUESDAY_NOON + timedelta(hours=1))).done == 0
    assert [m.summary for _, m in slack.sent] == ["Welcome"]
    async with database.unit_of_work() as session:
        refs = (await session.execute(select(MessageRefRow))).scalars().all()
    assert [(r.person_id, r.platform, r.message_id) for r in refs] == [(lea, "slack", "1")]


async def test_proactive_messages_wait_for_the_end_of_quiet_hours(database: Database) -> None:
    slack = RecordingChannel("slack")
    notifier = Notifier(database, {"slack": slack}, NotifierConfig(), clock=fixed_clock())
    lea = await add_person(database, "lea@acme.example", first="Léa", slack="U1")
    friday_evening = datetime(2026, 11, 27, 20, 30, tzinfo=UTC)  # 21:30 in Paris
    async with database.unit_of_work() as session:
        await notifier.notify(session, lea, Announcement("a", "a"), key="quiet", at=friday_evening)
        await notifier.notify(session, lea, Announcement("b", "b"), key="answer", at=friday_evening,
                              proactive=False)  # fmt: skip
    runner = runner_for(notifier)
    await runner.drain(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # Saturday
    assert [m.summary for _, m in slack.sent] == ["b"]
    await runner.drain(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))  # Monday 08:00 in Paris
    assert [m.summary for _, m in slack.sent] == ["b", "a"]


async def test_messages_to_one_conversation_are_paced(database: Database) -> None:
    notifier = Notifier(
        database, {"slack": RecordingChannel("slack")}, NotifierConfig(), clock=fixed_clock()
    )
    lea = await add_person(database, "lea@acme.example", first="Léa", slack="U1", preferred="slack")
    async with database.unit_of_work() as session:
        for i in range(3):
            await notifier.notify(
                session, lea, Announcement(str(i), str(i)), key=f"p{i}", at=TUESDAY_NOON
            )
    async with database.unit_of_work() as session:
        due = (
            (await session.execute(select(DueAction.due_at).order_by(DueAction.due_at)))
            .scalars()
            .all()
        )
    assert [d - due[0] for d in due] == [timedelta(0), timedelta(seconds=1), timedelta(seconds=2)]


async def test_an_unreachable_platform_falls_back_then_admins_are_told(database: Database) -> None:
    slack = RecordingChannel("slack", unreachable={"U1"})
    teams = RecordingChannel("teams", unreachable={"aad-1"})
    notifier = Notifier(
        database,
        {"slack": slack, "teams": teams},
        NotifierConfig(admins=("rh@acme.example",)),
        clock=fixed_clock(),
    )
    lea = await add_person(
        database, "lea@acme.example", first="Léa", slack="U1", teams="aad-1", preferred="slack"
    )
    marc = await add_person(database, "marc@acme.example", first="Marc", slack="U2", teams="aad-2")
    admin = await add_person(database, "rh@acme.example", first="Rose", teams="aad-9")
    async with database.unit_of_work() as session:
        await notifier.notify(session, marc, Announcement("x", "x"), key="m", at=TUESDAY_NOON)
        await notifier.notify(session, lea, Announcement("y", "y"), key="l", at=TUESDAY_NOON)
    await runner_for(notifier).drain(TUESDAY_NOON + timedelta(minutes=1))
    # Marc: Slack first (no preference: Slack before Teams) and it worked.
    assert [r.person_id for r, _ in slack.sent] == [marc]
    # Léa could be reached nowhere: the admin is told, by name.
    reports = [(r.person_id, m) for r, m in teams.sent]
    assert [pid for pid, _ in reports] == [admin]
    section = reports[0][1].blocks[0]
    assert isinstance(section, Section)
    assert PersonRef(lea, "Léa Test") in section.paragraphs[0].parts
    async with database.unit_of_work() as session:
        rows = await session.execute(select(PlatformIdentity.user_id, PlatformIdentity.reachable))
        reachable = {user: flag for user, flag in rows}
    assert reachable["U1"] is False and reachable["aad-1"] is False and reachable["U2"] is True


async def test_introductions_share_a_conversation_per_platform(database: Database) -> None:
    slack, teams = RecordingChannel("slack"), RecordingChannel("teams")
    notifier = Notifier(
        database, {"slack": slack, "teams": teams}, NotifierConfig(), clock=fixed_clock()
    )
    lea = await add_person(database, "lea@acme.example", first="Léa", slack="U1")
    marc = await add_person(database, "marc@acme.example", first="Marc", slack="U2")
    sam = await add_person(database, "sam@acme.example", first="Sam", teams="aad-3", locale="en")
    async with database.unit_of_work() as session:
        await notifier.introduce(
            session, [lea, marc], Introduction((lea, marc), "Mentorat"), key="i1"
        )
        await notifier.introduce(
            session, [lea, sam], Introduction((lea, sam), "Mentorat"), key="i2"
        )
    await runner_for(notifier).drain(T0 + timedelta(seconds=5))
    assert sorted(ids for ids, _ in slack.introduced) == sorted([[lea, marc], [lea]])
    assert [ids for ids, _ in teams.introduced] == [[sam]]
    sam_message = teams.introduced[0][1]
    assert sam_message.summary == "Your reverse-mentoring partner"
    parts = sam_message.blocks[1].paragraphs[0].parts  # type: ignore[union-attr]
    assert PersonRef(lea, "Léa Test") in parts


async def test_program_admins_receive_reports_too(database: Database) -> None:
    teams = RecordingChannel("teams")
    notifier = Notifier(database, {"teams": teams}, NotifierConfig(), clock=fixed_clock())
    lea = await add_person(database, "lea@acme.example", first="Léa")  # no identity at all
    admin = await add_person(database, "pa@acme.example", first="Paul", teams="aad-7")
    stranger = await add_person(database, "qa@acme.example", first="Quentin", teams="aad-8")
    async with database.unit_of_work() as session:
        program = Program(slug="p", name="P", timezone="Europe/Paris",
                          starts_on=TUESDAY_NOON.date(), ends_on=TUESDAY_NOON.date())  # fmt: skip
        other = Program(slug="q", name="Q", timezone="Europe/Paris",
                        starts_on=TUESDAY_NOON.date(), ends_on=TUESDAY_NOON.date())  # fmt: skip
        session.add_all([program, other])
        await session.flush()
        session.add(ProgramAdmin(program_id=program.id, person_id=admin))
        # The admins of the programs Léa takes part in read about her, no other program's.
        session.add(ProgramAdmin(program_id=other.id, person_id=stranger))
        session.add(Enrollment(program_id=program.id, person_id=lea, role="mentee"))
        await notifier.notify(session, lea, Announcement("x", "x"), key="l", at=TUESDAY_NOON)
    await runner_for(notifier).drain(TUESDAY_NOON + timedelta(minutes=1))
    assert [r.person_id for r, _ in teams.sent] == [admin]
