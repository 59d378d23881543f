"""Recognition through the whole server on loopback: signed Slack requests and Bot Framework
activities reach the real endpoints, the fake Slack checks every Web API call against the
spec and the fake connector every activity; the due queue is drained on the test clock.

Léa (Slack, French) mentors Marc (Teams, English), then Marc mentors Léa:
- the mentee thanks the mentor (typed ``thanks`` / ``merci``); the mentor reads it privately,
  the mentee's words inert;
- the pairing closes: a certificate in the mentor's language (its PDF text read back), the
  consent question, a *Say thank you* card for the mentee;
- yes: the shout-out lands in the channel the admins chose (Slack chat.postMessage; a Teams
  channel post) and its place is kept; the manager gets a note in the manager's language;
- no: nothing public, nothing to the manager; a second answer or someone else's click
  changes nothing; ``admin recognition`` counts it all, and refuses non-admins.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import select

from dialogs.recognition.closing import pairing_closed
from storage.feedback.closing import queue_closing
from storage.matching.population import skill_labels
from storage.models import (
    AuditEvent,
    CheckIn,
    Enrollment,
    Pairing,
    Person,
    Program,
    Recognition,
    StoredFile,
)
from storage.recognition import choose_channel
from tests.enrollment.test_enrollment_over_http import submission
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import interactivity_request
from tests.slack.test_cards import click_on
from tests.teams.cards import texts
from tests.teams.conftest import APP_ID, TENANT, activity
from tests.test_matching_over_platforms import (
    LEA,
    MARC_EMAIL,
    RH,
    SECRET,
    TOM,
    Server,
    TeamsPerson,
    server,
)

__all__ = ["server"]

pytestmark = pytest.mark.timeout(180)

STARTED = datetime(2027, 1, 4, 9, tzinfo=UTC)
ENDED = datetime(2027, 6, 30, 15, tzinfo=UTC)
PUBLIC = "C0MERCI01"
TEAM = "19:ventes-general@thread.tacv2"
NEWS = "19:ventes-annonces@thread.tacv2"


async def pair(srv: Server, mentor: str, mentee: str, manager: str, held: int) -> int:
    """``mentor`` coached ``mentee`` from January; ``held`` sessions took place; the mentor's
    manager (HRIS tree) is ``manager``; the mentor offered SEO, which the mentee wanted."""
    async with srv.runtime.database.unit_of_work() as session:
        people = {p.email: p for p in (await session.scalars(select(Person))).all()}
        program = (await session.scalars(select(Program))).one()
        people[mentor].manager_id = people[manager].id
        for row in (await session.scalars(select(Enrollment))).all():
            if row.person_id == people[mentor].id:
                row.skills_offered = [{"skill": "seo", "level": 4}]
            if row.person_id == people[mentee].id:
                row.skills_wanted = [{"skill": "seo", "level": 1}]
        pairing = Pairing(program_id=program.id, mentor_id=people[mentor].id,
                          mentee_id=people[mentee].id, started_at=STARTED)  # fmt: skip
        session.add(pairing)
        await session.flush()
        for n in range(held):
            session.add(CheckIn(pairing_id=pairing.id, ordinal=n + 1, status="held",
                                scheduled_at=datetime(2027, 2, 1 + n, 10, tzinfo=UTC)))  # fmt: skip
        return pairing.id


async def close(srv: Server, pairing_id: int, status: str) -> None:
    """The pairing closes as the program's end (or ``end``) closes it: its closing review is
    queued, whose handler calls the recognition close."""
    async with srv.runtime.database.unit_of_work() as session:
        pairing = await session.get(Pairing, pairing_id)
        assert pairing is not None
        pairing.status, pairing.ended_at = status, ENDED
        await queue_closing(session, pairing_id, srv.runtime.clock.now(), early=False)
    await srv.due()


async def rows(srv: Server, kind: str) -> list[Recognition]:
    async with srv.runtime.database.unit_of_work() as session:
        found = await session.scalars(select(Recognition).where(Recognition.kind == kind))
        return list(found.all())


async def certificate_text(srv: Server, pairing_id: int) -> tuple[str, bytes]:
    """The certificate's PDF text, read back, and its PNG."""
    async with srv.runtime.database.unit_of_work() as session:
        row = (await session.scalars(select(Recognition).where(
            Recognition.kind == "certificate", Recognition.pairing_id == pairing_id))).one()  # fmt: skip
        pdf = await session.get(StoredFile, row.file_id)
        files = (await session.scalars(select(StoredFile).where(
            StoredFile.purpose == "certificate", StoredFile.owner_id == row.to_id))).all()  # fmt: skip
    assert pdf is not None and pdf.media_type == "application/pdf"
    [png] = [f for f in files if f.media_type == "image/png"]
    assert png.content.startswith(b"\x89PNG")
    return PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text(), png.content


