"""``forget me`` erases the record that asked, and only what it was proven to own.

Outside the allow-lists a platform profile may claim any email: someone whose Slack
profile says ``ceo@acme.example`` gets a record of their own (not the CEO's). When they ask
to be forgotten, their record goes, but the CEO's record and the CEO's queued messages (a
payload naming that address) stay: a claimed address is not theirs to erase.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.enqueue import enqueue_action
from storage.erasure import PersonNotFound, forget_person_by_id
from storage.models import DueAction, Person, PlatformIdentity
from tests.support.clock import T0

CEO = "ceo@acme.example"


async def test_a_claimed_email_is_not_erased_with_the_claimant(database: Database) -> None:
    async with database.unit_of_work() as session:
        ceo = Person(email=CEO, first_name="Claire", last_name="Dirigeante", languages=[])
        claimant = Person(first_name="Zed", last_name="Quidam", languages=[])
        session.add_all([ceo, claimant])
        await session.flush()
        session.add(
            PlatformIdentity(person_id=claimant.id, platform="slack", tenant_id="T0OTHER",
                             user_id="U0CLAIM01", email=CEO, display_name="Zed Quidam")
        )  # fmt: skip
        await enqueue_action(session, "notify.deliver", "for-the-ceo", T0, {"to": CEO})
        await enqueue_action(session, "notify.deliver", "for-zed", T0, {"to": claimant.id})
        ids = ceo.id, claimant.id

    assert await forget_person_by_id(database, ids[1], ids[1], now=T0) == ids[1]

    async with database.unit_of_work() as session:
        ceo_row, gone = await session.get(Person, ids[0]), await session.get(Person, ids[1])
        assert ceo_row is not None and ceo_row.email == CEO and ceo_row.erased_at is None
        assert gone is not None and gone.erased_at is not None and gone.first_name is None
        assert (await session.scalars(select(PlatformIdentity))).all() == []
        keys = (await session.scalars(select(DueAction.idempotency_key))).all()
        assert list(keys) == ["for-the-ceo"]
    with pytest.raises(PersonNotFound):  # erased already: nothing more to do
        await forget_person_by_id(database, ids[1], now=T0)
