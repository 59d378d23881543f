"""Slack App Home shows each person where they stand, over the fake Slack's views.publish
(issue 10 item 14): not "You are not enrolled" for everyone, but their programs, their
pairing or proposal, and their next step."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.domain.proposals import ACCEPT, ACCEPTED, SENT
from storage.db import Database
from storage.models import Enrollment, MatchRun, Pairing, PlatformIdentity, Proposal
from tests.fakes.slack_signing import event_request
from tests.slack.conftest import SECRET, SlackServer
from tests.support.clock import T0
from tests.support.enrollment import add_program

ALICE, BOB = "U0ALICE01", "U0BOB0002"  # Alice reads French, Bob English (the fake directory)


def texts(node: Any) -> list[str]:
    """Every text a person reads in a Block Kit view, in order."""
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for value in node.values() for t in texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []


async def home(server: SlackServer, user: str) -> str:
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
    assert (await server.post(event_request(SECRET, event))).status == 200
    await server.settle()
    assert server.slack.calls_to("views.publish")[-1].args["user_id"] == user
    view = server.slack.views[f"VHOME{user}"]
    assert view["type"] == "home" and server.slack.violations == []
    return "\n".join(texts(view["blocks"]))


async def person_id(database: Database, user: str) -> str:
    async with database.unit_of_work() as session:
        found = await session.scalar(
            select(PlatformIdentity.person_id).where(PlatformIdentity.user_id == user)
        )
    assert found is not None
    return found


async def test_app_home_shows_where_each_person_stands(
    server: SlackServer, database: Database
) -> None:
    assert "You are not enrolled in a program yet." in await home(server, BOB)
    assert "Vous n’êtes inscrit à aucun programme" in await home(server, ALICE)
    alice, bob = await person_id(database, ALICE), await person_id(database, BOB)
    program_id = await add_program(database)
    async with database.unit_of_work() as session:
        session.add_all([
            Enrollment(program_id=program_id, person_id=alice, role="mentor", status="active"),
            Enrollment(program_id=program_id, person_id=bob, role="mentee", status="active"),
        ])  # fmt: skip
        run = MatchRun(program_id=program_id, dry_run=False, status="sent")
        session.add(run)
        await session.flush()
        proposal = Proposal(match_run_id=run.id, program_id=program_id, mentor_id=alice,
                            mentee_id=bob, score=5.0, status=SENT, mentor_answer=ACCEPT,
                            sent_at=T0)  # fmt: skip
        session.add(proposal)

    bob_home = await home(server, BOB)
    assert "You are not enrolled" not in bob_home
    assert "Program: Mentorat <b>mi-2027</b>" in bob_home.replace("&lt;", "<").replace("&gt;", ">")
    assert "Proposed partner: *alice*" in bob_home
    assert "Next step: answer the proposal card in our messages, Accept or Decline." in bob_home
    alice_home = await home(server, ALICE)
    assert "Binôme proposé\u202f: *bob*" in alice_home
    assert "vous avez accepté" in alice_home  # waiting for Bob

    async with database.unit_of_work() as session:
        stored = await session.scalar(select(Proposal))
        assert stored is not None
        stored.status, stored.mentee_answer = ACCEPTED, ACCEPT
        session.add(Pairing(program_id=program_id, proposal_id=stored.id, mentor_id=alice,
                            mentee_id=bob, status="active", started_at=T0))  # fmt: skip
    bob_home = await home(server, BOB)
    assert "Your partner: *alice*" in bob_home
    assert "Next step: agree on a time for your next session with your partner" in bob_home
    assert "Proposed partner" not in bob_home