def dumped(call: Any) -> str:
    return json.dumps(call.args, ensure_ascii=False)


async def slack_click(srv: Server, user: FakeUser, card: Any, label: str) -> None:
    await srv.slack_post(interactivity_request(SECRET, click_on(srv.slack, user.id, card, label)))


async def test_thanks_certificate_and_consented_shout_out_slack_mentor(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    pairing_id = await pair(srv, LEA.email, MARC_EMAIL, TOM.email, held=4)

    # The program team (French) chooses the Slack channel for shout-outs.
    await srv.command(RH, f"admin recognition channel {PUBLIC} rm-2027")
    assert srv.posted_to(RH, "Les remerciements publics aux mentors de")

    # Marc thanks Léa in Teams: an empty word is refused and nothing is stored.
    await marc.says("thanks")
    [form] = marc.cards("What did you learn")
    refused = await marc.clicks(form, "Send", {"message": "   "})
    assert "Write a few words of thanks." in texts(refused)
    assert await rows(srv, "thanks") == []
    words = "Merci Léa <!channel> *SEO* & @here"
    done = await marc.clicks(form, "Send", {"message": words})
    assert "will receive your words privately" in texts(done)
    await srv.due()
    [thanked] = srv.posted_to(LEA, "Un merci de votre mentoré")
    shown = dumped(thanked)
    assert "Marc Durand" in shown and "Merci Léa" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown  # inert
    [row] = await rows(srv, "thanks")
    assert row.text == words and row.pairing_id == pairing_id

    # The pairing is completed: certificate (French), consent question, thanks offered.
    await close(srv, pairing_id, "completed")
    assert srv.posted_to(LEA, "Votre certificat de mentorat inversé")
    [ask] = srv.posted_to(LEA, "Pouvons-nous vous remercier publiquement")
    assert PUBLIC in dumped(ask) or "remerciements" in dumped(ask)
    [offer] = marc.cards("would mean a lot")
    assert "Say thank you" in json.dumps(offer) and "Léa Martin" in texts(offer)
    text, png = await certificate_text(srv, pairing_id)
    # Slack: both files uploaded into Léa's DM (getUploadURLExternal, completeUploadExternal).
    uploaded = [f for f in srv.slack.shared if srv.slack.shared[f].endswith(LEA.id[1:])]
    assert len(uploaded) == 2 and png in [srv.slack.uploads[f] for f in uploaded]
    assert len(srv.slack.calls_to("files.completeUploadExternal")) >= 1
    async with srv.runtime.database.unit_of_work() as session:
        seo = (await skill_labels(session))["seo"]
    for expected in ("Certificat de mentorat inversé", "Léa Martin", "Mentorat inversé 2027",
                     seo["fr"], format_date(date(2027, 1, 4), "long", locale="fr"),
                     format_date(date(2027, 6, 30), "long", locale="fr"), "4 séances tenues"):  # fmt: skip
        assert expected in text, (expected, text)
    assert "4 janvier 2027" in text and "30 juin 2027" in text

    # Someone else clicking Léa's question changes nothing.
    await slack_click(srv, TOM, ask, "Oui, avec plaisir")
    assert await rows(srv, "shout_out") == []
    late = click_on(srv.slack, LEA.id, ask, "Non, merci")  # an old copy of the card, kept
    # Léa says yes: the shout-out in the chosen channel, the note to Tom in English.
    await slack_click(srv, LEA, ask, "Oui, avec plaisir")
    await srv.due()
    [post] = [c for c in srv.slack.calls_to("chat.postMessage") if c.args.get("channel") == PUBLIC]
    assert "Merci aux mentors" in dumped(post) and seo["fr"] in dumped(post)
    assert post.answer is not None
    [shout] = await rows(srv, "shout_out")
    assert shout.posted == {"platform": "slack", "channel": PUBLIC, "ts": post.answer["ts"],
                            "team_id": srv.slack.team_id}  # fmt: skip
    assert shout.consent_at is not None
    [note] = srv.posted_to(TOM, "Your team member coached a leader")
    assert "Léa Martin" in dumped(note) and "January 4, 2027" in dumped(note)
    assert seo["en"] in dumped(note)
    assert len(await rows(srv, "manager_note")) == 1

    # A second answer changes nothing.
    await srv.slack_post(interactivity_request(SECRET, late))
    await srv.due()
    assert any("Vous avez déjà répondu" in dumped(c) for c in srv.slack.calls)
    assert len(await rows(srv, "shout_out")) == 1
    assert len([c for c in srv.slack.calls_to("chat.postMessage")
                if c.args.get("channel") == PUBLIC]) == 1  # fmt: skip

    # The program team's count, in French; a mentor is refused.
    await srv.command(RH, "admin recognition")
    [listing] = srv.posted_to(RH, "Reconnaissance des mentors")
    nb = "\u202f"
    assert (f"remerciements{nb}: 1 · certificats{nb}: 1 · remerciements publics{nb}: 1 · "
            f"mots au manager{nb}: 1") in dumped(listing)  # fmt: skip
    await srv.command(LEA, "admin recognition")
    assert srv.posted_to(LEA, "Reconnaissance des mentors") == []
    async with srv.runtime.database.unit_of_work() as session:
        refused_events = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "admin.refused")
        )
        assert refused_events.all()


