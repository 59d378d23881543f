"""`tandem demo-data` and `tandem match`, as an admin runs them (Typer's CliRunner, real
databases: a SQLite file and PostgreSQL)."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.db import Database
from storage.enrollment.enrollments import EnrollmentAnswers, save_enrollment
from storage.matching.population import ProgramPopulation, load_program_population
from storage.models import Enrollment, Person, Program
from tests.matching.helpers import feasible
from tests.support.clock import T0

runner = CliRunner()


def tandem(url: str, *args: str) -> Result:
    return runner.invoke(
        app, list(args), env={"TANDEM_DATABASE_URL": url, "TANDEM_LOCALE": "en", "COLUMNS": "250"}
    )


def load(url: str, slug: str) -> ProgramPopulation:
    async def _go() -> ProgramPopulation:
        database = Database(url)
        try:
            async with database.unit_of_work() as session:
                program_id = await session.scalar(select(Program.id).where(Program.slug == slug))
                assert program_id is not None
                return await load_program_population(session, program_id, now=T0)
        finally:
            await database.dispose()

    return asyncio.run(_go())


def count(url: str, column: object) -> int:
    async def _go() -> int:
        database = Database(url)
        try:
            async with database.unit_of_work() as session:
                return int(await session.scalar(select(func.count(column))) or 0)  # type: ignore[call-overload]
        finally:
            await database.dispose()

    return asyncio.run(_go())


def test_demo_data_then_a_dry_run_writes_valid_pairs(database_url: str, tmp_path: Path) -> None:
    made = tandem(database_url, "demo-data", "--program", "try", "--people", "300", "--seed", "42")
    assert made.exit_code == 0, made.output
    assert "Created program try" in made.output
    people, enrollments = count(database_url, Person.id), count(database_url, Enrollment.id)
    assert enrollments == 300
    again = tandem(database_url, "demo-data", "--program", "try", "--people", "300", "--seed", "42")
    assert again.exit_code == 0, again.output
    assert "0 people created" in again.output and "0 enrollments added" in again.output
    assert (count(database_url, Person.id), count(database_url, Enrollment.id)) == (
        people,
        enrollments,
    )

    # the HRIS view of the synthetic organisation, as `people export` gives it
    exported = tandem(database_url, "people", "export")
    assert exported.exit_code == 0, exported.output
    hris = list(csv.DictReader(io.StringIO(exported.output)))
    assert len(hris) == people
    assert {"email", "manager_email", "department", "career_stage", "languages"} <= set(hris[0])
    assert all(r["department"] and r["career_stage"] for r in hris)
    assert sum(1 for r in hris if r["manager_email"]) > 0.9 * people
    enrolled = [r for r in hris if r["languages"]]
    assert len(enrolled) == 300 and all(r["timezone"] and r["location"] for r in enrolled)

    out = tmp_path / "proposals.csv"
    done = tandem(database_url, "match", "--program", "try", "--dry-run", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "optimal over all pairs" in done.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["mentor_email", "mentee_email", "score", "reasons", "mentor_name",
                             "mentee_name", "pinned", "flags"]  # fmt: skip
    assert f"{len(rows)} proposed pairs written" in done.output
    assert len(rows) > 100
    assert all(r["mentor_email"].endswith(".s42@demo.tandem.example") for r in rows)
    assert all(r["reasons"] and "_" not in r["reasons"] for r in rows)  # words, not codes
    assert all(float(r["score"]) > 0 for r in rows)
    # every hard constraint holds, checked independently of the engine
    loaded = load(database_url, "try")
    pop, ids = loaded.population, loaded.population.org.person_ids
    by_email = {email: pid for pid, email in loaded.emails.items()}
    mentor_row = {ids[p]: r for r, p in enumerate(pop.mentors.person.tolist())}
    mentee_row = {ids[p]: r for r, p in enumerate(pop.mentees.person.tolist())}
    load_of: Counter[int] = Counter()
    mentees = [r["mentee_email"] for r in rows]
    assert len(set(mentees)) == len(mentees)
    for row in rows:
        i, j = mentor_row[by_email[row["mentor_email"]]], mentee_row[by_email[row["mentee_email"]]]
        assert feasible(pop, loaded.rules, j, i), row
        load_of[i] += 1
    assert all(n <= pop.mentors.capacity[i] for i, n in load_of.items())


async def _program(url: str, slug: str, roles: list[tuple[str, str | None]]) -> None:
    """A program with people enrolled in ``roles`` (role, manager email) by order."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            program = Program(slug=slug, name=slug, timezone="Europe/Paris", status="open",
                              starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))  # fmt: skip
            session.add(program)
            await session.flush()
            ids: list[str] = []
            for n, (role, _) in enumerate(roles):
                person = Person(email=f"{slug}{n}@acme.example", first_name=f"P{n}",
                                languages=["fr"])  # fmt: skip
                session.add(person)
                await session.flush()
                ids.append(person.id)
                answers = EnrollmentAnswers(role=role, capacity=1, languages=["fr"],
                                            skills_offered=[{"skill": "seo", "level": 4}],
                                            skills_wanted=[{"skill": "seo", "level": 1}])  # fmt: skip
                await save_enrollment(session, program.id, person.id, answers, "active")
            for n, (_, manager) in enumerate(roles):
                if manager is not None:
                    await session.execute(
                        update(Person)
                        .where(Person.id == ids[n])
                        .values(manager_id=ids[int(manager)])
                    )
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([("mentee", None), ("mentee", None)], "No active mentors"),
        ([("mentor", None)], "No active mentees"),
    ],
)
def test_a_program_without_mentors_or_mentees_gives_a_clear_report(
    database_url: str, roles: list[tuple[str, str | None]], expected: str
) -> None:
    asyncio.run(_program(database_url, "half", roles))
    result = tandem(database_url, "match", "--program", "half", "--dry-run")
    assert result.exit_code == 0, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    if roles[0][0] == "mentee":
        assert "no mentor is available in the program yet (mentees: 2)" in result.output
        assert "recruit mentors for Search engine optimisation (SEO)" in result.output


