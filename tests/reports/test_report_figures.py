"""The report of the hand-computed program (tests/reports/fixture.py): every figure and
every hidden cell typed in here, the same in the chat card, the text and the CSV; a period
or a breakdown that would single people out is refused; one more answer reveals nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from bot.domain.reports.figures import Cell
from dialogs.core.i18n import Translator
from dialogs.reports.build import Asked, Built, parse_options, program_report
from dialogs.reports.card import report_card
from dialogs.reports.charts import BY_GROUP, charts_of
from dialogs.reports.files import report_csv, report_text
from dialogs.reports.words import LABELS
from storage.db import Database
from storage.models import Program
from tests.reports.fixture import NOW, answer, day, person_named, seed_report_program
from tests.support.messages import words

A = "< 5 answers"
GROUPS = ["Finance", "IT", "Marketing", "Sales"]
TOTALS = {
    "enrolled": "27",
    "matched": "22",
    "proposals_sent": "13",
    "proposals_accepted": "11",
    "days_to_first_session": "14.0",
    "sessions_planned": "10",
    "sessions_held": "7",
    "feedback_response_rate": "83%",
    "pulse_response_rate": A,
    "average_rating": "4.1",
    "nps": "+33",
    "skill_before": "2.0",
    "skill_after": "3.7",
    "skill_retrospective": "1.0",
    "goals_done": "71%",
    "testimonials": "< 10",
    "at_risk_pairs": "1",
    "unreachable": "1",
}
BY_DEPARTMENT = {  # Finance 4, IT 5, Marketing 6, Sales 12
    "enrolled": ["< 5", "hidden", "6", "12"],  # 4 hidden, then the next-smallest (5)
    "matched": ["< 5", "< 5", "5", "10"],  # 4 and 3 hidden: together 7, enough
    "feedback_response_rate": [A, A, "83%", "83%"],
    "pulse_response_rate": [A, A, A, A],
    "average_rating": [A, A, "4.2", "4.0"],
    "nps": [A, A, "+40", "+40"],
    "skill_before": [A, A, "2.0", "2.0"],
    "skill_after": [A, A, "4.0", "3.0"],
    "skill_retrospective": [A, A, "1.0", "1.0"],
    "goals_done": [A, A, "hidden", "60%"],  # 0 + 0 answered: Marketing (5) hidden with them
}
CSV_VALUES = {"14.0": "14.0", "83%": "83", "71%": "71", "60%": "60"}


async def built(database: Database, asked: Asked, *, now: object = NOW) -> tuple[Program, Built]:
    async with database.unit_of_work() as session:
        from sqlalchemy import select

        program = (await session.scalars(select(Program).where(Program.slug == "bilan-2027"))).one()
        return program, await program_report(session, program, now, asked)  # type: ignore[arg-type]


@pytest.fixture
async def program(database: Database) -> Database:
    async with database.unit_of_work() as session:
        await seed_report_program(session)
    return database


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def shown_in_csv(row: dict[str, str]) -> str:
    """The CSV cell as the chat shows it (plain numbers put back the way the reader reads)."""
    if row["hidden"]:
        return row["hidden"]
    inverse = {v: k for k, v in CSV_VALUES.items()}
    return inverse.get(row["value"], row["value"])


async def test_the_totals_and_the_department_breakdown_in_text_csv_and_chat(
    program: Database,
) -> None:
    t = Translator("en")
    found, report = await built(program, parse_options("department", None, None))
    text = report_text(t, found.name, report.report, period="the whole program",
                       until=report.until, stages=report.stages)  # fmt: skip
    lines = text.splitlines()
    totals_part = lines[: lines.index("By department")]
    for key, value in TOTALS.items():
        [line] = [x for x in totals_part if x.startswith(t(LABELS[key]) + "  ")]
        assert line.split("  ")[-1].strip() == value, key
    header = next(x for x in lines if x.split() == GROUPS)
    table = lines[lines.index(header) + 1 :]
    for key, cells in BY_DEPARTMENT.items():
        [row] = [x for x in table if x.startswith(t(LABELS[key]) + " ")]
        assert [c.strip() for c in row[len(t(LABELS[key])) :].split("  ") if c.strip()] == cells, (
            key
        )

    rows = csv_rows(report_csv(t, report.report, report.stages))
    totals = {r["figure"]: shown_in_csv(r) for r in rows if not r["breakdown"]}
    assert totals == TOTALS
    for key, cells in BY_DEPARTMENT.items():
        got = [shown_in_csv(r) for r in rows if r["figure"] == key and r["breakdown"]]
        assert [r["group"] for r in rows if r["figure"] == key and r["breakdown"]] == GROUPS
        assert got == cells, key

    card = words(report_card(t, found.name, report.report, period="the whole program",
                             stages=report.stages))  # fmt: skip
    for key, value in TOTALS.items():
        assert f"{t(LABELS[key])}: {value}\n" in card, key
    for n, group in enumerate(GROUPS):
        [line] = [x for x in card.splitlines() if x.startswith(group + " — ")]
        assert f"Enrolled {BY_DEPARTMENT['enrolled'][n]} ·" in line
        assert f"Matched {BY_DEPARTMENT['matched'][n]} ·" in line
        assert f"Rating {BY_DEPARTMENT['average_rating'][n]} ·" in line
        assert f"NPS {BY_DEPARTMENT['nps'][n]} ·" in line
        assert line.endswith(f"Goals done {BY_DEPARTMENT['goals_done'][n]}")
    # The charts draw no bar for a hidden cell and write the same marker where it would be.
    charts = {c.title: c for c in charts_of(t, found.name, report.report, report.stages)}
    for key in BY_GROUP:
        bars = charts[t(LABELS[key])].bars
        assert [b.label for b in bars] == GROUPS
        assert [b.note for b in bars] == BY_DEPARTMENT[key], key
        assert [b.value is None for b in bars] == [
            c in (A, "hidden") or c.startswith("<") for c in BY_DEPARTMENT[key]
        ], key
    funnel = charts[found.name].bars
    assert [b.note for b in funnel] == ["27", "22", "11", "10", "7"]
    assert "In their words" not in card and "a appris" not in card  # 9 quotes: fewer than 10
    assert "In their words" not in text and "a appris" not in text


async def test_the_same_report_in_french(program: Database) -> None:
    t = Translator("fr")
    found, report = await built(program, parse_options("service", None, None))
    card = words(report_card(t, found.name, report.report, period="tout le programme",
                             stages=report.stages))  # fmt: skip
    assert "Note moyenne des séances (sur 5): 4,1" in card
    assert "Taux de réponse aux avis: 83\u202f%" in card
    assert "Score de recommandation (NPS): +33" in card
    [it] = [x for x in card.splitlines() if x.startswith("IT — ")]
    assert "Inscrits masqué ·" in it and "Note < 5 réponses" in it
    [finance] = [x for x in card.splitlines() if x.startswith("Finance — ")]
    assert finance.startswith("Finance — Inscrits < 5 · En binôme < 5 ·")


async def test_one_more_answer_reveals_nothing_until_enough_new_people_answered(
    program: Database,
) -> None:
    t = Translator("en")
    asked = parse_options("department", None, None)
    _, before = await built(program, asked)
    async with program.unit_of_work() as session:
        f1 = await person_named(session, "F1")
        from sqlalchemy import select

        from storage.models import Pairing

        pairing = (await session.scalars(select(Pairing).where(
            Pairing.mentee_id == f1.id))).one()  # fmt: skip
        await answer(session, f1, pairing, "session", day(99), asked=day(98), rating=1)
    _, after = await built(program, asked)
    assert report_csv(t, after.report, after.stages) == report_csv(t, before.report, before.stages)
    assert after.report == before.report

    # Two more new people: with S9 and S10 waiting since the start, five: the batch closes.
    async with program.unit_of_work() as session:
        for key in ("F2", "F3"):
            person = await person_named(session, key)
            pairing = (await session.scalars(select(Pairing).where(
                Pairing.mentee_id == person.id))).one()  # fmt: skip
            await answer(session, person, pairing, "session", day(99.5), asked=day(98), rating=5)
    _, closed = await built(program, asked)
    # 82 + 4 + 4 + 1 + 5 + 5 = 101 over 25 answers: 4.04
    rows = {r["figure"]: r for r in csv_rows(report_csv(t, closed.report, closed.stages))
            if not r["breakdown"]}  # fmt: skip
    assert rows["average_rating"]["value"] == "4.0"


async def test_a_period_that_leaves_out_three_people_is_refused(program: Database) -> None:
    t = Translator("en")
    # S10-S12 enrolled on day 5: a report up to day 1 would leave exactly them out.
    _, refused = await built(program, parse_options(None, None, "2026-12-02"))
    assert refused.report.refusal is not None
    text = report_text(t, "x", refused.report, period="p", until=None, stages={})
    assert "This period leaves out 3 people of the program, fewer than 5" in text
    assert "Enrolled" not in text
    assert csv_rows(report_csv(t, refused.report, {})) == []
    # From day 1 on, only those three are in: nobody left out is... 24 people: allowed.
    _, allowed = await built(program, parse_options(None, "2026-12-02", None))
    assert allowed.report.refusal is None
    assert allowed.report.totals["enrolled"].value == 3


async def test_a_breakdown_that_would_hide_every_group_is_refused(program: Database) -> None:
    # Paris 24, Lyon 3: Lyon hidden, and Paris with it (else 27 - 24 gives Lyon back).
    _, refused = await built(program, parse_options("location", None, None))
    assert refused.report.refusal is not None
    assert refused.report.refusal.reason == "groups_too_small"
    card = words(report_card(Translator("fr"), "x", refused.report, period="p", stages={}))
    assert "Cette ventilation masquerait tous les groupes" in card


async def test_a_report_run_later_with_no_new_answer_is_the_same(program: Database) -> None:
    asked = parse_options("department", None, None)
    _, first = await built(program, asked)
    _, later = await built(program, asked, now=NOW + timedelta(days=1))
    assert later.report == first.report


async def test_a_batch_split_four_and_one_across_departments_moves_neither_department(
    program: Database,
) -> None:
    from sqlalchemy import or_, select

    from storage.models import Pairing

    async def closing_reviews(*given: tuple[str, int], at: float) -> None:
        async with program.unit_of_work() as session:
            for key, nps in given:
                person = await person_named(session, key)
                mine = or_(Pairing.mentee_id == person.id, Pairing.mentor_id == person.id)
                pairing = (await session.scalars(select(Pairing).where(mine))).one()
                await answer(session, person, pairing, "closing", day(at), asked=day(98), nps=nps)

    asked = parse_options("department", None, None)
    _, before = await built(program, asked)
    # Five new people: the program's batch closes (the total moves: 12 promoters and 4
    # detractors in 20 answers, +40), but four are of Marketing and one of Sales: S1's 0 shows in
    # neither department (else Sales' +40 would become +17 and give S1's answer away).
    await closing_reviews(("M1", 10), ("M2", 10), ("M3", 10), ("M4", 10), ("S1", 0), at=99)
    _, after = await built(program, asked)
    assert before.report.totals["nps"].value == pytest.approx(100 / 3)
    assert after.report.totals["nps"] == Cell(40.0, 15)  # the same 15 people, 20 answers
    for group in ("Marketing", "Sales"):
        assert after.report.cell("nps", group) == before.report.cell("nps", group), group
    # Four more people of Sales: with S1, five new people of Sales, and Sales moves: 0 10
    # 10 10 10 on top of 9 9 10 5 7: 7 promoters, 2 detractors of 10: +50. Marketing's
    # four still wait for a fifth.
    await closing_reviews(("S2", 10), ("S3", 10), ("S4", 10), ("S5", 10), at=99.5)
    _, closed = await built(program, asked)
    assert before.report.cell("nps", "Sales") == Cell(40.0, 5)
    assert closed.report.cell("nps", "Sales") == Cell(50.0, 5)
    assert closed.report.cell("nps", "Marketing") == before.report.cell("nps", "Marketing")