async def test_teams_mentor_english_certificate_and_teams_channel_shout_out(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    # The bot is added to the Sales team; the program team chose its Announcements channel.
    connector.teams[TEAM] = [{"id": TEAM}, {"id": NEWS, "name": "Annonces"}]
    await srv.teams(
        activity(
            connector.service_url, type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}],
            conversation={"id": TEAM, "conversationType": "channel", "isGroup": True,
                          "tenantId": TENANT},
            channelData={"tenant": {"id": TENANT}, "team": {"id": TEAM, "name": "Ventes"},
                         "eventType": "teamMemberAdded"},
        )
    )  # fmt: skip
    async with srv.runtime.database.unit_of_work() as session:
        program = (await session.scalars(select(Program))).one()
        choose_channel(program, {"platform": "teams", "tenant_id": TENANT, "channel": NEWS,
                                 "label": "Ventes > Annonces", "locale": "en"})  # fmt: skip
    pairing_id = await pair(srv, MARC_EMAIL, LEA.email, RH.email, held=3)

    # Léa thanks Marc in Slack, in French: the modal, then the DM in Marc's Teams chat.
    await srv.command(LEA, "merci")
    [view] = [v for v in srv.slack.views.values() if v["type"] == "modal"]
    signed = interactivity_request(SECRET, submission(LEA.id, view, {"message": "Merci Marc !"}))
    async with srv.http.post(f"{srv.url}/slack/events", data=signed.body,
                             headers=signed.headers) as response:  # fmt: skip
        assert response.status == 200
    await srv.settle()
    await srv.due()
    [thanks] = marc.cards("A thank-you from your mentee")
    assert "Merci Marc !" in texts(thanks) and "Léa Martin" in texts(thanks)

    # Ended early after three sessions: still earned. English certificate for Marc.
    await close(srv, pairing_id, "ended")
    assert marc.cards("Your reverse-mentoring certificate")
    [ask] = marc.cards("May we thank you publicly?")
    assert "Ventes &gt; Annonces" in texts(ask)  # Teams markdown, escaped
    text, png = await certificate_text(srv, pairing_id)
    async with srv.runtime.database.unit_of_work() as session:
        seo = (await skill_labels(session))["seo"]
    for expected in ("Certificate of reverse mentoring", "Marc Durand", "Mentorat inversé 2027",
                     seo["en"], "January 4, 2027", "June 30, 2027", "3 sessions held"):  # fmt: skip
        assert expected in text, (expected, text)
    assert len(png) > 10_000
    # Teams: links to /files/{token} that serve the very files.
    links = [n["url"] for n in walk(marc.cards("Your reverse-mentoring certificate")[0])
             if n.get("type") == "Action.OpenUrl"]  # fmt: skip
    served = []
    for link in links:
        async with srv.http.get(f"{srv.url}{urlsplit(link).path}") as response:
            assert response.status == 200
            served.append(await response.read())
    assert png in served and any(b.startswith(b"%PDF") for b in served)
    assert (
        PdfReader(io.BytesIO(next(b for b in served if b.startswith(b"%PDF"))))
        .pages[0]
        .extract_text()
        == text
    )
    assert srv.posted_to(LEA, "Remercier votre mentor")  # the offer, in Léa's language

    answered = await marc.clicks(ask, "Yes, gladly")
    assert "Thank you!" in texts(answered)
    await srv.due()
    [post] = [a for a in connector.sent_to(NEWS) if "Thank you, mentors!" in json.dumps(a)]
    [shout] = await rows(srv, "shout_out")
    assert shout.posted["platform"] == "teams"
    assert shout.posted["conversation_id"].startswith(NEWS)
    assert shout.posted["channel"] == shout.posted["conversation_id"]
    assert shout.posted["tenant_id"] == TENANT
    assert shout.posted["activity_id"] == post["id"]
    # Rose, Marc's manager, reads the note in French.
    [note] = srv.posted_to(RH, "Un membre de votre équipe a accompagné un dirigeant")
    assert "Marc Durand" in dumped(note) and "4 janvier 2027" in dumped(note)


