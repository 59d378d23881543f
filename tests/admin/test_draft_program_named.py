"""A new draft program's message names the program in the command to open it, in its
notification text too (what a phone shows), in both languages (issue 10 item 14)."""

from __future__ import annotations

from dialogs.core.ui import Done, Form, NextForm
from storage.db import Database
from tests.support.driver import SETTINGS, Driver, admin
from tests.support.messages import words


async def created(driver: Driver, locale: str) -> Done:
    opened = await driver.say(admin(locale), "admin program new")
    assert isinstance(opened.form, Form)
    step = await driver.submit(admin(locale), opened.form, dict(SETTINGS))
    assert isinstance(step, NextForm), step
    stages = {"mentor_stages": ("junior",), "mentee_stages": ("executive",), "rules": ()}
    done = await driver.submit(admin(locale), step.form, stages)
    assert isinstance(done, Done) and done.message is not None
    return done


async def test_the_draft_message_names_the_program_to_open(database: Database) -> None:
    driver = Driver(database)
    french = (await created(driver, "fr-FR")).message
    assert french is not None
    assert french.summary == (
        "Programme créé en brouillon. Ouvrez les inscriptions avec\u202f: "
        "admin program open mi-2028"
    )
    assert words(french).splitlines()[1].endswith("admin program open mi-2028")
    # The command it gives works as it is written, once the texts it names are published.
    for kind in ("charter", "privacy"):
        await driver.say(admin(), f"admin texts publish mi-2028 {kind}")
    opened = words(await driver.say(admin(), french.summary.rsplit(": ", 1)[1]))
    assert "ouvert" in opened.lower()


async def test_the_draft_message_in_english(database: Database) -> None:
    driver = Driver(database)
    await driver.say(admin("en-US"), "language en")
    english = (await created(driver, "en-US")).message
    assert english is not None
    assert english.summary == (
        "Program created as a draft. Open it for enrollment with: admin program open mi-2028"
    )
