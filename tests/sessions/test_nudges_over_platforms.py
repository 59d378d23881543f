"""Nudges through the whole server, Slack and Teams side by side on loopback.

Léa (mentor, Slack, French) and Marc (leader, Teams, English) were paired and never planned
a session. The test moves the server's clock forward and fires the daily routine as the
scheduler would: a nudge reaches each on their own platform in their own language; a
snooze holds it and it comes back when the snooze ends; two ignored nudges bring an
at-risk alert to the program team (Rose, Slack, French) and never a third nudge; a leader
with two pairs gets one digest instead of several pings.
"""

from __future__ import annotations

import json
from datetime import time, timedelta

from sqlalchemy import select

from bot.domain.sessions.nudges import NUDGES_ROUTINE
from storage.models import CheckIn, Nudge, Pairing, Person, Program
from storage.queue import DueQueue
from storage.routines import enqueue_fire
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_signing import interactivity_request
from tests.slack.test_cards import click_on
from tests.support.clock import T0
from tests.teams.cards import texts
from tests.test_matching_over_platforms import LEA, RH, SECRET, TOM, Server, TeamsPerson, server

__all__ = ["server"]  # the running server with Slack and Teams fakes, and its seeded program


async def pair_up(srv: Server, *mentors: str) -> dict[str, str]:
    """Pairings accepted at T0 between Marc (leader) and each mentor, straight in storage
    (the scheduling flows are not what this test is about); person ids by email name."""
    async with srv.runtime.database.unit_of_work() as session:
        people = {str(p.email).split("@")[0]: p.id for p in await session.scalars(select(Person))}
        program = (await session.scalars(select(Program))).one()
        for mentor in mentors:
            session.add(Pairing(program_id=program.id, mentor_id=people[mentor],
                                mentee_id=people["marc"], started_at=T0))  # fmt: skip
    return people


async def day(srv: Server, n: float) -> None:
    """Move the server's clock to ``n`` days after T0, fire the daily routine as the
    scheduler would at that moment, and run what falls due."""
    at = T0 + timedelta(days=n)
    srv.runtime.clock.set(at)  # type: ignore[attr-defined]
    [routine] = [r for r in srv.runtime.all_routines() if r.name == NUDGES_ROUTINE]
    if routine.kind not in srv.runtime.handlers:  # the server's Ticker registers it; none runs here
        srv.runtime.handlers.register(routine.kind)(routine.fn)
    await enqueue_fire(DueQueue(srv.runtime.database), routine, at)
    await srv.due()


async def moved(srv: Server, days: float) -> None:
    """Time passes (no daily round): only what was due by then runs."""
    srv.runtime.clock.set(srv.runtime.clock.now() + timedelta(days=days))  # type: ignore[attr-defined]
    await srv.due()


async def everyone_says_hello(srv: Server, marc: TeamsPerson) -> None:
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")


async def paired(
    server: tuple[Server, FakeBotConnector], *mentors: str
) -> tuple[Server, FakeBotConnector, TeamsPerson, dict[str, str]]:
    """Everyone has talked to Tandem once (each platform knows them); Marc is paired."""
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await everyone_says_hello(srv, marc)
    return srv, connector, marc, await pair_up(srv, *mentors)


async def nudges(srv: Server) -> list[tuple[str, str, str | None]]:
    async with srv.runtime.database.unit_of_work() as session:
        rows = await session.scalars(select(Nudge).order_by(Nudge.id))
        return [(n.person_id, n.kind, n.answer) for n in rows]


async def test_a_nudge_is_snoozed_and_comes_back_after_the_snooze(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, _, marc, _ = await paired(server, "lea")

    await day(srv, 2)
    assert srv.posted_to(LEA, "première séance") == [] and marc.cards("first session") == []
    await day(srv, 3)
    [lea_nudge] = srv.posted_to(LEA, "Votre première séance")
    assert "Marc Durand" in json.dumps(lea_nudge.args, ensure_ascii=False)
    assert "Reporter d’un jour" in json.dumps(lea_nudge.args, ensure_ascii=False)
    [marc_nudge] = marc.cards("Your first session")
    assert "Léa Martin" in texts(marc_nudge)

    answer = await marc.clicks(marc_nudge, "Snooze 1 day")
    assert "I will remind you tomorrow" in texts(answer)
    await day(srv, 3.5)  # a rerun of the routine the same day sends nothing new
    assert len(marc.cards("Your first session")) == 1
    assert len(srv.posted_to(LEA, "Votre première séance")) == 1

    await moved(srv, 0.6)  # the snooze is over: Marc's nudge comes back, Léa's does not
    assert len(marc.cards("Your first session")) == 2
    assert len(srv.posted_to(LEA, "Votre première séance")) == 1

    # Léa says all is well in Slack: her card closes and that nudge stops for the pair.
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_nudge, "Tout va bien"))
    )
    closed = [c for c in srv.slack.calls_to("chat.update")
              if c.args.get("ts") == lea_nudge.answer["ts"]]  # fmt: skip
    assert closed and "Reporter" not in json.dumps(closed[-1].args, ensure_ascii=False)
    await day(srv, 11)
    assert [a for _, k, a in await nudges(srv) if k == "no_session"].count("fine") == 1
    assert len(srv.posted_to(LEA, "Votre première séance")) == 1