async def test_without_consent_nothing_is_public_and_the_manager_is_not_told(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    await srv.command(RH, f"admin recognition channel {PUBLIC} rm-2027")
    # Ended after one session: no certificate, no question; the thanks is still offered.
    early = await pair(srv, LEA.email, MARC_EMAIL, TOM.email, held=1)
    await close(srv, early, "ended")
    assert srv.posted_to(LEA, "Pouvons-nous vous remercier") == []
    assert await rows(srv, "certificate") == []
    assert marc.cards("would mean a lot")

    full = await pair(srv, LEA.email, MARC_EMAIL, TOM.email, held=5)
    await close(srv, full, "completed")
    [ask] = srv.posted_to(LEA, "Pouvons-nous vous remercier publiquement")
    await slack_click(srv, LEA, ask, "Non, merci")
    await srv.due()
    assert srv.posted_to(LEA, "rien n’est publié")
    assert [
        c for c in srv.slack.calls_to("chat.postMessage") if c.args.get("channel") == PUBLIC
    ] == []
    assert srv.posted_to(TOM, "Your team member") == []
    assert await rows(srv, "shout_out") == [] and await rows(srv, "manager_note") == []
    assert len(await rows(srv, "certificate")) == 1
    # The close told twice (a replay) makes no second certificate.
    async with srv.runtime.database.unit_of_work() as session:
        await pairing_closed(session, full, srv.runtime.clock.now())
    await srv.due()
    assert len(await rows(srv, "certificate")) == 1


async def test_a_shout_out_that_cannot_be_posted_is_reported_to_the_admin(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    async with srv.runtime.database.unit_of_work() as session:
        rose = (await session.scalars(select(Person).where(Person.email == RH.email))).one()
        program = (await session.scalars(select(Program))).one()
        # A Teams channel the bot was never added to.
        choose_channel(program, {"platform": "teams", "tenant_id": TENANT,
                                 "channel": "19:gone@thread.tacv2", "label": "Ventes > Vieux",
                                 "locale": "en", "admin_id": rose.id})  # fmt: skip
    pairing_id = await pair(srv, MARC_EMAIL, LEA.email, TOM.email, held=3)
    await close(srv, pairing_id, "completed")
    [ask] = marc.cards("May we thank you publicly?")
    await marc.clicks(ask, "Yes, gladly")
    await srv.due()
    assert await rows(srv, "shout_out") == []  # never posted: not counted as sent
    [told] = srv.posted_to(RH, "Un remerciement public n’a pas été publié")
    assert "Vieux" in dumped(told) and "Mentorat inversé 2027" in dumped(told)
    assert srv.posted_to(TOM, "Your team member coached a leader")  # the note still goes


def walk(node: Any) -> list[dict[str, Any]]:
    """Every object inside an Adaptive Card."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += walk(value)
    elif isinstance(node, list):
        for value in node:
            found += walk(value)
    return found


async def test_forget_me_takes_the_shout_out_and_the_certificate_away(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    await srv.command(RH, f"admin recognition channel {PUBLIC} rm-2027")
    pairing_id = await pair(srv, LEA.email, MARC_EMAIL, TOM.email, held=3)
    await close(srv, pairing_id, "completed")
    [ask] = srv.posted_to(LEA, "Pouvons-nous vous remercier publiquement")
    await slack_click(srv, LEA, ask, "Oui, avec plaisir")
    await srv.due()
    [shout] = await rows(srv, "shout_out")
    assert (PUBLIC, shout.posted["ts"]) in srv.slack.messages
    uploaded = set(srv.slack.shared)
    assert len(uploaded) == 2

    await srv.command(LEA, "oubliez-moi")
    card = srv.posted_to(LEA, "j’efface définitivement")[-1]
    await slack_click(srv, LEA, card, "Effacer mes données")
    await srv.due()
    assert (PUBLIC, shout.posted["ts"]) not in srv.slack.messages  # chat.delete
    assert not uploaded & set(srv.slack.uploads)  # files.delete, both
    async with srv.runtime.database.unit_of_work() as session:
        assert (await session.scalars(select(Recognition))).all() == []
        assert (await session.scalars(select(StoredFile))).all() == []
