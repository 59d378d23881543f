"""``admin sessions`` through the whole server: per pair what was planned, held and skipped,
the nudges sent and left unanswered, at-risk pairs, and the people no platform would
deliver to, with the platform's reason in words (Slack: left the workspace; Teams: 403,
blocked the app). In French for Rose in Slack, in English for a program admin in Teams;
people who run no program are refused in their own language and nothing changes.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from storage.models import (
    AuditEvent,
    CheckIn,
    Pairing,
    Person,
    PlatformIdentity,
    Program,
    ProgramAdmin,
)
from tests.fakes.bot_connector import FakeBotConnector
from tests.sessions.test_nudges_over_platforms import day, paired
from tests.support.clock import T0
from tests.teams.cards import texts
from tests.test_matching_over_platforms import LEA, RH, TOM, Server, server

__all__ = ["server"]


def line_of(shown: str, name: str) -> str:
    """The one line of a report (Slack mrkdwn as sent, or a card's text) naming someone."""
    lines = shown.replace("\\n", "\n").replace('"', "\n").split("\n")
    found = [line for line in lines if name in line]
    return found[-1] if found else ""


async def sessions_of_lea_and_marc(srv: Server) -> None:
    """Léa and Marc met twice, skipped once and have one planned."""
    async with srv.runtime.database.unit_of_work() as session:
        pairing = (await session.scalars(select(Pairing).order_by(Pairing.id))).first()
        assert pairing is not None
        for n, status in enumerate(("held", "held", "skipped", "planned"), start=1):
            session.add(CheckIn(pairing_id=pairing.id, ordinal=n, status=status,
                                scheduled_at=T0 + timedelta(days=7 * n)))  # fmt: skip


async def test_admin_sessions_shows_pairs_and_who_could_not_be_reached_and_why(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector, marc, _ = await paired(server, "lea", "tom")
    del srv.slack.users[TOM.id]  # Tom left the Slack workspace
    connector.fail_next(403)  # Marc removed the app in Teams
    await day(srv, 3)  # the first nudges go out: two of them cannot be delivered
    await sessions_of_lea_and_marc(srv)

    await srv.command(RH, "admin sessions")
    [report] = srv.posted_to(RH, "Séances")[-1:]
    said = json.dumps(report.args, ensure_ascii=False)
    assert "Mentorat inversé 2027" in said and "2 binômes actifs" in said
    assert "Léa Martin" in said and "Marc Durand" in said
    assert "planifiées 1 · tenues 2 · sautées 1" in said
    assert "Injoignables" in said
    assert line_of(said, "Tom Baker").endswith("(slack) — a quitté l’espace de travail")
    assert line_of(said, "Marc Durand (teams)") or line_of(said, "Marc Durand* (teams)")
    assert "(teams) — a bloqué l’application" in said
    async with srv.runtime.database.unit_of_work() as session:
        reachable = dict((await session.execute(
            select(PlatformIdentity.user_id, PlatformIdentity.reachable))).all())  # fmt: skip
    assert reachable[TOM.id] is False and reachable[LEA.id] is True

    # The same report by name, for a program admin in Teams, in English.
    async with srv.runtime.database.unit_of_work() as session:
        program = (await session.scalars(select(Program))).one()
        people = {str(p.email): p.id for p in (await session.scalars(select(Person)))}
        session.add(ProgramAdmin(program_id=program.id, person_id=people["marc@acme.example"]))
        marc_identity = (await session.scalars(select(PlatformIdentity).where(
            PlatformIdentity.platform == "teams"))).one()  # fmt: skip
        marc_identity.reachable = True  # he installed the app again
    await marc.says("admin sessions rm-2027")
    [shown] = marc.cards("Sessions")[-1:]
    assert "2 active pairs" in texts(shown)
    assert "planned 1 · held 2 · skipped 1" in texts(shown)
    assert line_of(texts(shown), "Tom Baker").endswith("(slack) — left the workspace")


async def test_admin_sessions_is_refused_to_people_who_run_no_program(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector, marc, _ = await paired(server, "lea")
    async with srv.runtime.database.unit_of_work() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent))

    await srv.command(LEA, "admin sessions")
    [refused] = srv.posted_to(LEA, "réservée aux administrateurs")[-1:]
    assert "Séances" not in json.dumps(refused.args, ensure_ascii=False)
    await marc.says("admin sessions rm-2027")
    assert marc.cards("This command is for program admins") or any(
        "This command is for program admins" in json.dumps(a) for a in connector.sent_to(marc.chat)
    )
    assert not marc.cards("Sessions")
    async with srv.runtime.database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(ProgramAdmin)) == 0
        # refusals may be audited; nothing else changed
        after = await session.scalar(select(func.count()).select_from(AuditEvent))
        assert after is not None and events is not None and after >= events
