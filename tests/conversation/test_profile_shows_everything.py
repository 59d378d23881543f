"""``profile`` shows the whole profile in words after a complete enrollment (issue 10 item 9):
what the person entered, with language and time-zone names, not codes, and Edit buttons."""

from __future__ import annotations

from dialogs.core.conversation import Conversation
from storage.db import Database
from tests.enrollment.test_enrollment_flow import CONSENT, MENTEE_LEVELS, MENTEE_SKILLS
from tests.support.clock import fixed_clock
from tests.support.driver import CONFIG
from tests.support.enrollment import Driver, actor, add_person, add_program
from tests.support.messages import buttons_by_action, words

PRACTICAL = {"days": ("1", "3"), "start": "08:30", "end": "09:30", "cadence": "monthly",
             "languages": ("en", "fr"), "format": "in_person", "location": "Lyon"}  # fmt: skip


async def enrolled(database: Database, locale: str) -> Driver:
    await add_program(database)
    await add_person(database, "dir@acme.example", "director", title="DG adjointe",
                     timezone="America/Montreal", locale=locale[:2])  # fmt: skip
    driver = Driver(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U1", "dir@acme.example", locale),
    )
    opened = await driver.join()
    assert opened.form is not None
    summary = await driver.through(
        opened.form,
        [{"role": "mentee", "title": "DG adjointe"}, MENTEE_SKILLS, MENTEE_LEVELS,
         PRACTICAL, CONSENT],
    )  # fmt: skip
    await driver.confirm(summary)
    return driver


async def test_profile_shows_everything_entered_in_english(database: Database) -> None:
    driver = await enrolled(database, "en-US")
    shown = await driver.join("profile")
    text = words(shown)
    for line in (
        "Name: Dir Test",
        "Title: DG adjointe",
        "Time zone: Eastern Time, Montreal",
        "Languages: English",  # chosen on the profile's own languages (imported: English)
        "Program: Mentorat <b>mi-2027</b> · enrolled",
        "Role: Mentee: I learn digital skills",
        "Skills you want to learn: Generative AI tools (1 · Beginner), "
        "Data analysis and visualisation (2 · Basic)",
        "Goals: Comprendre l'IA générative pour mon comité de direction.",
        "Availability: Tuesday, Thursday, 08:30–09:30 (Eastern Time, Montreal)",
        "Languages: English, French",
        "Format: In person · Lyon",
    ):
        assert line in text, (line, text)
    assert "Languages: not set" not in text and "en, fr" not in text
    edit = buttons_by_action(shown)
    assert edit["profile:edit"].label == "Edit" and edit["profile:edit"].opens_form
    assert edit["enrollment:join"].value == "mi-2027"  # edit the answers of this program


async def test_profile_in_french_with_language_names(database: Database) -> None:
    driver = await enrolled(database, "fr-FR")
    text = words(await driver.join("profil"))
    for line in (
        "Fuseau horaire: heure de l’Est nord-américain, Montreal",
        "Langues: français",  # the profile's own languages (imported: French)
        "· inscrit",
        "Rôle: Mentoré",
        "Objectifs: Comprendre",
        "Langues: anglais, français",
        "Format: En présentiel · Lyon",
    ):
        assert line in text, (line, text)
