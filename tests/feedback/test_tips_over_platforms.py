""" "Try it this week" and ``admin tips`` through the whole server on loopback.

Léa mentors Marc (Teams, English, who wants SEO and social ads) and is herself mentored by
Tom in generative AI (Slack, French). Two days after each held session, each mentee gets
one tip from the seeded catalogue, in their language, once per session; someone else's
"not for me" is refused; Léa's own stops hers for that pairing only. Then the program team
(Rose, Slack, French) lists, adds and deactivates tips; bad input changes nothing; Léa and
Marc, who are not admins, are refused in their language.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.domain.feedback.tips import TIPS_ROUTINE
from storage.models import CheckIn, Enrollment, Pairing, Tip
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_signing import interactivity_request
from tests.feedback.goals_world import (
    fire,
    last_modal,
    move_to,
    pair,
    people,
    say_hello,
    submit_modal,
)
from tests.slack.test_cards import click_on
from tests.support.clock import T0
from tests.teams.cards import texts
from tests.test_matching_over_platforms import LEA, RH, SECRET, Server, TeamsPerson, server

__all__ = ["server"]

pytestmark = pytest.mark.timeout(240)

NNBSP = "\u202f"


async def held(srv: Server, pairing_id: int, day: float, ordinal: int) -> None:
    async with srv.runtime.database.unit_of_work() as session:
        session.add(CheckIn(pairing_id=pairing_id, ordinal=ordinal, status="held",
                            scheduled_at=T0 + timedelta(days=day), duration_minutes=45,
                            answers={}))  # fmt: skip


async def declined(srv: Server) -> dict[int, bool]:
    async with srv.runtime.database.unit_of_work() as session:
        return {
            p.id: p.tips_declined_at is not None for p in await session.scalars(select(Pairing))
        }


async def test_a_tip_after_a_held_session_in_teams_and_slack(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await say_hello(srv, marc)
    ids = await people(srv)
    with_marc = await pair(srv, "lea", "marc")
    with_lea = await pair(srv, "tom", "lea")
    async with srv.runtime.database.unit_of_work() as session:
        await session.execute(update(Enrollment).where(Enrollment.person_id == ids["lea"]).values(
            skills_wanted=[{"skill": "generative_ai", "level": 1}]))  # fmt: skip
    await held(srv, with_marc, 1, 1)
    await held(srv, with_lea, 1, 1)

    await fire(srv, TIPS_ROUTINE, T0 + timedelta(days=1, hours=3))
    assert marc.cards("Try it this week") == []  # two days after the session, not before
    await move_to(srv, T0 + timedelta(days=3, hours=1))
    [marc_tip] = marc.cards("Try it this week")
    assert "Search Google for the three words" in texts(marc_tip)
    assert "Search engine optimisation (SEO)" in texts(marc_tip)
    [lea_tip] = srv.posted_to(LEA, "À essayer cette semaine")
    assert "assistant d’IA" in json.dumps(lea_tip.args, ensure_ascii=False)
    await fire(srv, TIPS_ROUTINE, T0 + timedelta(days=4))  # once per session
    assert len(marc.cards("Try it this week")) == 1
    assert len(srv.posted_to(LEA, "À essayer cette semaine")) == 1

    # Rose, outside the pair, sends a click on Léa's "not for me": refused, nothing changes.
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, RH.id, lea_tip, "Pas pour moi"))
    )
    assert srv.posted_to(RH, "ne vous est pas adressée")
    assert await declined(srv) == {with_marc: False, with_lea: False}
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_tip, "Pas pour moi"))
    )
    assert srv.posted_to(LEA, f"Entendu{NNBSP}: plus de suggestions")
    assert await declined(srv) == {with_marc: False, with_lea: True}

    # The next sessions: Marc gets the next tip (his other skill), Léa none.
    await held(srv, with_marc, 8, 2)
    await held(srv, with_lea, 8, 2)
    await fire(srv, TIPS_ROUTINE, T0 + timedelta(days=10, hours=1))
    assert "Meta's Ad Library" in texts(marc.cards("Try it this week")[-1])
    assert len(marc.cards("Try it this week")) == 2
    assert len(srv.posted_to(LEA, "À essayer cette semaine")) == 1


async def tips(srv: Server) -> list[tuple[int, str, bool, str | None]]:
    async with srv.runtime.database.unit_of_work() as session:
        rows = await session.scalars(select(Tip).order_by(Tip.id))
        return [(t.id, t.skill_key, t.active, t.created_by) for t in rows]


async def test_admin_tips_in_slack_and_refusals_in_slack_and_teams(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await say_hello(srv, marc)
    ids = await people(srv)
    seeded = await tips(srv)
    assert len(seeded) >= 36 and all(active and by is None for _, _, active, by in seeded)

    await srv.command(RH, "admin tips")
    [listing] = srv.posted_to(RH, "Idées à essayer cette semaine")
    assert "3 idées" in json.dumps(listing.args, ensure_ascii=False)
    await srv.command(RH, "admin conseils liste seo")
    [seo] = srv.posted_to(RH, f"Idées{NNBSP}: Référencement naturel (SEO)")
    shown = json.dumps(seo.args, ensure_ascii=False)
    assert "Tapez dans Google" in shown and "Search Google" in shown

    # Adding: the form opens from the slash command; a short text is refused by field.
    await srv.command(RH, "admin tips add seo")
    view = last_modal(srv.slack)
    assert view["title"]["text"] == "Ajouter une idée"
    fields = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert set(fields) >= {"skill", "fr", "en"}
    ack = await submit_modal(
        srv, RH.id, view, {"fr": "Trop", "en": "Look at <!channel> for 15 minutes."}
    )
    assert ack.get("response_action") == "errors" and "fr" in ack["errors"], ack
    assert await tips(srv) == seeded
    # The corrected form comes back with the same view id and hash (showing errors does not
    # update the view): only what she typed differs, and that is not a duplicate.
    ack = await submit_modal(srv, RH.id, view, {
        "fr": "Regardez la page d’accueil du site sur votre téléphone pendant cinq minutes.",
        "en": "Look at the website's home page on your phone for five minutes.",
    })  # fmt: skip
    assert ack.get("response_action") == "clear", ack
    added = await tips(srv)
    assert added[:-1] == seeded and added[-1][1:] == ("seo", True, ids["rh"])
    assert srv.posted_to(RH, "Idée ajoutée")

    # Deactivating: a button of the skill's list; then typed, with bad input.
    await srv.command(RH, "admin tips list seo")
    listing = srv.posted_to(RH, f"Idées{NNBSP}: Référencement naturel (SEO)")[-1]
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, RH.id, listing, "Désactiver"))
    )
    assert srv.posted_to(RH, "Idée désactivée")
    first_seo = next(t for t in seeded if t[1] == "seo")
    after = await tips(srv)
    assert [t for t in after if not t[2]] == [(first_seo[0], "seo", False, None)]
    for typed in ("admin tips deactivate abc", "admin tips deactivate 999999"):
        await srv.command(RH, typed)
    assert srv.posted_to(RH, "Quelle idée") and srv.posted_to(RH, "Je ne connais pas cette idée")
    assert await tips(srv) == after

    # Not admins: refused in their language, nothing changes.
    await srv.command(LEA, "admin tips add")
    assert srv.posted_to(LEA, "réservée aux administrateurs")
    await marc.says("admin tips deactivate 1")
    assert "for program admins" in json.dumps(connector.sent_to(marc.chat)[-1])
    assert await tips(srv) == after
