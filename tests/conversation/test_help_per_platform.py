"""Help shows each platform's own way of talking to Tandem (issue 10 item 13)."""

from __future__ import annotations

import aiohttp
import pytest

from dialogs.core.conversation import ConversationConfig
from dialogs.core.events import Actor, Inbound, Platform
from storage.db import Database
from tests.support.console import running_console, seed_people
from tests.support.driver import ADMIN_EMAIL, Driver
from tests.support.messages import words

TENANTS: dict[Platform, str] = {"slack": "T1", "teams": "tenant-a", "console": "console"}


def actor(platform: Platform, locale: str, email: str | None = None) -> Actor:
    user = f"{platform}-user-{locale}"
    return Actor(platform, TENANTS[platform], user, locale, display_name="Léa Martin", email=email)


async def help_words(driver: Driver, who: Actor) -> str:
    return words(await driver.conversation.handle(Inbound(who, "message", text="help")))


async def test_slack_help_shows_the_slash_command(database: Database) -> None:
    text = await help_words(Driver(database), actor("slack", "en-US"))
    assert "Type /tandem followed by a command, for example /tandem join" in text
    assert "/tandem join: Join a reverse-mentoring program" in text
    french = await help_words(Driver(database), actor("slack", "fr-FR"))
    assert "Tapez /tandem suivi d’une commande" in french


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
async def test_teams_help_shows_no_slash_syntax(database: Database, locale: str) -> None:
    text = await help_words(Driver(database), actor("teams", locale))
    assert "/tandem" not in text and "\njoin: " in text
    if locale == "en-US":
        assert "Write the command to me in our personal chat, for example join." in text
        assert "mention me first: @Tandem join" in text
    else:
        assert "Écrivez-moi la commande dans notre conversation personnelle" in text
        assert "mentionnez-moi d’abord\u202f: @Tandem join" in text


async def test_console_help_uses_plain_words_over_http(database: Database) -> None:
    people = await seed_people(database)
    config = ConversationConfig(default_locale="fr", admins=("ada@example.com",))
    driver = Driver(database, config)
    async with (
        running_console(database, driver.conversation) as console,
        aiohttp.ClientSession() as http,
    ):
        body = {"person_id": people.ada, "text": "help"}
        async with http.post(f"{console.url}/console/api/send", json=body) as response:
            assert response.status == 200
        params = {"person_id": people.ada}
        async with http.get(f"{console.url}/console/api/messages", params=params) as response:
            html = (await response.json())["messages"][-1]["html"]
    assert "/tandem" not in html and "@Tandem" not in html
    assert "Type the command in the box below, for example join." in html
    assert ">admin match<" in html or "admin match" in html


async def test_admins_see_their_commands_the_platforms_way(database: Database) -> None:
    slack_admin = actor("slack", "en-US", email=ADMIN_EMAIL)
    assert "/tandem admin match: " in await help_words(Driver(database), slack_admin)
    teams_driver = Driver(
        database, ConversationConfig(admins=(ADMIN_EMAIL,), teams_tenant_ids=("tenant-a",))
    )
    teams_admin = Actor("teams", "tenant-a", "aad-admin", "en-US", email=ADMIN_EMAIL)
    admin_text = await help_words(teams_driver, teams_admin)
    assert "\nadmin match: " in admin_text and "/tandem" not in admin_text
