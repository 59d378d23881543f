"""Bad input around recognition gets a clear answer and changes nothing: someone who is
not the mentee, a pairing that is not theirs, words too long, the same form sent twice,
someone else's consent button, a program admin naming a program they do not run."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.recognition import THANKS_MAX_CHARS
from dialogs.core.ui import Button
from dialogs.recognition.cards import CONSENT_ACTION, THANK_ACTION
from storage.db import Database
from storage.models import Program, Recognition
from tests.support.messages import words
from tests.support.people import add_person, add_program, enroll, pair
from tests.support.world import World, admin, world


async def rows(database: Database) -> list[Recognition]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(Recognition))).all())


async def pair_world(database: Database) -> tuple[World, int, int]:
    w = await world(database, every_feature=True)
    program = await add_program(database)
    w.program_id = program
    for user, first, role in (("UANNA", "Anna", "mentor"), ("UBEN", "Ben", "mentee"),
                              ("UCLEO", "Cleo", "mentee")):  # fmt: skip
        person = await add_person(database, user, f"{first.lower()}@acme.example", first=first)
        w.users[person] = user
        await enroll(database, person, program, role=role)
    ids = {u: p for p, u in w.users.items()}
    anna_ben = await pair(database, program, ids["UANNA"], ids["UBEN"])
    return w, anna_ben, program


async def test_only_the_mentee_thanks_and_bad_words_change_nothing(database: Database) -> None:
    w, anna_ben, _ = await pair_world(database)
    for user in ("UANNA", "UCLEO"):  # the mentor herself, a mentee of no one
        refused = await w.say(user, "thanks")
        assert "Only a mentee can thank their mentor" in words(refused)
    # Cleo clicks a button naming Anna and Ben's pairing.
    stolen = await w.click("UCLEO", Button("Say thank you", THANK_ACTION, value=str(anna_ben)))
    assert "Only a mentee can thank their mentor" in words(stolen)

    opened = await w.say("UBEN", "merci")
    assert opened.form is not None
    too_long = await w.submit("UBEN", opened.form, {"message": "x" * (THANKS_MAX_CHARS + 1)})
    assert too_long.form_answer is not None and "message" in too_long.form_answer.errors  # type: ignore[union-attr]
    assert await rows(database) == []
    done = await w.submit("UBEN", opened.form, {"message": "Thank you, Anna!"})
    assert "will receive your words privately" in words(done.form_answer.message)  # type: ignore[union-attr]
    again = await w.submit("UBEN", opened.form, {"message": "Thank you, Anna!"})
    assert "already" in words(again.form_answer.message).lower()  # type: ignore[union-attr]
    [row] = await rows(database)
    assert (row.kind, row.text, row.pairing_id) == ("thanks", "Thank you, Anna!", anna_ben)
    await w.drain()
    anna = next(p for p, u in w.users.items() if u == "UANNA")
    [received] = [m for m in w.channel.to(anna) if "thank-you from your mentee" in words(m)]
    assert "Thank you, Anna!" in words(received) and "Ben" in words(received)


async def test_consent_of_someone_else_and_malformed_values(database: Database) -> None:
    w, anna_ben, _ = await pair_world(database)
    for who, value in (("UBEN", f"{anna_ben}:yes"), ("UANNA", "nope"), ("UANNA", "999:yes"),
                       ("UANNA", f"{anna_ben}:yes")):  # fmt: skip
        # the last: Anna's own pairing, but nothing was earned yet (no certificate)
        answer = await w.click(who, Button("Yes", CONSENT_ACTION, value=value))
        assert "not for you" in words(answer), (who, value)
    assert await rows(database) == []


async def test_admin_recognition_names_only_programs_they_run(database: Database) -> None:
    w, _, _ = await pair_world(database)
    await admin(w)
    unknown = await w.say("UADMIN", "admin recognition channel C0PUBLIC nope-2027")
    assert "I do not know a program called" in words(unknown)
    how = await w.say("UADMIN", "admin recognition channel")
    assert "Which channel?" in words(how)
    listing = await w.say("UADMIN", "admin recognition")
    assert "Nothing was sent to mentors yet." in words(listing)
    assert "no channel chosen yet" in words(listing)
    chosen = await w.say("UADMIN", "admin recognition channel C0PUBLIC rm-2027")
    assert "once each mentor agrees" in words(chosen)
    async with database.unit_of_work() as session:
        program = (await session.scalars(select(Program))).one()
        assert program.rules["recognition_channel"]["channel"] == "C0PUBLIC"
    refused = await w.say("UBEN", "admin recognition")
    assert "Recognition of mentors" not in words(refused)