async def test_two_ignored_nudges_alert_the_admins_and_no_third_nudge(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, _, marc, people = await paired(server, "lea")

    for n in (3, 10):  # a week apart: one nudge each, ignored
        await day(srv, n)
    assert len(srv.posted_to(LEA, "Votre première séance")) == 2
    assert len(marc.cards("Your first session")) == 2
    assert srv.posted_to(RH, "besoin de vous") == []

    await day(srv, 12)  # the second went unanswered two days: the team is told, once
    [alert] = srv.posted_to(RH, "Un binôme a peut-être besoin de vous")
    said = json.dumps(alert.args, ensure_ascii=False)
    assert "Léa Martin" in said and "Marc Durand" in said
    assert "n’a pas répondu à 2 rappels" in said and "admin sessions" in said
    for n in (17, 24, 31):
        await day(srv, n)
    assert len(srv.posted_to(LEA, "Votre première séance")) == 2  # never a third
    assert len(marc.cards("Your first session")) == 2
    assert len(srv.posted_to(RH, "besoin de vous")) == 1
    async with srv.runtime.database.unit_of_work() as session:  # nobody was removed
        assert (await session.scalars(select(Pairing.status))).all() == ["active"]
    assert (people["lea"], "at_risk", None) in await nudges(srv)
    # The team sees the pair at risk with the nudges sent and how many went unanswered.
    await srv.command(RH, "admin sessions")
    [report] = srv.posted_to(RH, "Séances")[-1:]
    shown = json.dumps(report.args, ensure_ascii=False).replace("\\n", "\n").split("\n")
    [line] = [line for line in shown if "Léa Martin" in line and "relances" in line]
    assert "relances 4 (4 sans réponse)" in line and "à risque" in line


async def test_a_leader_with_two_pairs_gets_one_digest(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, _, marc, _ = await paired(server, "lea", "tom")

    await day(srv, 3)
    assert marc.cards("Your first session") == []
    [digest] = marc.cards("Your mentoring this week")
    assert "Léa Martin" in texts(digest) and "Tom Baker" in texts(digest)
    assert texts(digest).count("first session not planned yet") == 2
    assert len(srv.posted_to(LEA, "Votre première séance")) == 1
    assert len(srv.posted_to(TOM, "Your first session")) == 1

    answer = await marc.clicks(digest, "Snooze 1 week")
    assert "in a week" in texts(answer)
    await day(srv, 5)
    assert len(marc.cards("Your mentoring this week")) == 1
    await day(srv, 10.5)  # the week's snooze is over: one digest again, never single pings
    assert len(marc.cards("Your mentoring this week")) == 2
    assert marc.cards("Your first session") == []


async def test_the_nudge_about_an_unanswered_session_answers_it_on_each_platform(
    server: tuple[Server, FakeBotConnector],
) -> None:
    """Léa and Marc met (or not) on day 1 and nobody said whether it happened: the nudge
    carries the session's Yes / No / Moved. Tom, outside the pair, is refused; Léa's Oui in
    Slack and Marc's Yes in Teams record the session held, and the next one is planned."""
    srv, _, marc, people = await paired(server, "lea")
    async with srv.runtime.database.unit_of_work() as session:
        pairing = (await session.scalars(select(Pairing))).one()
        check_in = CheckIn(pairing_id=pairing.id, scheduled_at=T0 + timedelta(days=1),
                           status="planned", zone="Europe/Paris", local_start=time(12),
                           confirmed_at=T0, duration_minutes=45)  # fmt: skip
        session.add(check_in)
        await session.flush()
        check_in_id = check_in.id

    await day(srv, 3)
    [lea_nudge] = srv.posted_to(LEA, "Votre séance a-t-elle eu lieu")
    shown = json.dumps(lea_nudge.args, ensure_ascii=False)
    assert all(label in shown for label in ("Oui", "Non", "Déplacée", "Reporter d’un jour"))
    [marc_nudge] = marc.cards("Did your session happen?")
    assert "Snooze 1 day" in json.dumps(marc_nudge) and "Moved" in json.dumps(marc_nudge)

    # Tom clicks Léa's Oui (a forwarded card): refused, nothing recorded.
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, TOM.id, lea_nudge, "Oui"))
    )
    async with srv.runtime.database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and (row.status, row.answers) == ("planned", {})

    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_nudge, "Oui"))
    )
    answer = await marc.clicks(marc_nudge, "Yes")
    assert "your session happened" in texts(answer)
    async with srv.runtime.database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and row.status == "held"
        assert set(row.answers or {}) == {people["lea"], people["marc"]}
    await srv.due()
    assert len(srv.posted_to(LEA, "Votre prochaine séance est prévue")) == 1
    assert len(marc.cards("Your next session is planned")) == 1
    assert [a for _, k, a in await nudges(srv) if k == "unanswered"] == ["acted", "acted"]
