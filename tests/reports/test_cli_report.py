"""``tandem report`` as HR runs it (Typer's CliRunner, a SQLite file and PostgreSQL): the
same figures and hidden cells as the chat card, to a file or standard output; bad options
and refused cuts end with a clear message and a non-zero exit."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path

from typer.testing import CliRunner, Result

from bot.cli import app
from dialogs.reports.charts import PNG_MAGIC
from storage.db import Database
from tests.reports.fixture import NOW, seed_report_program
from tests.reports.test_report_figures import BY_DEPARTMENT, GROUPS, TOTALS, shown_in_csv

runner = CliRunner()


def tandem(url: str, *args: str) -> Result:
    return runner.invoke(
        app,
        ["report", "--program", "bilan-2027", "--at", NOW.isoformat(), *args],
        env={"TANDEM_DATABASE_URL": url, "TANDEM_LOCALE": "en", "COLUMNS": "250"},
    )


def seeded(url: str) -> None:
    async def _go() -> None:
        database = Database(url)
        try:
            async with database.unit_of_work() as session:
                await seed_report_program(session)
        finally:
            await database.dispose()

    asyncio.run(_go())


def test_csv_to_a_file_hides_what_the_chat_hides(database_url: str, tmp_path: Path) -> None:
    seeded(database_url)
    out = tmp_path / "report.csv"
    done = tandem(database_url, "--format", "csv", "--by", "department", "--out", str(out))
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["figure"]: shown_in_csv(r) for r in rows if not r["breakdown"]} == TOTALS
    for key, cells in BY_DEPARTMENT.items():
        mine = [r for r in rows if r["figure"] == key and r["breakdown"] == "department"]
        assert [r["group"] for r in mine] == GROUPS
        assert [shown_in_csv(r) for r in mine] == cells, key
    # Hidden cells carry no value a BI tool could read.
    assert all(r["value"] == "" for r in rows if r["hidden"])


def test_text_in_french_on_standard_output(database_url: str) -> None:
    seeded(database_url)
    done = tandem(database_url, "--locale", "fr", "--by", "service")
    assert done.exit_code == 0, done.output
    assert "Bilan\u202f: Bilan <Mentorat> *2027*" in done.output
    assert re.search(r"\nNote moyenne des séances \(sur 5\) +4,1\n", done.output)
    assert "Inscrits" in done.output and "masqué" in done.output


def test_bad_options_and_refused_cuts_fail_clearly(database_url: str) -> None:
    seeded(database_url)
    bad = tandem(database_url, "--by", "shoe size")
    assert bad.exit_code == 2 and "use department, stage, location or role" in bad.output
    dates = tandem(database_url, "--from", "31/03/2027")
    assert dates.exit_code == 2 and "write dates as YYYY-MM-DD" in dates.output
    gif = tandem(database_url, "--format", "gif")
    assert gif.exit_code == 2 and "not text, csv or png" in gif.output
    unknown = runner.invoke(app, ["report", "--program", "nope"],
                            env={"TANDEM_DATABASE_URL": database_url})  # fmt: skip
    assert unknown.exit_code == 1 and "no program with the slug 'nope'" in unknown.output
    refused = tandem(database_url, "--to", "2026-12-02")
    assert refused.exit_code == 3
    assert "This period leaves out 3 people of the program" in refused.output
    lyon = tandem(database_url, "--by", "location", "--format", "csv")
    assert lyon.exit_code == 3 and "This breakdown would hide every group" in lyon.output


def test_png_charts_to_a_file(database_url: str, tmp_path: Path) -> None:
    seeded(database_url)
    out = tmp_path / "report.png"
    done = tandem(database_url, "--format", "png", "--by", "department", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(PNG_MAGIC) and len(out.read_bytes()) > 10_000
    nowhere = tandem(database_url, "--format", "png")
    assert nowhere.exit_code == 2 and "--out FILE.png" in nowhere.output
