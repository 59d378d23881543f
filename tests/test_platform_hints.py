"""Profile hints no real platform sends (longer than their columns) are ignored, not stored:
on PostgreSQL they failed the whole event after its ack (found by the Teams fuzz test)."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import PlatformIdentity
from storage.people.identities import PlatformUser, resolve_person


async def test_overlong_hints_are_dropped_and_the_person_still_resolved(
    database: Database,
) -> None:
    user = PlatformUser(
        "teams",
        "tenant-1",
        "29:someone",
        display_name="Ada " + "L" * 300,
        email="a" * 400 + "@acme.example",
        timezone="Europe/" + "X" * 100,
        locale="fr-" + "F" * 40,
    )
    async with database.unit_of_work() as session:
        person = await resolve_person(session, user, trust_email=False)
        assert person is not None
    async with database.unit_of_work() as session:
        identity = await session.scalar(select(PlatformIdentity))
        assert identity is not None
        assert (identity.display_name, identity.email, identity.locale) == (None, None, None)
    fine = PlatformUser("teams", "tenant-1", "29:someone", display_name="Ada L", locale="fr-FR")
    async with database.unit_of_work() as session:
        await resolve_person(session, fine, trust_email=False)
    async with database.unit_of_work() as session:
        identity = await session.scalar(select(PlatformIdentity))
        assert identity is not None and (identity.display_name, identity.locale) == (
            "Ada L",
            "fr-FR",
        )
