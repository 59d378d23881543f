"""The console in headless Chromium (Debian's ``chromium``): pick a person, chat, click, fill,
and join the demo program end to end in French and in English.

Skipped with a reason where /usr/bin/chromium is absent, except under CI=true where its
absence is a failure. Never ``playwright install``: it downloads a browser and fails offline.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Enrollment
from tests.enrollment.test_enrollment_over_http import Answers, seed, stored, windows
from tests.support.clock import fixed_clock
from tests.support.console import FakeConversation, running_console, seed_people

# Chromium start-up and a whole flow: 7-10 s idle, past 60 s seen on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(180)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_env() -> dict[str, str]:
    """The environment without libfaketime: Chromium hangs at start-up under it (CI's pass
    with the clock a year ahead). The browser stands for a person's own machine, whose clock
    is not the server's; the server in this process still runs on the moved clock."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("FAKETIME")}
    preload = [lib for lib in env.pop("LD_PRELOAD", "").split() if "faketime" not in lib]
    if preload:
        env["LD_PRELOAD"] = " ".join(preload)
    return env


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    return CHROMIUM


@asynccontextmanager
async def real_core_page(chromium: Path, tmp_path: Path) -> AsyncIterator[tuple[Any, list[str]]]:
    """The console with the real core (Ada an admin, Bruno not) open in Chromium; the list
    fills with the addresses the page asked for and did not get (4xx, 5xx)."""
    from playwright.async_api import async_playwright

    from dialogs.core.conversation import Conversation, ConversationConfig

    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    await upgrade(database)
    await seed_people(database)
    core = Conversation(
        database, ConversationConfig(admins=("ada@example.com",)), clock=fixed_clock()
    )
    try:
        async with running_console(database, core) as console, async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS, env=browser_env()
            )
            page = await browser.new_page(viewport={"width": 1000, "height": 800})
            missing: list[str] = []
            page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
            await page.goto(f"{console.url}/console")
            yield page, missing
            await browser.close()
    finally:
        await database.dispose()


async def test_pick_a_person_send_help_click_a_button_and_fill_a_form(
    chromium: Path, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    await upgrade(database)
    await seed_people(database)
    try:
        async with (
            running_console(database, FakeConversation()) as console,
            async_playwright() as playwright,
        ):
            browser = await playwright.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS, env=browser_env()
            )
            page = await browser.new_page(viewport={"width": 1100, "height": 800})
            await page.goto(f"{console.url}/console")

            # Who are you: a searchable list, admins flagged.
            people = page.locator("#people")
            await expect(people.get_by_role("button")).to_have_count(2)
            await expect(people.get_by_role("button", name="Ada Lovelace")).to_contain_text("admin")
            await page.locator("#people-filter").fill("ada")
            await expect(people.get_by_role("button")).to_have_count(1)
            await people.get_by_role("button", name="Ada Lovelace").click()
            await expect(page.locator("#me")).to_have_text("Ada Lovelace")

            # help -> a card with buttons; a click -> the answer, and the card is answered.
            await page.get_by_label("Message").fill("help")
            await page.keyboard.press("Enter")
            messages = page.locator("#messages")
            await expect(messages).to_contain_text("Here is what I can do")
            language = messages.get_by_role("button", name="Language")
            await language.click()
            await expect(messages).to_contain_text("Language noted: English")
            await expect(language).to_be_disabled()

            # What a person types is shown inert: no markup, no mention.
            typed = "<b>bold</b> <!channel> & **stars**"
            await page.get_by_label("Message").fill(typed)
            await page.keyboard.press("Enter")
            await expect(messages.locator(".bubble .user-text").last).to_have_text(typed)
            assert await messages.locator("b").count() == 0

            # A button with a confirm step asks first; "Stay" sends nothing.
            await page.get_by_label("Message").fill("help")
            await page.keyboard.press("Enter")
            card = messages.locator("article.card").last
            await expect(card).to_contain_text("Here is what I can do")
            await card.get_by_role("button", name="Leave").click()
            dialog = page.get_by_role("dialog")
            await expect(dialog).to_contain_text("Are you sure?")
            await dialog.get_by_role("button", name="Stay").click()
            await expect(dialog).to_be_hidden()
            await expect(messages).not_to_contain_text("You left the program")

            # A button that opens a form; an error next to its field; then done.
            await card.get_by_role("button", name="Edit profile").click()
            form = page.locator("#form-slot form")
            await expect(form).to_be_visible()
            await form.get_by_role("button", name="OK").click()
            await expect(form.locator(".field-error")).to_have_text("Tell me your job title")
            await expect(form.get_by_label("Job title")).to_have_attribute("aria-invalid", "true")
            await form.get_by_label("Job title").fill("Head of data")
            await form.get_by_role("button", name="OK").click()
            await expect(messages).to_contain_text("Profile saved")
            await expect(form).to_have_count(0)
            await page.screenshot(path=str(tmp_path / "console-desktop.png"))

            # Bruno speaks French: the page follows him; the phone width still works.
            await page.set_viewport_size({"width": 390, "height": 800})
            await page.locator("#people-filter").fill("")
            await people.get_by_role("button", name="Bruno Martin").click()
            await page.get_by_label("Message").fill("aide")
            await page.keyboard.press("Enter")
            await expect(messages).to_contain_text("Voici ce que je sais faire")
            await expect(page.locator("html")).to_have_attribute("lang", "fr")
            await expect(page.get_by_role("button", name="Envoyer")).to_be_visible()
            await page.screenshot(path=str(tmp_path / "console-phone.png"), full_page=True)
            print(f"screenshots in {tmp_path}")
            await browser.close()
    finally:
        await database.dispose()


