"""``tandem people merge`` moves everything to the kept record; people a ``--full`` import
marks as left have their enrollments closed and their partners told kindly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogs.participation.jobs import close_enrollments_of_leavers
from storage.db import Database
from storage.enrollment.participation import leavers_with_open_enrollments
from storage.erasure import PersonNotFound
from storage.models import (
    AuditEvent,
    Consent,
    DialogState,
    Enrollment,
    Pairing,
    Person,
    PlatformIdentity,
    ProgramAdmin,
)
from storage.people.hris import check_people_file, import_people
from storage.people.merge import SamePerson, merge_people
from tests.support.clock import T0
from tests.support.messages import words
from tests.support.people import add_person, add_program, enroll, pair
from tests.support.world import world


async def test_merge_moves_everything_and_leaves_a_tombstone(database: Database) -> None:
    first = await add_program(database, "rm-2027")
    second = await add_program(database, "rm-uk")
    keep = await add_person(database, "U1", "lea@acme.example", first="Léa")
    dup = await add_person(database, "U2", "lea.martin@acme.example", first="Léa", slack=True)
    report_to_dup = await add_person(database, "U3", "sam@acme.example", first="Sam")
    partner = await add_person(database, "U4", "tom@acme.example", first="Tom")
    kept_enrollment = await enroll(database, keep, first, role="mentor")
    await enroll(database, dup, first, role="mentee")  # a clash: the kept one stays
    moved_enrollment = await enroll(database, dup, second, role="mentee")
    pairing_id = await pair(database, second, partner, dup)
    async with database.unit_of_work() as session:
        session.add(Consent(person_id=dup, program_id=second, text_kind="charter",
                            text_version=1, locale="en"))  # fmt: skip
        session.add(ProgramAdmin(program_id=second, person_id=dup))
        session.add(DialogState(id="flow-1", person_id=dup, flow="profile", step="basics",
                                data={}, version=1))  # fmt: skip
        managed = await session.get(Person, report_to_dup)
        duplicate = await session.get(Person, dup)
        assert managed is not None and duplicate is not None
        managed.manager_id = dup
        duplicate.employee_id = "E-42"
        duplicate.title = "CFO"

    report = await merge_people(database, "LEA@acme.example", "lea.martin@acme.example")

    assert (report.kept_id, report.merged_id, report.dropped_enrollments) == (keep, dup, 1)
    async with database.unit_of_work() as session:
        enrollments = (
            await session.scalars(select(Enrollment).where(Enrollment.person_id == keep))
        ).all()
        assert sorted(e.id for e in enrollments) == sorted([kept_enrollment, moved_enrollment])
        assert next(e for e in enrollments if e.program_id == first).role == "mentor"
        identities = (
            await session.scalars(select(PlatformIdentity.user_id).where(
                PlatformIdentity.person_id == keep))
        ).all()  # fmt: skip
        assert sorted(identities) == ["U1", "U2"]
        pairing = await session.get(Pairing, pairing_id)
        assert pairing is not None and pairing.mentee_id == keep
        assert (await session.scalar(select(Consent.person_id))) == keep
        assert (await session.scalar(select(ProgramAdmin.person_id))) == keep
        assert (await session.get(DialogState, "flow-1")).person_id == keep  # type: ignore[union-attr]
        assert (await session.get(Person, report_to_dup)).manager_id == keep  # type: ignore[union-attr]
        kept = await session.get(Person, keep)
        tomb = await session.get(Person, dup)
        assert kept is not None and tomb is not None
        assert (kept.employee_id, kept.title, kept.email) == ("E-42", "CFO", "lea@acme.example")
        assert tomb.erased_at is not None and not tomb.active
        assert (tomb.email, tomb.first_name, tomb.employee_id) == (None, None, None)
        audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "person.merged"))
        assert audit is not None and audit.details["merged"] == dup
        assert "lea" not in str(audit.details).lower()  # opaque ids only

    with pytest.raises(PersonNotFound):  # the duplicate is gone
        await merge_people(database, "lea@acme.example", "lea.martin@acme.example")
    with pytest.raises(SamePerson):
        await merge_people(database, "lea@acme.example", "Lea@acme.example")


async def test_leavers_of_a_full_import_are_closed_and_partners_told(database: Database) -> None:
    w = await world(database)
    program = await add_program(database, "rm-2027")
    lea = await add_person(database, "U1", "lea@acme.example", first="Léa")
    tom = await add_person(database, "U2", "tom@acme.example", first="Tom")
    mine = await enroll(database, lea, program, role="mentee")
    theirs = await enroll(database, tom, program, role="mentor")
    pairing_id = await pair(database, program, tom, lea)

    # The HRIS no longer lists Léa: a --full import marks her as left.
    csv = "email,first_name,last_name\ntom@acme.example,Tom,Test\n"
    parsed = await check_people_file(database, csv)
    assert not parsed.errors
    await import_people(database, parsed.rows, full=True)
    async with database.unit_of_work() as session:
        leavers = await leavers_with_open_enrollments(session)
    assert leavers == [lea]

    report = await close_enrollments_of_leavers(database, leavers, None, T0)
    assert (report.enrollments_closed, report.pairings_ended, report.partners_told) == (1, 1, 1)
    again = await close_enrollments_of_leavers(database, leavers, None, T0)
    assert again.enrollments_closed == 0  # nothing twice
    async with database.unit_of_work() as session:
        assert (await session.get(Enrollment, mine)).status == "left"  # type: ignore[union-attr]
        assert (await session.get(Enrollment, theirs)).status == "active"  # type: ignore[union-attr]
        pairing = await session.get(Pairing, pairing_id)
        assert pairing is not None and (pairing.status, pairing.ended_by) == ("ended", lea)
        assert await leavers_with_open_enrollments(session) == []

    # Queued without a notifier: the server's due runner tells the partner.
    await w.runner.drain(T0 + timedelta(minutes=1))
    told = w.channel.to(tom)
    assert len(told) == 1 and "Léa Test has left Program rm-2027" in words(told)
    assert w.channel.to(lea) == []
