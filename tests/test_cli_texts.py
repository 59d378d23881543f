"""`tandem program texts show|edit|publish`, as an HR admin runs them from a terminal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import DueAction, ProgramText
from tests.support.cli import clean_env, tandem

pytestmark = pytest.mark.timeout(180)  # each test runs several tandem processes: up to 20 s here


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}")
    assert tandem("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    made = tandem("demo-data", "--program", "pilot", "--people", "20", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    return env


async def stored(url: str) -> tuple[list[tuple[int, str, str, bool]], list[str]]:
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            texts = [
                (t.version, t.locale, t.body, t.published_at is not None)
                for t in await session.scalars(
                    select(ProgramText).where(ProgramText.program_id.is_not(None))
                )
            ]
            kinds = list(await session.scalars(select(DueAction.kind)))
        return texts, kinds
    finally:
        await database.dispose()


def test_edit_then_publish_asks_enrolled_people_again(tmp_path: Path, env: dict[str, str]) -> None:
    charter = tmp_path / "charter.md"
    charter.write_text("Nous nous engageons à la **bienveillance**.\n", encoding="utf-8")
    saved = tandem("program", "texts", "edit", "pilot", "charter", "--lang", "fr",
                   "--file", str(charter), cwd=tmp_path, env=env)  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    assert "Draft of version" in saved.stdout
    shown = tandem("program", "texts", "show", "pilot", "charter", cwd=tmp_path, env=env)
    assert shown.returncode == 0 and "a draft of version" in shown.stdout
    published = tandem("program", "texts", "publish", "pilot", "charter", cwd=tmp_path, env=env)
    assert published.returncode == 0, published.stderr
    assert "is published" in published.stdout
    texts, kinds = asyncio.run(stored(env["TANDEM_DATABASE_URL"]))
    assert any(body.startswith("Nous nous engageons") and done for _, lang, body, done in texts
               if lang == "fr")  # fmt: skip
    assert "programs.texts_published" in kinds  # the server asks people to accept it
    shown = tandem("program", "texts", "show", "pilot", "charter", cwd=tmp_path, env=env)
    assert "bienveillance" in shown.stdout and "draft" not in shown.stdout


def test_bad_input_is_refused_and_changes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("  \n", encoding="utf-8")
    cases = [
        (("show", "nope", "charter"), "no program"),
        (("edit", "pilot", "charter", "--file", str(empty)), "is empty"),
        (("edit", "pilot", "charter", "--file", str(tmp_path / "missing.md")), "cannot read"),
        (("publish", "pilot", "privacy"), "no draft to publish"),
        (("show", "pilot", "rules"), "charter"),  # an unknown kind: the choices are listed
    ]
    for args, words in cases:
        result = tandem("program", "texts", *args, cwd=tmp_path, env=env)
        assert result.returncode != 0, args
        assert words in result.stderr, (args, result.stderr)
    texts, kinds = asyncio.run(stored(env["TANDEM_DATABASE_URL"]))
    # Only the default texts demo-data published when it opened the program: no draft.
    assert sorted((v, lang, done) for v, lang, _, done in texts) == [
        (1, "en", True), (1, "en", True), (1, "fr", True), (1, "fr", True),
    ]  # fmt: skip
    assert "programs.texts_published" not in kinds