def test_a_management_cycle_is_reported_without_a_hang(database_url: str) -> None:
    # 0 reports to 1, 1 reports to 0 (bad HRIS data); 2 is outside the loop
    asyncio.run(
        _program(database_url, "loop", [("mentor", "1"), ("mentee", "0"), ("mentee", None)])
    )
    result = tandem(database_url, "match", "--program", "loop", "--dry-run", "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert "boucle hiérarchique" in result.output
    assert "P0" in result.output and "P1" in result.output
    assert "pairs proposed" in result.output and "1 (pinned 0)" in result.output


def test_an_unknown_program_or_language_is_refused(database_url: str) -> None:
    missing = tandem(database_url, "match", "--program", "nope")
    assert missing.exit_code == 1
    assert "no program 'nope'" in missing.output
    bad = tandem(database_url, "match", "--program", "nope", "--lang", "de")
    assert bad.exit_code == 2 and "--lang" in bad.output
    slug = tandem(database_url, "demo-data", "--program", "Not A Slug", "--people", "10")
    assert slug.exit_code == 2 and "is not a slug" in slug.output


HEAVY = ("numpy", "scipy", "ortools", "slack_sdk", "slack_bolt", "botbuilder")
PROBE = """
import runpy, sys
sys.argv = ["tandem", *sys.argv[1:]]
try:
    runpy.run_module("bot.cli", run_name="__main__")
except SystemExit:
    pass
print(",".join(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args", [("--help",), ("people", "--help"), ("match", "--help"), ("demo-data", "--help")]
)
def test_help_does_not_import_the_heavy_modules(args: tuple[str, ...], tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.support.cli import clean_env

    probe = PROBE.format(heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", probe, *args], cwd=tmp_path, env=clean_env(),
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "Usage" in done.stdout
    assert done.stderr.strip().splitlines()[-1:] in ([""], []), done.stderr


def test_people_export_does_not_import_the_matching_stack(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.support.cli import clean_env

    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}")
    subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], cwd=tmp_path, env=env,
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    probe = PROBE.format(heavy=("numpy", "scipy", "ortools", "botbuilder", "slack_bolt"))
    done = subprocess.run([sys.executable, "-c", probe, "people", "export"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.stdout.startswith("email,")
    assert done.stderr.strip().splitlines()[-1:] in ([""], []), done.stderr


def test_without_dry_run_a_draft_run_is_recorded_for_chat(database_url: str) -> None:
    from storage.models import MatchRun, Proposal

    assert tandem(database_url, "demo-data", "--program", "rec", "--people", "40").exit_code == 0
    done = tandem(database_url, "match", "--program", "rec")
    assert done.exit_code == 0, done.output
    assert "Recorded as draft run" in done.output and "admin match send rec" in done.output
    assert count(database_url, MatchRun.id) == 1
    assert count(database_url, Proposal.id) > 10
    # a second run supersedes the first draft, as in chat
    assert tandem(database_url, "match", "--program", "rec").exit_code == 0
    assert count(database_url, MatchRun.id) == 2
