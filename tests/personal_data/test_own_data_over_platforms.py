"""``my data`` and ``forget me`` through the whole server on loopback: Léa in Slack (French,
signed requests) and Marc in Teams (English, the fake Bot Connector).

Léa mentors Marc; each answered a survey and set a goal, with a word of their own. ``my
data`` reaches Léa as a file uploaded into her Slack DM (the upload flow, checked against
the spec) and Marc as a link to ``/files/{token}``; each file holds the person's own record,
as ``tandem people export`` writes it, and their own answers, never the other's. The link
answers 404, the same bare 404, once forged, altered, expired or its file deleted.

``forget me`` asks first: Cancel changes nothing. Confirmed, the shout-out about them is
deleted from its channel (Slack ``chat.delete``, Teams delete activity), Léa's uploaded
file from Slack (``files.delete``), then the erasure: no cell of any table holds their
email, their name or their words. Each is told once, in their language, that it is done.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from dialogs.core.ui import Message, Section
from dialogs.files import file_keys, file_message
from dialogs.notify.delivery import Recipient
from storage.files import store_file
from storage.models import (
    DueAction,
    Feedback,
    FeedbackRequest,
    Goal,
    Pairing,
    Person,
    Program,
    Recognition,
    StoredFile,
)
from storage.people.hris import export_people
from storage.team_channels import KnownChannel, keep_channels
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_signing import interactivity_request
from tests.slack.test_cards import click_on
from tests.teams.cards import card_of, texts
from tests.teams.conftest import TENANT
from tests.test_forget_scan import scan_tables
from tests.test_matching_over_platforms import (
    LEA,
    MARC_EMAIL,
    SECRET,
    Server,
    TeamsPerson,
    server,
)

__all__ = ["server"]  # the fixture, shared with the matching test

pytestmark = pytest.mark.timeout(240)

LEA_WORD, MARC_WORD = "pixelbrioche", "tableurmagique"  # each typed by one of them only
SHOUT_CHANNEL = "C0MERCI01"
TEAMS_CHANNEL = "19:merci@thread.tacv2"


async def seed_answers(srv: Server) -> dict[str, Any]:
    """Léa mentors Marc; each answered a session survey and set a goal."""
    async with srv.runtime.database.unit_of_work() as session:
        people = {p.email: p for p in (await session.scalars(select(Person))).all()}
        lea, marc = people[LEA.email], people[MARC_EMAIL]
        program = (await session.scalars(select(Program))).one()
        pairing = Pairing(program_id=program.id, mentor_id=lea.id, mentee_id=marc.id)
        session.add(pairing)
        await session.flush()
        for person, role, word in ((lea, "mentor", LEA_WORD), (marc, "mentee", MARC_WORD)):
            request = FeedbackRequest(
                key=f"pulse:{pairing.id}:{person.id}:2027-01", kind="pulse",
                pairing_id=pairing.id, person_id=person.id, role=role, status="answered",
            )  # fmt: skip
            session.add(request)
            await session.flush()
            session.add(
                Feedback(
                    pairing_id=pairing.id, request_id=request.id, person_id=person.id,
                    kind="pulse", role=role, pulse="fine", comment=f"Mon mot : {word}",
                )
            )  # fmt: skip
            session.add(Goal(pairing_id=pairing.id, text=f"Objectif {word}", created_by=person.id))
        return {"lea": lea.id, "marc": marc.id, "pairing": pairing.id}


async def shout_out(srv: Server, platform: str, to_id: str, pairing_id: int) -> dict[str, str]:
    """A shout-out posted in a channel as the recognition capability does, and its row."""
    message = Message((Section(()),), summary="Merci !")
    channel = srv.runtime.channels[platform]
    if platform == "slack":
        ref = await channel.announce(srv.slack.team_id, SHOUT_CHANNEL, message)
        posted = {"platform": "slack", "channel": ref.conversation_id, "ts": ref.message_id}
    else:
        ref = await channel.announce(TENANT, TEAMS_CHANNEL, message)
        posted = {
            "platform": "teams", "channel": ref.conversation_id,
            "activity_id": ref.message_id, "tenant_id": TENANT,
        }  # fmt: skip
    async with srv.runtime.database.unit_of_work() as session:
        session.add(
            Recognition(pairing_id=pairing_id, kind="shout_out", to_id=to_id, posted=posted,
                        text="Bravo et merci", consent_at=srv.runtime.clock.now())
        )  # fmt: skip
    return posted


async def person(srv: Server, person_id: str) -> Person:
    async with srv.runtime.database.unit_of_work() as session:
        found = await session.get(Person, person_id)
        assert found is not None
        return found


async def forget_actions(srv: Server) -> list[DueAction]:
    async with srv.runtime.database.unit_of_work() as session:
        rows = await session.scalars(select(DueAction).where(DueAction.kind == "privacy.forget_me"))
        return list(rows)


async def test_slack_in_french_my_data_then_forget_me(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, _connector = server
    slack = srv.slack
    await srv.command(LEA, "aide")
    ids = await seed_answers(srv)
    posted = await shout_out(srv, "slack", ids["lea"], ids["pairing"])
    assert (posted["channel"], posted["ts"]) in slack.messages

    # "mes données": a file uploaded into her DM (the upload flow, never files.upload).
    await srv.command(LEA, "mes données")
    assert srv.posted_to(LEA, "Vos données")
    [started] = slack.calls_to("files.getUploadURLExternal")
    [completed] = slack.calls_to("files.completeUploadExternal")
    assert slack.calls_to("files.upload") == []
    slack_file = started.answer["file_id"] if started.answer else ""
    assert slack.shared[slack_file] == "D" + LEA.id[1:]
    assert json.loads(completed.args["files"])[0]["id"] == slack_file
    exported = json.loads(slack.uploads[slack_file])
    [record] = await export_people(srv.runtime.database, LEA.email)
    assert exported["person"] == json.loads(json.dumps(record, default=str))
    assert [f["person_id"] for f in exported["feedback"]] == [ids["lea"]]
    assert [r["person_id"] for r in exported["feedback_requests"]] == [ids["lea"]]
    assert [g["created_by"] for g in exported["goals"]] == [ids["lea"]]
    text = slack.uploads[slack_file].decode()
    assert LEA_WORD in text and MARC_WORD not in text and MARC_EMAIL not in text
    async with srv.runtime.database.unit_of_work() as session:
        [stored] = (await session.scalars(select(StoredFile))).all()
        assert (stored.owner_id, stored.slack_file_id) == (ids["lea"], slack_file)
        assert stored.slack_team_id == slack.team_id

    # "oublie-moi": a confirmation; Annuler changes nothing.
    await srv.command(LEA, "oublie-moi")
    [card] = srv.posted_to(LEA, "j’efface définitivement")
    await srv.slack_post(interactivity_request(SECRET, click_on(slack, LEA.id, card, "Annuler")))
    await srv.due()
    assert srv.posted_to(LEA, "Rien n’a été effacé")
    assert (await person(srv, ids["lea"])).email == LEA.email
    assert await forget_actions(srv) == []
    assert slack_file in slack.uploads and (posted["channel"], posted["ts"]) in slack.messages

    # Confirmed: the shout-out and the file leave Slack, then the database forgets her.
    await srv.command(LEA, "oubliez-moi")
    card = srv.posted_to(LEA, "j’efface définitivement")[-1]
    erase = click_on(slack, LEA.id, card, "Effacer mes données")
    await srv.slack_post(interactivity_request(SECRET, erase))
    await srv.due()
    [deleted] = slack.calls_to("chat.delete")
    assert (deleted.args["channel"], str(deleted.args["ts"])) == (posted["channel"], posted["ts"])
    assert (posted["channel"], posted["ts"]) not in slack.messages
    [removed] = slack.calls_to("files.delete")
    assert removed.args["file"] == slack_file and slack_file not in slack.uploads
    tombstone = await person(srv, ids["lea"])
    assert tombstone.erased_at is not None and tombstone.email is None
    async with srv.runtime.database.unit_of_work() as session:
        assert (await session.scalars(select(StoredFile))).all() == []
        assert (await session.scalars(select(Recognition))).all() == []
    found = await scan_tables(
        srv.runtime.database, [LEA.email, "Léa", "Martin", "Léa Martin", LEA.id, LEA_WORD]
    )
    assert found == []
    [goodbye] = srv.posted_to(LEA, "C’est fait")
    assert "je ne sais plus qui vous êtes" in json.dumps(goodbye.args, ensure_ascii=False).lower()
    # Marc keeps his own answers.
    async with srv.runtime.database.unit_of_work() as session:
        comments = (await session.scalars(select(Feedback.comment))).all()
    assert sorted(c or "" for c in comments) == ["", f"Mon mot : {MARC_WORD}"]


async def test_teams_in_english_my_data_link_then_forget_me(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await marc.says("help")
    ids = await seed_answers(srv)
    async with srv.runtime.database.unit_of_work() as session:
        await keep_channels(
            session, TENANT, "19:team@thread.tacv2", "Acme", [KnownChannel(TEAMS_CHANNEL, "Merci")],
            connector.service_url, {"id": "28:tandem", "name": "Tandem"},
        )  # fmt: skip
    posted = await shout_out(srv, "teams", ids["marc"], ids["pairing"])
    assert (posted["channel"], posted["activity_id"]) in connector.messages

    # "my data": a card with a link to /files/{token}.
    await marc.says("my data")
    [card] = marc.cards("Your data")
    [link] = [node for node in _walk(card) if node.get("type") == "Action.OpenUrl"]
    assert link["title"] == "Download your data"
    path = urlsplit(link["url"]).path
    async with srv.http.get(f"{srv.url}{path}") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="tandem-my-data-')
        assert response.headers["Cache-Control"] == "private, no-store"
        body = await response.read()
    exported = json.loads(body)
    [record] = await export_people(srv.runtime.database, MARC_EMAIL)
    assert exported["person"] == json.loads(json.dumps(record, default=str))
    assert [f["person_id"] for f in exported["feedback"]] == [ids["marc"]]
    assert MARC_WORD in body.decode() and LEA_WORD not in body.decode()
    assert srv.slack.calls_to("files.getUploadURLExternal") == []  # Teams gets a link only

    # Forged, altered, expired or deleted: the same bare 404.
    token = path.rsplit("/", 1)[1]
    altered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    answers = []
    for wrong in ("A" * 43, altered, "not-a-token"):
        async with srv.http.get(f"{srv.url}/files/{wrong}") as response:
            answers.append((response.status, await response.text()))
    srv.runtime.clock.set(srv.runtime.clock.now() + timedelta(days=8))  # type: ignore[attr-defined]
    async with srv.http.get(f"{srv.url}{path}") as response:
        answers.append((response.status, await response.text()))
    srv.runtime.clock.set(srv.runtime.clock.now() - timedelta(days=8))  # type: ignore[attr-defined]
    async with srv.http.get(f"{srv.url}{path}") as response:
        assert response.status == 200  # back within its week
    async with srv.runtime.database.unit_of_work() as session:
        [stored] = (await session.scalars(select(StoredFile))).all()
        await session.delete(stored)
    async with srv.http.get(f"{srv.url}{path}") as response:
        answers.append((response.status, await response.text()))
    assert len(set(answers)) == 1 and answers[0][0] == 404

    # "forget me": Cancel changes nothing.
    await marc.says("forget me")
    [confirm] = marc.cards("I erase for good")
    cancelled = await marc.clicks(confirm, "Cancel")
    assert "Nothing was erased" in texts(cancelled)
    await srv.due()
    assert (await person(srv, ids["marc"])).email == MARC_EMAIL
    assert await forget_actions(srv) == []

    # Confirmed: the post about him leaves its channel, then the database forgets him.
    await marc.says("forget me")
    confirm = marc.cards("I erase for good")[-1]
    await marc.clicks(confirm, "Erase my data")
    await srv.due()
    assert (posted["channel"], posted["activity_id"]) not in connector.messages
    deletes = [c for c in connector.calls if c.operation == "delete"]
    assert [c.activity_id for c in deletes] == [posted["activity_id"]]
    tombstone = await person(srv, ids["marc"])
    assert tombstone.erased_at is not None and tombstone.email is None
    found = await scan_tables(
        srv.runtime.database, [MARC_EMAIL, "Marc Durand", "Durand", "aad-marc", MARC_WORD]
    )
    assert found == []
    goodbye = [
        texts(card_of(a)) for a in connector.sent_to(marc.chat)
        if a.get("attachments") and "I have erased everything" in texts(card_of(a))
    ]  # fmt: skip
    assert len(goodbye) == 1 and "I no longer know who you are" in goodbye[0]
    # Léa, the other side, keeps her answers; the pairing's history holds by opaque id.
    async with srv.runtime.database.unit_of_work() as session:
        comments = (await session.scalars(select(Feedback.comment))).all()
        assert sorted(c or "" for c in comments) == ["", f"Mon mot : {LEA_WORD}"]
        assert (await session.get(Pairing, ids["pairing"])) is not None


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


async def test_a_file_sent_proactively_is_uploaded_into_the_dm(
    server: tuple[Server, FakeBotConnector],
) -> None:
    """What other capabilities do (a certificate, a chart): store, then send through the
    person's channel; Slack gets the bytes in the DM and the upload is recorded."""
    srv, _connector = server
    slack = srv.slack
    await srv.command(LEA, "help")
    now = srv.runtime.clock.now()
    async with srv.runtime.database.unit_of_work() as session:
        lea = (await session.scalars(select(Person).where(Person.email == LEA.email))).one()
        stored = await store_file(
            session, owner_id=lea.id, purpose="certificate", filename="certificat-léa.png",
            media_type="image/png", content=b"\x89PNG-not-really", now=now,
        )  # fmt: skip
        recipient = Recipient(lea.id, "slack", slack.team_id, LEA.id, "fr", "Europe/Paris")
    message = file_message(
        stored, file_keys(srv.runtime.calendar_keys), title="Votre certificat",
        text="Bravo !", label="Télécharger", now=now,
    )  # fmt: skip
    await srv.runtime.channels["slack"].send(recipient, message)
    [started] = slack.calls_to("files.getUploadURLExternal")
    slack_file = started.answer["file_id"] if started.answer else ""
    assert started.args["filename"] == "certificat-léa.png"
    assert slack.uploads[slack_file] == b"\x89PNG-not-really"
    assert slack.shared[slack_file] == "D" + LEA.id[1:]
    assert srv.posted_to(LEA, "Votre certificat")
    async with srv.runtime.database.unit_of_work() as session:
        row = await session.get(StoredFile, stored.id)
        assert row is not None and (row.slack_team_id, row.slack_file_id) == (
            slack.team_id,
            slack_file,
        )
