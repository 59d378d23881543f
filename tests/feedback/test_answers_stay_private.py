"""A person's answers are theirs: the other side of the pair never reads them, by any
command, any card a command shows, any button on those cards, any message the bot sends
them, or their own data export.

The test does not list the places to look: it types every command word that any feature
declares (admin ones too: they are refused), clicks every button the replies carry, runs
what that queues, and searches everything the partner was shown for the other's words.
A new command or card that leaks an answer fails it without anyone updating the test.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from dialogs.capabilities import FEATURES
from storage.db import Database
from storage.models import CheckIn, Feedback, FeedbackRequest, StoredFile
from tests.support.clock import T0
from tests.support.messages import buttons
from tests.support.people import add_person, add_program, enroll, pair
from tests.support.world import World, world

pytestmark = pytest.mark.timeout(300)

# Each person's words, in every free-text column an answer has.
FREE_TEXT = ("learned", "comment", "changed", "testimonial")


def secrets_of(name: str) -> dict[str, str]:
    return {column: f"{name}-{column}-secret-7f3a" for column in FREE_TEXT}


async def answers(database: Database, pairing_id: int, check_in_id: int, person: str,
                  role: str, name: str) -> None:  # fmt: skip
    """``person``'s answers to a session's survey, a pulse, the mid-point and the close."""
    words = secrets_of(name)
    async with database.unit_of_work() as session:
        for kind in ("session", "pulse", "midpoint", "closing"):
            request = FeedbackRequest(
                key=f"feedback:{kind}:{pairing_id}:{person}", kind=kind,
                pairing_id=pairing_id, person_id=person, role=role, status="answered",
                check_in_id=check_in_id if kind == "session" else None,
                asked_at=T0, answered_at=T0,
            )  # fmt: skip
            session.add(request)
            await session.flush()
            session.add(
                Feedback(
                    pairing_id=pairing_id,
                    request_id=request.id,
                    person_id=person,
                    kind=kind,
                    role=role,
                    rating=2 if kind == "session" else None,
                    check_in_id=check_in_id if kind == "session" else None,
                    skills=["social_media"],
                    pulse="concern" if kind == "pulse" else None,
                    nps=3 if kind == "closing" else None,
                    quote_consent_at=None,
                    skill_levels={},
                    retrospective={},
                    submitted_at=T0,
                    **words,
                )
            )


def every_command() -> list[str]:
    words = {"help"}
    for feature in FEATURES:
        words.update(feature.commands)
    return sorted(words)


async def everything_shown(w: World, user: str) -> list[str]:
    """What ``user`` is shown by every command, then by every button of those replies
    (clicked after all the commands: a Leave or End button changes what comes next)."""
    shown: list[str] = []
    found = []
    for command in every_command():
        outcome = await w.say(user, command)
        shown.append(repr(outcome))
        found += buttons(outcome)
    for button in found:
        shown.append(repr(await w.click(user, button)))
    await w.drain()
    shown += [repr(message) for message in w.channel.to(user)]
    return shown


@pytest.mark.parametrize("reader", ["mentor", "mentee"])
async def test_neither_side_reads_the_others_answers(database: Database, reader: str) -> None:
    w = await world(database, every_feature=True)
    program = await add_program(database)
    w.program_id = program
    anna = await add_person(database, "UANNA", "anna@acme.example", first="Anna")
    ben = await add_person(database, "UBEN", "ben@acme.example", first="Ben")
    w.users.update({anna: "UANNA", ben: "UBEN"})
    await enroll(database, anna, program, role="mentor")
    await enroll(database, ben, program, role="mentee")
    pairing_id = await pair(database, program, anna, ben)
    async with database.unit_of_work() as session:
        check_in = CheckIn(pairing_id=pairing_id, scheduled_at=T0, status="held", answers={})
        session.add(check_in)
        # and one to come, so that ``sessions`` shows the pair
        session.add(
            CheckIn(pairing_id=pairing_id, scheduled_at=T0 + timedelta(days=3), ordinal=2,
                    status="planned", answers={}, zone="Europe/Paris", local_start=time(15))
        )  # fmt: skip
        await session.flush()
        check_in_id = check_in.id
    await answers(database, pairing_id, check_in_id, anna, "mentor", "anna")
    await answers(database, pairing_id, check_in_id, ben, "mentee", "ben")

    me, partner = ("UANNA", "ben") if reader == "mentor" else ("UBEN", "anna")
    shown = await everything_shown(w, me)
    assert len(shown) > len(every_command())  # the commands did answer
    # The search does see what concerns the partner (their name on the pair's cards).
    assert any(partner.title() in text for text in shown)
    for text in shown:
        for secret in secrets_of(partner).values():
            assert secret not in text, f"{partner}'s answer shown to the {reader}: {text[:300]}"
    # Their own data (``my data``, when it exists) holds their words, never the partner's.
    async with database.unit_of_work() as session:
        files = list(await session.scalars(select(StoredFile)))
    for stored in files:
        content = stored.content.decode("utf-8", "replace")
        for secret in secrets_of(partner).values():
            assert secret not in content, f"{partner}'s answer in {stored.filename}"
