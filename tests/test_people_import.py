"""Importing people from an HRIS export: validate the whole file, then write it all or nothing."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from bot.domain.hris import parse_hris_csv
from storage.db import Database
from storage.models import CareerStage, Person, PlatformIdentity
from storage.people.hris import (
    EXPORT_COLUMNS,
    ImportReport,
    PeopleImportError,
    check_people_file,
    export_people,
    import_people,
)

# A French Excel export: BOM, semicolons, French headers, labels instead of keys.
GOOD_FILE = (
    "\ufeffMatricule;Courriel;Prénom;Nom;Poste;Service;Manager;Niveau;Site;Fuseau horaire;Langue\n"
    "E001;helene.vasseur@acme.example;Hélène;Vasseur;PDG;Direction;;executive;Paris;"
    "Europe/Paris;fr\n"
    "E002;kwame.mensah@acme.example;Kwame;Mensah;DSI;IT;E001;Director;Montréal;"
    "America/Montreal;en\n"
    "E003;siew.chua@acme.example;Siew;Chua;Data analyst;IT;kwame.mensah@acme.example;"
    "junior;Singapour;Asia/Singapore;EN\n"
    "E004;tom.roussel@acme.example;Tom;Roussel;Alternant;IT;E002;alternant·e ou stagiaire;"
    "Paris;europe/paris;Français\n"
).encode()


async def run_import(
    database: Database, data: str | bytes, *, full: bool = False, dry_run: bool = False
) -> ImportReport:
    """What `tandem people import` does: check the whole file, then import it."""
    parsed = await check_people_file(database, data)
    assert parsed.errors == [], [str(e) for e in parsed.errors]
    return await import_people(database, parsed.rows, full=full, dry_run=dry_run)


async def people_by_email(database: Database) -> dict[str, Person]:
    async with database.unit_of_work() as session:
        people = (await session.execute(select(Person))).scalars().all()
    return {p.email or p.id: p for p in people}


async def count_people(database: Database) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count(Person.id))) or 0)


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


async def test_a_good_file_imports_with_managers_stages_and_zones(database: Database) -> None:
    report = await run_import(database, GOOD_FILE)
    assert report == ImportReport(created=4, updated=0, left=0, unchanged=0)

    people = await people_by_email(database)
    ceo, cio = people["helene.vasseur@acme.example"], people["kwame.mensah@acme.example"]
    analyst, apprentice = people["siew.chua@acme.example"], people["tom.roussel@acme.example"]
    assert ceo.manager_id is None
    assert cio.manager_id == ceo.id  # by employee id
    assert analyst.manager_id == cio.id  # by email
    assert apprentice.manager_id == cio.id
    assert (ceo.first_name, ceo.last_name, ceo.title) == ("Hélène", "Vasseur", "PDG")
    assert [p.timezone for p in (ceo, cio, analyst, apprentice)] == [
        "Europe/Paris",
        "America/Montreal",
        "Asia/Singapore",
        "Europe/Paris",
    ]
    assert [p.locale for p in (ceo, cio, analyst, apprentice)] == ["fr", "en", "en", "fr"]
    assert apprentice.languages == ["fr"]
    async with database.unit_of_work() as session:
        result = await session.execute(select(CareerStage.id, CareerStage.key))
        stages: dict[int | None, str] = {stage_id: key for stage_id, key in result}
    assert [stages[p.career_stage_id] for p in (ceo, cio, analyst, apprentice)] == [
        "executive",
        "director",
        "junior",
        "apprentice",
    ]

    exported = await export_people(database, email="SIEW.CHUA@acme.example")
    assert exported == [
        {
            "email": "siew.chua@acme.example",
            "employee_id": "E003",
            "first_name": "Siew",
            "last_name": "Chua",
            "title": "Data analyst",
            "department": "IT",
            "manager_email": "kwame.mensah@acme.example",
            "career_stage": "junior",
            "location": "Singapour",
            "timezone": "Asia/Singapore",
            "locale": "en",
            "languages": ["en"],
            "active": True,
            "left_at": None,
        }
    ]
    assert set(exported[0]) == set(EXPORT_COLUMNS)


async def test_three_bad_rows_write_nothing_and_are_each_reported_with_their_line(
    database: Database,
) -> None:
    header = ["employee_id", "email", "first_name", "last_name", "manager", "timezone", "language"]
    rows = [
        ["E1", "ana.diaz@acme.example", "Ana", "Diaz", "", "Europe/Paris", "fr"],
        ["E2", "", "Bo", "Berg", "E1", "Europe/Paris", "fr"],  # line 3: no email
        ["E3", "cy.nakamura@acme.example", "Cy", "Nakamura", "E1", "Europe/Paris", "fr"],
        ["E4", "dee.okafor@acme.example", "Dee", "Okafor", "E1", "Mars/Olympus", "fr"],  # line 5
        ["E5", "eli.novak@acme.example", "Eli", "Novak", "E1", "Europe/Paris", "fr"],
        ["E6", "fay.li@acme.example", "Fay", "Li", "E99", "Europe/Paris", "fr"],  # line 7
    ]
    parsed = await check_people_file(database, csv_text(header, rows))

    assert [(e.line, e.code) for e in parsed.errors] == [
        (3, "missing_email"),
        (5, "unknown_timezone"),
        (7, "manager_not_found"),
    ]
    assert str(parsed.errors[1]) == (
        "line 5: unknown time zone 'Mars/Olympus' (use an IANA name such as Europe/Paris)"
    )
    assert "E99" in parsed.errors[2].message
    assert await count_people(database) == 0


async def test_each_kind_of_error_is_named(database: Database) -> None:
    header = ["employee_id", "email", "manager", "career_stage", "language", "languages"]
    rows = [
        ["A1", "ok@acme.example", "", "junior", "fr", "fr en"],
        ["A2", "not-an-email", "", "", "", ""],
        ["A1", "other@acme.example", "", "", "", ""],
        ["A4", "OK@acme.example", "", "", "", ""],
        ["A5", "five@acme.example", "", "grand chef", "", ""],
        ["A6", "six@acme.example", "", "", "de", ""],
        ["A7", "seven@acme.example", "", "", "", "fr klingon"],
    ]
    parsed = await check_people_file(database, csv_text(header, rows, delimiter=";"))
    assert [(e.line, e.code) for e in parsed.errors] == [
        (3, "bad_email"),
        (4, "duplicate"),
        (5, "duplicate"),
        (6, "unknown_career_stage"),
        (7, "unknown_language"),
        (8, "unknown_spoken_language"),
    ]
    assert "already on line 2" in parsed.errors[1].message
    unknown_stage = parsed.errors[3].message
    assert "grand chef" in unknown_stage
    for key in ("apprentice", "junior", "confirmed", "senior", "manager", "director"):
        assert key in unknown_stage


async def test_a_file_without_an_email_column_or_without_people_is_refused(
    database: Database,
) -> None:
    parsed = await check_people_file(database, "employee_id,first_name\nE1,Ana\n")
    assert [(e.line, e.code) for e in parsed.errors] == [(1, "no_email_column")]
    await run_import(database, GOOD_FILE)
    parsed = await check_people_file(database, "email,first_name\n\n")
    assert [(e.line, e.code) for e in parsed.errors] == [(1, "no_rows")]
    # Even called directly, a full import of nobody does not mark everyone as having left.
    with pytest.raises(PeopleImportError):
        await import_people(database, [], full=True)
    assert all(p["active"] for p in await export_people(database))


async def test_a_management_cycle_is_reported(database: Database) -> None:
    header = ["employee_id", "email", "manager"]
    rows = [
        ["C1", "c1@acme.example", "C3"],
        ["C2", "c2@acme.example", "C1"],
        ["C3", "c3@acme.example", "c2@acme.example"],
        ["C4", "c4@acme.example", "C4"],
        ["C5", "c5@acme.example", "C1"],  # reports into the cycle: not part of it
    ]
    parsed = await check_people_file(database, csv_text(header, rows))
    assert [(e.line, e.code) for e in parsed.errors] == [
        (2, "management_cycle"),
        (5, "own_manager"),
    ]
    assert parsed.errors[0].message == "management cycle: C1 → C3 → C2 → C1"


async def test_a_cycle_through_people_already_stored_is_reported(database: Database) -> None:
    await run_import(
        database,
        csv_text(["employee_id", "email", "manager"], [["B1", "boss@acme.example", ""]])
        + "B2,report@acme.example,B1\n",
    )
    # The stored report becomes their boss's manager: B1 → B2 → B1.
    parsed = await check_people_file(
        database, csv_text(["employee_id", "email", "manager"], [["B1", "boss@acme.example", "B2"]])
    )
    assert [e.code for e in parsed.errors] == ["management_cycle"]
    with pytest.raises(PeopleImportError) as refused:
        await import_people(database, parsed.rows)
    assert [e.code for e in refused.value.errors] == ["management_cycle"]
    people = await people_by_email(database)
    assert people["boss@acme.example"].manager_id is None


async def test_a_manager_may_be_someone_already_stored(database: Database) -> None:
    await run_import(database, GOOD_FILE)
    report = await run_import(
        database,
        "email,manager,first_name\nnew.hire@acme.example,helene.vasseur@acme.example,Noa\n",
    )
    assert report == ImportReport(created=1, updated=0, left=0, unchanged=0)
    people = await people_by_email(database)
    assert people["new.hire@acme.example"].manager_id == people["helene.vasseur@acme.example"].id
    # Columns the file does not give are left as they are.
    assert people["helene.vasseur@acme.example"].title == "PDG"


async def test_a_person_who_chatted_first_is_completed_not_duplicated(database: Database) -> None:
    async with database.unit_of_work() as session:
        person = Person(email="siew.chua@acme.example", locale="en", languages=["en", "zh"])
        person.identities.append(
            PlatformIdentity(
                platform="slack", tenant_id="T1", user_id="U0SIEW", display_name="Siew"
            )
        )
        session.add(person)
    chat_id = person.id

    report = await run_import(database, GOOD_FILE)

    assert report == ImportReport(created=3, updated=1, left=0, unchanged=0)
    assert await count_people(database) == 4
    people = await people_by_email(database)
    siew = people["siew.chua@acme.example"]
    assert siew.id == chat_id
    assert (siew.employee_id, siew.last_name, siew.title) == ("E003", "Chua", "Data analyst")
    assert siew.languages == ["en", "zh"]  # the file's language joins what they said
    async with database.unit_of_work() as session:
        identity = (await session.execute(select(PlatformIdentity))).scalar_one()
    assert identity.person_id == chat_id


async def test_dry_run_reports_and_writes_nothing(database: Database) -> None:
    report = await run_import(database, GOOD_FILE, dry_run=True)
    assert report == ImportReport(created=4, updated=0, left=0, unchanged=0, dry_run=True)
    assert await count_people(database) == 0

    await run_import(database, GOOD_FILE)
    changed = GOOD_FILE.replace(b"PDG", b"Presidente")
    before = await export_people(database)
    report = await run_import(database, changed, full=True, dry_run=True)
    assert report == ImportReport(created=0, updated=1, left=0, unchanged=3, dry_run=True)
    assert await export_people(database) == before


async def test_full_reimport_marks_absentees_as_left_and_keeps_them(database: Database) -> None:
    await run_import(database, GOOD_FILE)
    without_tom = b"\n".join(line for line in GOOD_FILE.split(b"\n") if b"E004" not in line)

    partial = await run_import(database, without_tom)
    assert partial == ImportReport(created=0, updated=0, left=0, unchanged=3)
    assert (await people_by_email(database))["tom.roussel@acme.example"].active

    report = await run_import(database, without_tom, full=True)
    assert report == ImportReport(created=0, updated=0, left=1, unchanged=3)
    people = await people_by_email(database)
    tom = people["tom.roussel@acme.example"]
    assert not tom.active and tom.left_at is not None and tom.erased_at is None
    assert tom.manager_id == people["kwame.mensah@acme.example"].id
    assert [p["email"] for p in await export_people(database) if not p["active"]] == [
        "tom.roussel@acme.example"
    ]

    back = await run_import(database, GOOD_FILE, full=True)
    assert back == ImportReport(created=0, updated=1, left=0, unchanged=3)
    tom = (await people_by_email(database))["tom.roussel@acme.example"]
    assert tom.active and tom.left_at is None


async def test_export_reads_back_as_an_unchanged_import(database: Database) -> None:
    await run_import(database, GOOD_FILE)
    exported = await export_people(database)
    rows = [
        [" ".join(p[c]) if c == "languages" else (p[c] or "") for c in EXPORT_COLUMNS[:-2]]
        for p in exported
    ]
    report = await run_import(database, csv_text(list(EXPORT_COLUMNS[:-2]), rows))
    assert report == ImportReport(created=0, updated=0, left=0, unchanged=4)


def generated_file(size: int, title: str = "Analyst") -> str:
    """A company of ``size`` people: ten departments, each a chain of managers."""
    header = ["employee_id", "email", "first_name", "last_name", "title", "department"]
    header += ["manager", "career_stage", "location", "timezone", "language"]
    zones = ["Europe/Paris", "America/Montreal", "Asia/Singapore"]
    stages = ["apprentice", "junior", "confirmed", "senior", "manager", "director"]
    rows = []
    for n in range(size):
        manager = "" if n == 0 else f"G{(n - 1) // 8:05d}"
        rows.append(
            [
                f"G{n:05d}",
                f"person{n}@big.example",
                f"First{n}",
                f"Last{n}",
                title,
                f"Department {n % 10}",
                manager,
                stages[n % len(stages)],
                "Site",
                zones[n % 3],
                "fr" if n % 2 else "en",
            ]
        )
    return csv_text(header, rows)


async def test_a_ten_thousand_row_file_imports_and_reimports_as_updates(
    database: Database,
) -> None:
    progressed: list[int] = []
    parsed = await check_people_file(database, generated_file(10_000))
    assert parsed.errors == [] and len(parsed.rows) == 10_000

    report = await import_people(database, parsed.rows, progress=progressed.append)

    assert report == ImportReport(created=10_000, updated=0, left=0, unchanged=0)
    assert sum(progressed) == 10_000 and len(progressed) > 1
    assert await count_people(database) == 10_000
    async with database.unit_of_work() as session:
        linked = await session.scalar(
            select(func.count(Person.id)).where(Person.manager_id.is_not(None))
        )
    assert linked == 9_999

    again = await check_people_file(database, generated_file(10_000, title="Senior analyst"))
    report = await import_people(database, again.rows)
    assert report == ImportReport(created=0, updated=10_000, left=0, unchanged=0)
    assert await count_people(database) == 10_000
    person = await export_people(database, email="person9999@big.example")
    assert person[0]["title"] == "Senior analyst"
    assert person[0]["manager_email"] == "person1249@big.example"


def test_a_windows_1252_excel_file_with_crlf_and_multiline_cells_is_read() -> None:
    data = (
        "Matricule;Courriel;Prénom;Poste\r\n"
        'E1;a@acme.example;Hélène;"Cheffe\r\nde projet"\r\n'
        "E2;not-an-email;Zoé;Stagiaire\r\n"
    ).encode("cp1252")
    parsed = parse_hris_csv(data, stages=[])
    assert (parsed.encoding, parsed.delimiter) == ("cp1252", ";")
    assert parsed.rows[0].first_name == "Hélène"
    assert [str(e) for e in parsed.errors] == [
        "line 4: 'not-an-email' is not a valid email address"  # the line a text editor shows
    ]


async def test_an_email_that_belongs_to_someone_else_is_refused(database: Database) -> None:
    await run_import(database, GOOD_FILE)
    header = ["employee_id", "email"]
    parsed = await check_people_file(
        database,
        csv_text(
            header, [["E001", "kwame.mensah@acme.example"], ["E777", "siew.chua@acme.example"]]
        ),
    )
    assert [(e.line, e.code) for e in parsed.errors] == [
        (2, "email_taken"),
        (3, "employee_id_mismatch"),
    ]
    assert parsed.errors[0].message == (
        "email 'kwame.mensah@acme.example' already belongs to another person (E002)"
    )