async def test_real_core_help_in_each_language_and_a_button_click(
    chromium: Path, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    async with real_core_page(chromium, tmp_path) as (page, _):
        people, messages = page.locator("#people"), page.locator("#messages")
        await people.get_by_role("button", name="Ada Lovelace").click()
        await page.locator("#text").fill("help")
        await page.keyboard.press("Enter")
        await expect(messages).to_contain_text("What I can do")
        await expect(messages).to_contain_text("Program admins")  # Ada is an admin
        card = messages.locator("article.card").first  # the help card
        await card.get_by_role("button", name="My profile").click()
        await expect(messages.locator("article.card").last).to_contain_text("Head of data")
        # "My profile" only navigates: the help card's buttons stay live.
        await expect(card.get_by_role("button", name="Language")).to_be_enabled()

        # The language card: choose French, and the core answers in French from then on;
        # the answered card's buttons are disabled.
        await card.get_by_role("button", name="Language").click()
        await expect(messages.locator("article.card").last).to_contain_text(
            "Which language should I speak to you?"
        )
        choice = messages.locator("article.card").nth(
            await messages.locator("article.card").count() - 1
        )
        await choice.get_by_role("button", name="Français").click()
        await expect(messages.locator("article.card").last).to_contain_text(
            "Désormais, je vous parlerai en français."
        )
        await expect(choice.get_by_role("button", name="English")).to_be_disabled()
        await page.locator("#text").fill("help")
        await page.keyboard.press("Enter")
        await expect(messages.locator("article.card").last).to_contain_text("Ce que je sais faire")
        await expect(page.locator("html")).to_have_attribute("lang", "fr")

        await people.get_by_role("button", name="Bruno Martin").click()
        await page.locator("#text").fill("aide")
        await page.keyboard.press("Enter")
        await expect(messages).to_contain_text("Ce que je sais faire")
        await expect(messages).not_to_contain_text("Program admins")
        await page.screenshot(path=str(tmp_path / "console-real-core.png"))


async def test_what_a_person_notices_on_the_page(chromium: Path, tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with real_core_page(chromium, tmp_path) as (page, missing):
        status, people = page.locator("#status"), page.locator("#people")
        messages = page.locator("#messages")
        await expect(status).to_have_text("Choisissez qui vous êtes pour commencer.")
        await people.get_by_role("button", name="Bruno Martin").click()
        await expect(status).to_have_text("")  # the hint goes once someone is picked

        # Your own words on the right, the bot's on the left.
        await page.locator("#text").fill("langue")
        await page.keyboard.press("Enter")
        await expect(messages.locator("article.card").last).to_contain_text("Dans quelle")
        choice = messages.locator("article.card").nth(
            await messages.locator("article.card").count() - 1
        )
        box = await messages.bounding_box()
        mine = await messages.locator(".bubble").last.bounding_box()
        theirs = await choice.bounding_box()
        assert box and mine and theirs
        assert abs(mine["x"] + mine["width"] - (box["x"] + box["width"])) < 30
        assert abs(theirs["x"] - box["x"]) < 30
        assert mine["x"] > theirs["x"] + 100

        # Switching to English: the answered card highlights English, not Français.
        await expect(choice.get_by_role("button", name="Français")).to_have_class("button primary")
        await choice.get_by_role("button", name="English").click()
        await expect(messages).to_contain_text("From now on I will speak to you in English.")
        await expect(choice.get_by_role("button", name="English")).to_have_class("button primary")
        await expect(choice.get_by_role("button", name="Français")).to_have_class("button default")

        # A phone: nothing wider than the screen.
        await page.set_viewport_size({"width": 390, "height": 800})
        await expect(choice).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        assert missing == [], missing  # the favicon too


# -- joining the demo program in the page, with the real core ----------------------------


async def fill_in_page(form: Any, answers: Answers) -> None:
    """Type and choose in the page's own controls, field by field."""
    for name, answer in answers.items():
        field = form.locator(f'[data-field="{name}"]')
        kind = await field.get_attribute("data-kind")
        if kind == "checkboxes":
            boxes = field.locator("input[type=checkbox]")
            for index in range(await boxes.count()):
                box = boxes.nth(index)
                await box.set_checked(await box.get_attribute("value") in answer)
        elif kind in {"select", "multi"}:
            await field.locator("select").select_option(list(answer) if kind == "multi" else answer)
        else:
            await field.locator("input:not(.filter), textarea").fill(str(answer))


@dataclass(frozen=True)
class Journey:
    """Who joins, in which words, and what the page and the database must then show."""

    person: str
    email: str
    command: str
    steps: list[Answers]
    step_title: str  # with {n}: the step's number
    summary: str
    confirm: str
    done: str
    back: str
    check: Callable[[Enrollment, list[tuple[Any, ...]]], None]


def _assistant_enrolled(enrollment: Enrollment, consents: list[tuple[Any, ...]]) -> None:
    assert (enrollment.role, enrollment.status) == ("mentee", "active")
    assert enrollment.skills_wanted == [{"skill": "social_media", "level": 2}]
    assert enrollment.offers_back == ["leadership"]
    assert enrollment.goals == "Animer la présence de la direction sur LinkedIn."
    assert (enrollment.format, enrollment.location) == ("remote", None)
    assert enrollment.languages == ["fr"] and enrollment.preferred_cadence == "biweekly"
    assert windows(enrollment) == [(2, time(12), time(13), "Europe/Paris")]
    assert consents == [("charter", 1, "fr"), ("privacy", 1, "fr")]


def _engineer_enrolled(enrollment: Enrollment, consents: list[tuple[Any, ...]]) -> None:
    assert (enrollment.role, enrollment.status) == ("mentor", "active")
    assert enrollment.skills_offered == [
        {"skill": "collaboration_tools", "level": 4},
        {"skill": "remote_work", "level": 5},
    ]
    assert enrollment.skills_wanted == [] and enrollment.offers_back == []
    assert enrollment.goals == "Show a leader how a distributed team really works."
    assert (enrollment.capacity, enrollment.format, enrollment.location) == (
        3, "in_person", "Marina Bay office",
    )  # fmt: skip
    assert enrollment.motivation == "Sharing is how I learnt everything I know."
    assert enrollment.languages == ["en", "zh"] and enrollment.preferred_cadence == "monthly"
    assert windows(enrollment) == [(3, time(18), time(19), "Asia/Singapore")]
    assert consents == [("charter", 1, "en"), ("privacy", 1, "en")]


JOURNEYS = {
    "fr": Journey(
        "Amélie Fournier", "amelie.fournier@tandem-demo.example", "rejoindre",
        [
            {"role": "mentee", "title": "Cheffe de cabinet de la présidente"},
            {"wanted": ("social_media",), "offers_back": ("leadership",),
             "goals": "Animer la présence de la direction sur LinkedIn."},
            {"wanted.social_media": "2"},
            {"days": ("2",), "start": "12:00", "end": "13:00", "cadence": "biweekly",
             "languages": ("fr",), "format": "remote", "location": ""},
            {"charter": ("accept",), "privacy": ("accept",)},
        ],
        "Inscription : {n}/5", "Vérifiez vos réponses", "Confirmer", "Vous êtes inscrit", "Retour",
        _assistant_enrolled,
    ),
    "en": Journey(
        "Hannah Teo", "hannah.teo@tandem-demo.example", "join",
        [
            {"role": "mentor"},
            {"offered": ("collaboration_tools", "remote_work"),
             "goals": "Show a leader how a distributed team really works."},
            {"offered.collaboration_tools": "4", "offered.remote_work": "5"},
            {"days": ("3",), "start": "18:00", "end": "19:00", "cadence": "monthly",
             "languages": ("en", "zh"), "format": "in_person", "location": "Marina Bay office",
             "capacity": "3", "motivation": "Sharing is how I learnt everything I know."},
            {"charter": ("accept",), "privacy": ("accept",)},
        ],
        "Join: {n}/5", "Check your answers", "Confirm", "You are enrolled", "Back",
        _engineer_enrolled,
    ),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(JOURNEYS))
async def test_a_person_joins_in_their_language_in_the_console(
    chromium: Path, tmp_path: Path, language: str
) -> None:
    from playwright.async_api import async_playwright, expect

    from dialogs.core.conversation import Conversation, ConversationConfig

    journey = JOURNEYS[language]
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    await upgrade(database)
    await seed(database)
    core = Conversation(database, ConversationConfig(default_locale="fr"), clock=fixed_clock())
    try:
        async with running_console(database, core) as console, async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS, env=browser_env()
            )
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            await page.goto(f"{console.url}/console")
            people, messages = page.locator("#people"), page.locator("#messages")
            await page.locator("#people-filter").fill(journey.person.split()[0])
            await people.get_by_role("button", name=journey.person).click()
            await page.locator("#text").fill(journey.command)
            await page.keyboard.press("Enter")

            form = page.locator("#form-slot form")
            for number, answers in enumerate(journey.steps, start=1):
                await expect(form).to_contain_text(journey.step_title.format(n=number))
                if number == 1:
                    await expect(form.locator("[data-back]")).to_have_count(0)
                if number == 4:  # several languages can be chosen: checkboxes say so
                    languages = form.locator('[data-field="languages"]')
                    await expect(languages.get_by_role("checkbox").first).to_be_visible()
                    assert await form.locator("select[multiple]").count() == 0
                await fill_in_page(form, answers)
                await form.locator("button[type=submit]").click()
                if number == 2:  # Back: the step before, as it was filled
                    await expect(form).to_contain_text(journey.step_title.format(n=3))
                    await form.get_by_role("button", name=journey.back).click()
                    await expect(form).to_contain_text(journey.step_title.format(n=2))
                    await expect(form.locator('[data-field="goals"] textarea')).to_have_value(
                        str(answers["goals"])
                    )
                    await form.locator("button[type=submit]").click()
            await expect(form).to_contain_text(journey.summary)  # the last step
            submit = form.locator("button[type=submit]")
            await expect(submit).to_have_text(journey.confirm)
            await submit.click()
            await expect(form).to_have_count(0)  # Confirm closes the form and enrolls
            await expect(messages).to_contain_text(journey.done)
            await expect(page.locator("html")).to_have_attribute("lang", language)
            await browser.close()

        enrollment, consents = await stored(database, journey.email)
        journey.check(enrollment, consents)
    finally:
        await database.dispose()


@pytest.mark.parametrize(("name", "label", "card", "partner"), [
    ("Laurent Dubois", "Heure de la démo\u202f:", "Choisissez un horaire pour votre première",
     "Zoé Gauthier"),  # (his second pair's card, with Justine Lavoie, comes too)
    ("Zoé Gauthier", "Demo time:", "Pick a time for your first session with", "Laurent Dubois"),
])  # fmt: skip
async def test_the_demo_pair_on_a_phone_after_moving_the_clock(
    chromium: Path, database_url: str, name: str, label: str, card: str, partner: str
) -> None:
    """`tandem demo` (its server on a fixed clock) at a phone's width: the person of the
    demo's pair moves the clock forward and their first slot card arrives, in their words,
    with nothing wider than the screen."""
    from playwright.async_api import async_playwright, expect

    from tests.console.test_demo_time import demo_server

    async with demo_server(database_url) as (url, _), async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, env=browser_env()
        )
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(f"{url}/console")
        await page.locator("#people-filter").fill(name.split()[0])
        await page.locator("#people").get_by_role("button", name=name).click()
        clock = page.locator("#clock")
        await expect(clock).to_contain_text(label)
        now = page.locator("#demo-now")
        await expect(now).not_to_be_empty()  # the demo's time, shown once the person loads
        for _ in range(2):  # Montréal's morning comes an hour after Paris's lunch
            before = await now.text_content()
            await clock.get_by_role("button", name="+1 h").click()
            await expect(now).not_to_have_text(before or "", timeout=15_000)
        slots = page.locator("#messages article", has_text=card).filter(has_text=partner)
        await expect(slots).to_have_count(1, timeout=15_000)
        assert await slots.get_by_role("button").count() >= 4  # 3 to 5 times, None of these
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        await browser.close()
