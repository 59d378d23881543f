"""Forgetting a person: a tombstone in the management tree, and their data nowhere else."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import JSON, String, select

from storage.db import Database
from storage.models import (
    AuditEvent,
    Base,
    Consent,
    ConsoleMessage,
    DialogState,
    DueAction,
    Enrollment,
    Feedback,
    Goal,
    InboundEvent,
    MessageRef,
    Pairing,
    Person,
    PlatformIdentity,
    Program,
    ProgramAdmin,
)
from storage.people.hris import PersonNotFound, export_people, forget_person
from tests.support.clock import T0

EMAIL = "Gwendoline.Quennehen@acme.example"
FIRST, LAST = "Gwendoline", "Quennehen"


async def seed(database: Database) -> dict[str, str]:
    """Gwendoline manages two people, is managed by a director, and used the bot a lot."""
    async with database.unit_of_work() as session:
        director = Person(email="director@acme.example", first_name="Dora", last_name="Dir")
        session.add(director)
        await session.flush()
        gwen = Person(
            email=EMAIL,
            employee_id="EMP-4242",
            first_name=FIRST,
            last_name=LAST,
            title="Head of Quality",
            department="Opérations",
            location="Lyon",
            timezone="Europe/Paris",
            locale="fr",
            languages=["fr", "en"],
            manager_id=director.id,
        )
        gwen.identities.append(
            PlatformIdentity(
                platform="slack",
                tenant_id="T0ACME",
                user_id="U0GWEN42",
                display_name="Gwen Quennehen",
                email=EMAIL.lower(),
                conversation_ref={"channel": "D0GWEN", "user": "U0GWEN42"},
            )
        )
        session.add(gwen)
        await session.flush()
        reports = [
            Person(email=f"report{n}@acme.example", first_name=f"R{n}", manager_id=gwen.id)
            for n in (1, 2)
        ]
        mentor = Person(email="mentor@acme.example", first_name="Milo", last_name="Mentor")
        session.add_all([*reports, mentor])
        program = Program(
            slug="p",
            name="P",
            timezone="Europe/Paris",
            starts_on=datetime(2027, 1, 1, tzinfo=UTC).date(),
            ends_on=datetime(2027, 6, 1, tzinfo=UTC).date(),
        )
        session.add(program)
        await session.flush()
        session.add_all(
            [
                ProgramAdmin(program_id=program.id, person_id=gwen.id),
                Enrollment(
                    program_id=program.id,
                    person_id=gwen.id,
                    role="mentee",
                    goals=f"Moi, {FIRST}, je veux maîtriser le SEO",
                    motivation="Curiosité",
                    left_reason=None,
                    status="active",
                ),
                Consent(person_id=gwen.id, program_id=program.id, text_kind="charter",
                        text_version=1, locale="fr"),
            ]
        )  # fmt: skip
        pairing = Pairing(
            program_id=program.id,
            mentor_id=mentor.id,
            mentee_id=gwen.id,
            status="ended",
            ended_by=gwen.id,
            end_reason="Trop de déplacements",
        )
        session.add(pairing)
        await session.flush()
        session.add_all(
            [
                Goal(pairing_id=pairing.id, text="Publier un article LinkedIn", created_by=gwen.id),
                Goal(pairing_id=pairing.id, text="Mentor's own goal", created_by=mentor.id),
                Feedback(pairing_id=pairing.id, person_id=gwen.id, learned="Les balises title"),
                # A colleague wrote about her: her name goes, the rest of the sentence stays.
                Feedback(
                    pairing_id=pairing.id,
                    person_id=mentor.id,
                    kind="midpoint",
                    learned=f"{FIRST} {LAST.upper()} asks great questions",
                ),
                DialogState(id="flow-1", person_id=gwen.id, flow="join", step="skills",
                            data={"typed": f"je suis {FIRST}"}, version=1),
                MessageRef(person_id=gwen.id, platform="slack", conversation_id="D0GWEN",
                           message_id="171.000"),
                InboundEvent(platform="slack", event_id="Ev1", kind="message",
                             payload={"user": "U0GWEN42", "text": "bonjour"}),
                InboundEvent(platform="slack", event_id="Ev2", kind="message",
                             payload={"user": "U0MILO", "text": f"ping {FIRST}"}),
                AuditEvent(action="person.imported", subject_id=gwen.id,
                           details={"email": EMAIL, "name": f"{FIRST} {LAST}"}),
                DueAction(kind="deliver", idempotency_key="k1",
                          due_at=datetime(2027, 1, 1, tzinfo=UTC),
                          payload={"to": gwen.id, "text": f"Bonjour Gwendoline {LAST} !"}),
            ]
        )  # fmt: skip
        return {"gwen": gwen.id, "director": director.id, "mentor": mentor.id} | {
            f"report{n}": r.id for n, r in zip((1, 2), reports, strict=True)
        }


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


async def occurrences(database: Database, needles: list[str]) -> list[str]:
    """Every text or JSON cell, in every table, that still contains one of the needles."""
    found: list[str] = []
    lowered = [n.lower() for n in needles]
    async with database.unit_of_work() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | JSON)]
            if not columns:
                continue
            for row in (await session.execute(select(*columns))).all():
                for column, value in zip(columns, row, strict=True):
                    text = _as_text(value).lower() if value is not None else ""
                    found += [f"{table.name}.{column.name}: {n}" for n in lowered if n in text]
    return found


async def test_seeded_data_holds_her_name_everywhere(database: Database) -> None:
    # The scan below would be meaningless if it could not find anything to begin with.
    await seed(database)
    hits = await occurrences(database, [EMAIL, FIRST, LAST])
    tables = {hit.split(".")[0] for hit in hits}
    assert {"persons", "platform_identities", "enrollments", "feedback", "dialog_states"} <= tables
    assert {"inbound_events", "audit_events", "due_actions"} <= tables


async def test_forget_leaves_a_tombstone_and_no_trace_of_email_or_name(database: Database) -> None:
    ids = await seed(database)

    forgotten = await forget_person(database, EMAIL.upper(), actor_id=ids["director"], now=T0)

    assert forgotten == ids["gwen"]
    assert await occurrences(database, [EMAIL, FIRST, LAST, "EMP-4242", "U0GWEN42"]) == []
    async with database.unit_of_work() as session:
        tombstone = await session.get(Person, forgotten)
        assert tombstone is not None
        assert tombstone.erased_at is not None and not tombstone.active
        assert tombstone.left_at is not None
        assert tombstone.manager_id == ids["director"]  # the tree holds above her…
        for report in ("report1", "report2"):  # … and below her
            person = await session.get(Person, ids[report])
            assert person is not None and person.manager_id == forgotten
        assert (await session.execute(select(PlatformIdentity))).first() is None
        assert (await session.execute(select(DialogState))).first() is None
        assert (await session.execute(select(MessageRef))).first() is None
        assert (await session.execute(select(ProgramAdmin))).first() is None
        events = (await session.execute(select(InboundEvent.event_id))).scalars().all()
        assert events == ["Ev2"]  # hers is gone; a colleague's stays, scrubbed
        enrollment = (await session.execute(select(Enrollment))).scalar_one()
        assert (enrollment.goals, enrollment.motivation, enrollment.status) == (None, None, "left")
        goals = {g.created_by: g.text for g in (await session.execute(select(Goal))).scalars()}
        assert goals == {forgotten: "", ids["mentor"]: "Mentor's own goal"}
        pairing = (await session.execute(select(Pairing))).scalar_one()
        assert pairing.end_reason is None and pairing.mentee_id == forgotten
        feedback = {
            f.person_id: f.learned for f in (await session.execute(select(Feedback))).scalars()
        }
        assert feedback[forgotten] is None
        assert feedback[ids["mentor"]] == "[erased] asks great questions"
        consent = (await session.execute(select(Consent))).scalar_one()
        assert consent.person_id == forgotten  # proof of consent, by opaque id only
        audit = (
            await session.execute(select(AuditEvent).where(AuditEvent.action == "person.forgotten"))
        ).scalar_one()
        assert (audit.subject_id, audit.actor_id) == (forgotten, ids["director"])

    assert EMAIL.lower() not in [p["email"] for p in await export_people(database)]


async def test_a_colleague_with_the_same_first_name_keeps_it(database: Database) -> None:
    await seed(database)
    async with database.unit_of_work() as session:
        session.add(Person(email="g.other@acme.example", first_name=FIRST, last_name="Autre"))
    await forget_person(database, EMAIL, now=T0)
    [colleague] = await export_people(database, email="g.other@acme.example")
    assert (colleague["first_name"], colleague["last_name"]) == (FIRST, "Autre")


async def test_an_unknown_or_already_forgotten_email_is_a_clear_error(database: Database) -> None:
    await seed(database)
    with pytest.raises(PersonNotFound, match=re.escape("nobody@acme.example")):
        await forget_person(database, "nobody@acme.example", now=T0)
    await forget_person(database, EMAIL, now=T0)
    with pytest.raises(PersonNotFound):
        await forget_person(database, EMAIL, now=T0)


async def test_words_quoted_elsewhere_and_an_unlinked_identity_go_too(database: Database) -> None:
    """Outside the allow-lists her Slack identity got a record of its own; what she wrote
    was quoted in a message to the team, an admin's console and a colleague's flow."""
    ids = await seed(database)
    word = "quasimodesque"
    async with database.unit_of_work() as session:
        unlinked = Person(first_name="gwenny", timezone="Europe/Paris")
        unlinked.identities.append(
            PlatformIdentity(platform="slack", tenant_id="T0OTHER", user_id="U0GWENQ7",
                             display_name="gwenny", email=EMAIL.lower())
        )  # fmt: skip
        session.add(unlinked)
        await session.flush()
        admin = ids["director"]
        session.add_all(
            [
                InboundEvent(platform="slack", event_id="Ev3", kind="view_submission",
                             payload={"user": {"id": "U0GWENQ7"}, "text": word}),
                # A colleague whose id starts like hers keeps his event.
                InboundEvent(platform="slack", event_id="Ev4", kind="message",
                             payload={"user": "U0GWENQ70", "text": "hello"}),
                DueAction(kind="participation.contact", idempotency_key="k2", status="done",
                          due_at=datetime(2027, 1, 1, tzinfo=UTC),
                          payload={"person_id": unlinked.id, "text": word}),
                DueAction(kind="notify.deliver", idempotency_key="k3",
                          due_at=datetime(2027, 1, 1, tzinfo=UTC),
                          payload={"person_id": admin, "notification": {
                              "type": "message_to_team", "person_ids": [unlinked.id],
                              "text": word}}),
                DueAction(kind="notify.deliver", idempotency_key="k4",
                          due_at=datetime(2027, 1, 1, tzinfo=UTC),
                          payload={"person_id": ids["mentor"], "notification": {"type": "x"}}),
                ConsoleMessage(message_id="m1", person_id=admin, author="bot", locale="fr",
                               payload={"parts": [{"person_id": unlinked.id}, word]}),
                DialogState(id="flow-2", person_id=admin, flow="admin", step="confirm",
                            data={"subject": ids["gwen"]}, version=1),
            ]
        )  # fmt: skip

    forgotten = await forget_person(database, EMAIL, now=T0)

    assert forgotten == ids["gwen"]
    # Her id as a whole JSON string: the colleague's "U0GWENQ70" contains it and stays.
    assert await occurrences(database, [EMAIL, FIRST, LAST, "gwenny", '"U0GWENQ7"', word]) == []
    async with database.unit_of_work() as session:
        tombstone = await session.get(Person, unlinked.id)
        assert tombstone is not None and tombstone.erased_at is not None
        assert (await session.execute(select(PlatformIdentity))).first() is None
        events = {e.event_id: e.payload for e in (await session.scalars(select(InboundEvent)))}
        assert set(events) == {"Ev2", "Ev4"}
        assert events["Ev4"] == {"user": "U0GWENQ70", "text": "hello"}
        keys = set((await session.execute(select(DueAction.idempotency_key))).scalars())
        assert keys == {"k4"}  # someone else's notice that does not name her stays
        assert (await session.execute(select(ConsoleMessage))).first() is None
        assert (await session.execute(select(DialogState))).first() is None
        audits = (
            await session.scalars(
                select(AuditEvent.subject_id).where(AuditEvent.action == "person.forgotten")
            )
        ).all()
        assert sorted(audits) == sorted([ids["gwen"], unlinked.id])
