"""File links (``bot.domain.files``): signed, expiring, opaque; anything else opens nothing;
files past their time are deleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import select

from bot.domain.files import LINK_LIFETIME, FileKeys, link_expiry
from dialogs.core.feature import DueContext
from dialogs.personal_data.feature import purge_files
from storage.db import Database
from storage.files import live_file, store_file
from storage.models import StoredFile
from tests.support.clock import T0

KEYS = FileKeys("https://tandem.example.com", "a-secret-key")


def test_a_token_opens_its_file_until_it_expires() -> None:
    token = KEYS.token(42, T0 + timedelta(days=1))
    assert KEYS.file_of(token, T0) == 42
    assert KEYS.file_of(token, T0 + timedelta(hours=23, minutes=59)) == 42
    assert KEYS.file_of(token, T0 + timedelta(days=1)) is None
    assert "42" not in token and len(token) < 64
    assert KEYS.url(42, T0 + timedelta(days=1)) == f"https://tandem.example.com/files/{token}"


@pytest.mark.parametrize(
    "forged",
    ["", "x", "A" * 43, "A" * 500, "é" * 10, "not base64 at all!", "AAAA=="],
)
def test_anything_we_did_not_sign_opens_nothing(forged: str) -> None:
    assert KEYS.file_of(forged, T0) is None


def test_an_altered_token_or_another_key_opens_nothing() -> None:
    token = KEYS.token(7, T0 + timedelta(days=1))
    for at in (0, 20, len(token) - 1):  # the last character's spare bits too
        flipped = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]
        assert KEYS.file_of(flipped, T0) is None
    assert FileKeys("https://tandem.example.com", "another-key").file_of(token, T0) is None


def test_a_link_never_outlives_its_file() -> None:
    assert link_expiry(T0, None) == T0 + LINK_LIFETIME
    assert link_expiry(T0, T0 + timedelta(hours=2)) == T0 + timedelta(hours=2)


async def test_files_past_their_time_are_purged_at_night(database: Database) -> None:
    async with database.unit_of_work() as session:
        for name, expires in (
            ("old.json", T0),
            ("new.json", T0 + timedelta(days=1)),
            ("kept", None),
        ):
            await store_file(session, owner_id=None, purpose="chart", filename=name,
                             media_type="text/plain", content=b"x", now=T0, expires_at=expires)  # fmt: skip
    due = DueContext(database, cast(Any, None), "routine.files.purge_expired", T0)
    await purge_files(due)
    async with database.unit_of_work() as session:
        left = await session.scalars(select(StoredFile.filename).order_by(StoredFile.filename))
        assert list(left) == ["kept", "new.json"]
        assert await live_file(session, 1, T0) is None
