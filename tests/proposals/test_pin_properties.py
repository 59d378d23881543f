"""Issue 10 item 6, as a property: whatever sequence of dry runs, pins, swaps, removals, sends,
answers and ends an admin and people go through, no active pairing ever breaks a hard rule
(management chain, capacity, a block, a pair made twice), and a fresh dry run never proposes
a pair that is active or a mentee who is already paired."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dialogs.core.ui import Button, Form
from dialogs.matching.cards import ACCEPT_ACTION, DECLINE_ACTION
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AdminBlock, Enrollment, MatchRun, Pairing, Person, Proposal
from tests.support.people import add_program
from tests.support.world import World, add_member, admin, world

MENTORS = ("felix", "lea", "tom")
MENTEES = ("marc", "anne", "omar")
USERS = {"felix": "UFELIX", "lea": "ULEA", "tom": "UTOM", "marc": "UMARC", "anne": "UANNE",
         "omar": "UOMAR"}  # fmt: skip
CAPACITY = {"felix": 1, "lea": 2, "tom": 1}
CHAIN = {("felix", "marc")}  # Marc is Felix's skip-level manager
BLOCKED = {("tom", "omar")}

Step = tuple[str, int, int]
steps = st.one_of(
    st.tuples(st.just("match"), st.just(0), st.just(0)),
    st.tuples(st.just("pin"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("swap"), st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.just("remove"), st.integers(1, 3), st.just(0)),
    st.tuples(st.just("send"), st.just(0), st.just(0)),
    st.tuples(st.just("accept"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("both"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("decline"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("end"), st.integers(0, 5), st.just(0)),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pins") / "template.db"

    async def migrate() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        await upgrade(database)
        await database.dispose()

    asyncio.run(migrate())
    return path


async def program(database: Database) -> tuple[World, dict[str, str]]:
    w = await world(database)
    w.program_id = await add_program(database)
    await admin(w)
    ids: dict[str, str] = {}
    for name in MENTEES:
        ids[name] = await add_member(w, USERS[name], first=name.title(), role="mentee",
                                     stage="director", department=f"D-{name}",
                                     wants=["seo", "web_analytics"])  # fmt: skip
    async with database.unit_of_work() as session:
        sam = Person(email="sam@acme.example", first_name="Sam", manager_id=ids["marc"])
        session.add(sam)
        await session.flush()
        sam_id = sam.id
    for name in MENTORS:
        ids[name] = await add_member(w, USERS[name], first=name.title(), role="mentor",
                                     stage="junior", department=f"D-{name}",
                                     offers=["seo", "web_analytics"],
                                     manager_id=sam_id if name == "felix" else None)  # fmt: skip
    async with database.unit_of_work() as session:
        for name, room in CAPACITY.items():
            enrollment = await session.scalar(
                select(Enrollment).where(Enrollment.person_id == ids[name])
            )
            assert enrollment is not None
            enrollment.capacity = room
        for a, b in BLOCKED:
            session.add(AdminBlock(program_id=w.program_id, person_a=ids[a], person_b=ids[b]))
    return w, ids


async def play(w: World, ids: dict[str, str], step: Step) -> None:
    kind, x, y = step
    people = (*MENTORS, *MENTEES)
    if kind == "match":
        await w.say("UADMIN", "admin match")
        await check_dry_run(w, ids)
    elif kind == "pin":  # as an admin does: a dry run, then the pin
        mentor, mentee = MENTORS[x], MENTEES[y]
        await w.say("UADMIN", "admin match")
        await w.say("UADMIN", f"admin match pin {mentor}@acme.example {mentee}@acme.example")
        await check_dry_run(w, ids)
    elif kind in ("swap", "remove"):
        await w.say(
            "UADMIN", f"admin match {kind} {x} {y}" if kind == "swap" else f"admin match {kind} {x}"
        )
    elif kind == "send":
        await w.say("UADMIN", "admin match send")
        await w.drain()
    elif kind in ("accept", "decline"):
        person = ids[people[x]]
        async with w.database.unit_of_work() as session:
            waiting = await session.scalar(
                select(Proposal.id)
                .where(
                    Proposal.status == "sent",
                    (Proposal.mentor_id == person) | (Proposal.mentee_id == person),
                )
                .order_by(Proposal.id)
            )
        if waiting is None:
            return
        user = USERS[people[x]]
        if kind == "accept":
            await w.click(user, Button("Accept", ACCEPT_ACTION, value=str(waiting)))
        else:
            opened = await w.click(user, Button("Decline", DECLINE_ACTION, value=str(waiting)))
            if isinstance(opened.form, Form):
                await w.submit(user, opened.form, {"reason": ""})
        await w.drain()
    elif kind == "both":  # both sides of a waiting proposal accept
        async with w.database.unit_of_work() as session:
            sent = (await session.execute(
                select(Proposal.id, Proposal.mentor_id, Proposal.mentee_id)
                .where(Proposal.status == "sent").order_by(Proposal.id)
            )).all()  # fmt: skip
        if not sent:
            return
        proposal_id, mentor_id, mentee_id = sent[x % len(sent)]
        by_id = {v: USERS[k] for k, v in ids.items()}
        for person in (mentor_id, mentee_id):
            await w.click(by_id[person], Button("Accept", ACCEPT_ACTION, value=str(proposal_id)))
        await w.drain()
    elif kind == "end":
        await w.say("UADMIN", f"admin match end {people[x]}@acme.example")
        await w.drain()


async def check_pairings(w: World, ids: dict[str, str]) -> None:
    name = {v: k for k, v in ids.items()}
    async with w.database.unit_of_work() as session:
        rows = (await session.execute(
            select(Pairing.mentor_id, Pairing.mentee_id, Pairing.status).order_by(Pairing.id)
        )).all()  # fmt: skip
    active = [(name[m], name[e]) for m, e, status in rows if status == "active"]
    every = Counter((name[m], name[e]) for m, e, _ in rows)
    mentors = Counter(m for m, _ in active)
    mentees = Counter(e for _, e in active)
    assert all(mentors[m] <= CAPACITY[m] for m in mentors), rows
    assert all(n == 1 for n in mentees.values()), rows
    assert not set(active) & CHAIN, rows
    assert not set(active) & BLOCKED, rows
    assert all(every[pair] == 1 for pair in active), rows  # never the same pair twice


async def check_dry_run(w: World, ids: dict[str, str]) -> None:
    name = {v: k for k, v in ids.items()}
    async with w.database.unit_of_work() as session:
        run = await session.scalar(
            select(MatchRun).where(MatchRun.status == "draft").order_by(MatchRun.id.desc())
        )
        if run is None:
            return
        drafts = (await session.execute(
            select(Proposal.mentor_id, Proposal.mentee_id)
            .where(Proposal.match_run_id == run.id, Proposal.status == "draft")
        )).all()  # fmt: skip
        taken = (await session.execute(
            select(Pairing.mentor_id, Pairing.mentee_id).where(Pairing.status == "active")
        )).all()  # fmt: skip
    proposed = {(name[m], name[e]) for m, e in drafts}
    active = {(name[m], name[e]) for m, e in taken}
    assert not proposed & active, (proposed, active)
    assert not {e for _, e in proposed} & {e for _, e in active}, (proposed, active)
    assert not proposed & (CHAIN | BLOCKED), proposed


async def scenario(path: Path, script: list[Step]) -> None:
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        w, ids = await program(database)
        for step in script:
            await play(w, ids, step)
            await check_pairings(w, ids)
    finally:
        await database.dispose()


@pytest.mark.timeout(240)  # 30 scripts through the real conversation: about 25 s here
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=st.lists(steps, min_size=1, max_size=14))
def test_no_sequence_of_edits_and_answers_breaks_a_hard_rule(
    template: Path, tmp_path: Path, script: list[Step]
) -> None:
    path = tmp_path / "run.db"
    shutil.copy(template, path)
    asyncio.run(scenario(path, script))
