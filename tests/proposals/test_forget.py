"""Forgetting someone with a proposal waiting: the other side is freed and told, and no
copy of what the forgotten person wrote stays in proposals or queued cards."""

from __future__ import annotations

from sqlalchemy import Text, cast, func, select

from storage.db import Database
from storage.erasure import forget_person
from storage.models import DueAction, Proposal
from tests.proposals.test_workflow import DECLINE_ACTION, sent, two_pairs
from tests.support.messages import button, words


async def test_forgetting_a_person_frees_their_proposals(database: Database) -> None:
    w, ids = await two_pairs(database)
    await sent(w)
    # Anne declines Tom with a reason; Marc's proposal with Lea still waits
    opened = await w.click("UANNE", button(w.channel.to(ids["anne"])[-1], DECLINE_ACTION))
    assert opened.form is not None
    await w.submit("UANNE", opened.form, {"reason": "Anne's private words"})
    await w.drain()
    await forget_person(database, "anne@acme.example", now=w.clock.now())
    await forget_person(database, "marc@acme.example", now=w.clock.now())
    await w.drain()
    async with database.unit_of_work() as session:
        proposals = {p.mentee_id: p for p in (await session.scalars(select(Proposal))).all()}
        assert proposals[ids["anne"]].decline_reason is None
        assert proposals[ids["marc"]].status == "declined"  # withdrawn: Lea is free again
        for needle in ("Marc's goals", "Anne's goals", "Anne's private words"):
            left = await session.scalar(
                select(func.count()).select_from(DueAction).where(
                    cast(DueAction.payload, Text).contains(needle))
            )  # fmt: skip
            assert left == 0, needle
    told = words(w.channel.to(ids["lea"])[1:])
    assert "no longer available" in told and "back in the pool" in told
