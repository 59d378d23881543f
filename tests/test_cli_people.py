"""`tandem people import|export` and `tandem forget`, as an HR admin runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.support.cli import clean_env, tandem
from tests.support.clock import T0

pytestmark = pytest.mark.timeout(180)  # each test runs several tandem processes: 5-36 s here

HEADER = "employee_id;email;first_name;last_name;title;department;manager;career_stage;location;timezone;language\n"
GOOD = HEADER + (
    "E1;anne.chef@acme.example;Anne;Chef;Directrice générale;Direction;;executive;Paris;Europe/Paris;fr\n"
    "E2;lea.martin@acme.example;Léa;Martin;Chargée SEO;Marketing;E1;junior;Paris;Europe/Paris;fr\n"
    "E3;sam.tan@acme.example;Sam;Tan;Sales lead;Ventes;anne.chef@acme.example;manager;Singapore;Asia/Singapore;en\n"
)
BAD = GOOD + (
    "E4;not-an-email;Marc;Petit;Analyste;Finance;E1;junior;Paris;Europe/Paris;fr\n"
    "E5;marc.roy@acme.example;Marc;Roy;Analyste;Finance;E1;junior;Montréal;America/Montréal;fr\n"
    "E6;ines.b@acme.example;Inès;B;Analyste;Finance;E99;junior;Paris;Europe/Paris;fr\n"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}")
    assert tandem("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    return env


def export(tmp_path: Path, env: dict[str, str]) -> list[dict[str, str]]:
    result = tandem("people", "export", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_file_with_three_bad_rows_writes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "hris.csv").write_text(BAD, encoding="utf-8")
    result = tandem("people", "import", "hris.csv", cwd=tmp_path, env=env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("hris.csv: line")]
    assert [e.split(":")[1].strip() for e in errors] == ["line 5", "line 6", "line 7"]
    assert "nothing was imported" in result.stderr
    assert export(tmp_path, env) == []


def test_import_export_and_forget(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "hris.csv").write_text(GOOD, encoding="utf-8-sig")
    dry = tandem("people", "import", "hris.csv", "--dry-run", cwd=tmp_path, env=env)
    assert "would have 3 created" in dry.stdout
    assert export(tmp_path, env) == []

    done = tandem("people", "import", "hris.csv", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "3 created, 0 updated" in done.stdout
    people = {p["email"]: p for p in export(tmp_path, env)}
    assert people["lea.martin@acme.example"]["manager_email"] == "anne.chef@acme.example"
    assert people["sam.tan@acme.example"]["career_stage"] == "manager"
    assert people["sam.tan@acme.example"]["languages"] == "en"
    assert people["lea.martin@acme.example"]["department"] == "Marketing"

    one = tandem("people", "export", "--format", "json", "--email", "sam.tan@acme.example",
                 cwd=tmp_path, env=env)  # fmt: skip
    assert [p["first_name"] for p in json.loads(one.stdout)] == ["Sam"]

    erased = tandem("forget", "--yes", "anne.chef@acme.example", cwd=tmp_path, env=env)
    assert erased.returncode == 0, erased.stderr
    remaining = export(tmp_path, env)
    assert "anne.chef@acme.example" not in {p["email"] for p in remaining}
    assert "Anne" not in json.dumps(remaining)

    again = tandem("forget", "--yes", "anne.chef@acme.example", cwd=tmp_path, env=env)
    assert again.returncode == 1
    assert "no person with email" in again.stderr


def test_forget_asks_before_erasing(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "hris.csv").write_text(GOOD, encoding="utf-8")
    tandem("people", "import", "hris.csv", cwd=tmp_path, env=env)
    kept = tandem("forget", "lea.martin@acme.example", cwd=tmp_path, env=env, stdin="n\n")
    assert kept.returncode == 1
    assert "lea.martin@acme.example" in {p["email"] for p in export(tmp_path, env)}


def test_commands_refuse_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    result = tandem("people", "export", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "run `tandem db upgrade` first" in result.stderr


def test_people_merge_folds_a_duplicate_into_the_kept_record(
    tmp_path: Path, env: dict[str, str]
) -> None:
    duplicate = (
        HEADER + "E9;lea.m@perso.example;Léa;Martin;;Marketing;E1;junior;Paris;Europe/Paris;fr\n"
    )
    (tmp_path / "hris.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "dup.csv").write_text(duplicate, encoding="utf-8")
    tandem("people", "import", "hris.csv", cwd=tmp_path, env=env)
    tandem("people", "import", "dup.csv", cwd=tmp_path, env=env)
    assert len(export(tmp_path, env)) == 4
    merged = tandem(
        "people", "merge", "lea.martin@acme.example", "lea.m@perso.example", cwd=tmp_path, env=env
    )
    assert merged.returncode == 0, merged.stderr
    assert "Merged into lea.martin@acme.example" in merged.stdout
    emails = {p["email"] for p in export(tmp_path, env)}
    assert "lea.m@perso.example" not in emails and "lea.martin@acme.example" in emails
    same = tandem(
        "people",
        "merge",
        "lea.martin@acme.example",
        "lea.martin@acme.example",
        cwd=tmp_path,
        env=env,
    )
    assert same.returncode == 1


def test_a_full_import_reports_the_enrollments_it_closes(
    tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / "hris.csv").write_text(GOOD, encoding="utf-8")
    tandem("people", "import", "hris.csv", cwd=tmp_path, env=env)
    without_sam = "".join(line for line in GOOD.splitlines(keepends=True) if "sam.tan" not in line)
    (tmp_path / "next.csv").write_text(without_sam, encoding="utf-8")
    result = tandem("people", "import", "next.csv", "--full", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "1 marked as left" in result.stdout
    assert "Enrollments closed for leavers: 0" in result.stdout  # Sam had none


def test_program_list_shows_the_programs(tmp_path: Path, env: dict[str, str]) -> None:
    empty = tandem("program", "list", cwd=tmp_path, env=env)
    assert empty.returncode == 0 and "mentorat" not in empty.stdout
    demo_env = clean_env(
        TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", COLUMNS="160"
    )
    import asyncio

    from storage.db import Database
    from storage.demo import seed_demo
    from storage.migrate import upgrade

    async def seed() -> None:
        database = Database(demo_env["TANDEM_DATABASE_URL"])
        await upgrade(database)
        await seed_demo(database, T0)
        await database.dispose()

    asyncio.run(seed())
    listed = tandem("program", "list", cwd=tmp_path, env=demo_env)
    assert listed.returncode == 0, listed.stderr
    assert "mentorat-inverse" in listed.stdout and "open" in listed.stdout
