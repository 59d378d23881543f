"""The console in headless Chromium (Debian's ``chromium``): pick a person, chat, click, fill.

Skipped with a reason where /usr/bin/chromium is absent, except under CI=true where its
absence is a failure. Never ``playwright install``: it downloads a browser and fails offline.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrate import upgrade
from tests.console.support import FakeConversation, running_console, seed_people

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


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    return CHROMIUM


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
                executable_path=str(chromium), args=CHROMIUM_ARGS
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
    from playwright.async_api import async_playwright, expect

    from dialogs.conversation import Conversation, ConversationConfig

    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    await upgrade(database)
    await seed_people(database)
    core = Conversation(database, ConversationConfig(admins=("ada@example.com",)))
    try:
        async with running_console(database, core) as console, async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS
            )
            page = await browser.new_page(viewport={"width": 1000, "height": 800})
            await page.goto(f"{console.url}/console")
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
            await expect(messages.locator("article.card").last).to_contain_text(
                "Ce que je sais faire"
            )
            await expect(page.locator("html")).to_have_attribute("lang", "fr")

            await people.get_by_role("button", name="Bruno Martin").click()
            await page.locator("#text").fill("aide")
            await page.keyboard.press("Enter")
            await expect(messages).to_contain_text("Ce que je sais faire")
            await expect(messages).not_to_contain_text("Program admins")
            await page.screenshot(path=str(tmp_path / "console-real-core.png"))
            await browser.close()
    finally:
        await database.dispose()
