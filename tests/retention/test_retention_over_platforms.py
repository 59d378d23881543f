"""``admin retention`` through the whole server, Slack and Teams side by side on loopback.

Rose (program team, Slack, French) reads what each program will erase and when: the date
goes out as Slack's own date token, which each reader's client shows in their zone and
format. Marc (Teams, English) runs one program: he reads its card, with Teams' DATE()
function, shortens its period to a date already past, and the queue erases its free text
while the numbers stay. Léa, who runs nothing, is refused in French, and a bad period is
answered in the reader's language with nothing changed.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select

from storage.models import AuditEvent, Person, Program, ProgramAdmin
from tests.fakes.bot_connector import FakeBotConnector
from tests.retention.texts import aggregates, seed_program, words, written
from tests.teams.cards import texts
from tests.test_matching_over_platforms import LEA, RH, Server, TeamsPerson, server

__all__ = ["server"]

# Ended in March 2026: with 12 months its texts go at midnight on 1 April 2027 in Paris.
PAST_ENDS = date(2026, 3, 31)
PAST_ERASED = datetime(2027, 3, 31, 22, tzinfo=UTC)


async def with_texts(srv: Server) -> int:
    """The seeded people also took part in a program that ended in March 2026."""
    async with srv.runtime.database.unit_of_work() as session:
        people = {str(p.email).split("@")[0]: p.id for p in await session.scalars(select(Person))}
        return await seed_program(session, "rm-2026", PAST_ENDS, people, 0)


async def test_admin_retention_in_slack_and_teams_in_french_and_english(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    past = await with_texts(srv)
    for person in (RH, LEA):
        await srv.command(person, "help")
    await marc.says("help")

    await srv.command(RH, "admin conservation")
    [report] = srv.posted_to(RH, "Conservation des textes libres")
    shown = json.dumps(report.args, ensure_ascii=False)
    assert "Mentorat « rm-2026 » (rm-2026)" in shown and "Mentorat inversé 2027" in shown
    assert f"Effacés le <!date^{int(PAST_ERASED.timestamp())}^{{date_short_pretty}}|" in shown
    assert (
        "12 textes en attente" in shown
        and "témoignages 2 (dont 1 avec accord pour être cités)" in shown
    )
    assert shown.index("rm-2026") < shown.index("Mentorat inversé 2027")  # soonest first

    await srv.command(LEA, "admin retention")  # Léa runs no program
    assert srv.posted_to(LEA, "réservée aux administrateurs")
    assert srv.posted_to(LEA, "Conservation des textes libres") == []

    await marc.says("admin retention")  # not an admin yet: refused in English
    assert not marc.cards("Free text retention")
    assert any("for program admins" in json.dumps(a) for a in connector.sent_to(marc.chat))
    async with srv.runtime.database.unit_of_work() as session:
        marc_id = await session.scalar(select(Person.id).where(Person.first_name == "Marc"))
        assert marc_id is not None
        session.add(ProgramAdmin(program_id=past, person_id=marc_id))
    await marc.says("admin retention")
    [card] = marc.cards("Free text retention")
    assert "Mentorat « rm-2026 »" in texts(card) and "Mentorat inversé 2027" not in texts(card)
    assert "Erased on {{DATE(2027-03-31T22:00:00Z, SHORT)}}" in texts(card)
    assert "12 texts waiting" in texts(card)
    assert "even those their authors agreed to have quoted" in texts(card)

    # A bad period, in French in Slack: answered, nothing changes.
    await srv.command(RH, "admin retention set rm-2026 200")
    assert srv.posted_to(RH, "La durée va de 1 à 120 mois")
    numbers, before = await aggregates(srv.runtime.database), await words(srv.runtime.database)
    assert written(before, past) == 12

    # Marc shortens the period to a date already past: erased by the queue, numbers kept.
    await marc.says("admin retention set rm-2026 3")
    [done] = marc.cards("Done:")
    assert "keeps free text 3 months after its end" in texts(done)
    assert "the texts waiting are being erased now" in texts(done)
    await srv.due()
    after = await words(srv.runtime.database)
    assert written(after, past) == 0
    assert await aggregates(srv.runtime.database) == numbers
    async with srv.runtime.database.unit_of_work() as session:
        program = await session.get(Program, past)
        assert program is not None and program.retention_months == 3
        actions = list(await session.scalars(select(AuditEvent.action).where(
            AuditEvent.program_id == past, AuditEvent.action.like("retention.%"))))  # fmt: skip
    assert actions == ["retention.set", "retention.erased"]

    await marc.says("admin retention rm-2026")
    assert "Erased since" in texts(marc.cards("Free text retention")[-1])
    assert "nothing left" in texts(marc.cards("Free text retention")[-1])
