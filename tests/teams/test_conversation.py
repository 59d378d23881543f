"""Teams end to end with the real conversation core: real HTTP, real test-key tokens,
a migrated database, and the fake connector checking every card against Adaptive Cards 1.5."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.notifications import Announcement
from dialogs.core.content import Paragraph
from dialogs.core.ui import Message, Section
from dialogs.notify.delivery import Recipient
from dialogs.notify.notifier import Notifier, NotifierConfig
from storage.due_runner import DueRunner
from storage.models import Person, PlatformIdentity
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.support.clock import fixed_clock
from tests.teams.cards import bearer, button, buttons, card_of, click, inputs, texts
from tests.teams.conftest import APP_ID, TENANT, RunningBot, activity

TUESDAY_NOON = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 12:00 in Paris, outside quiet hours


async def say(bot: RunningBot, issuer: FakeOpenIdIssuer, connector: FakeBotConnector,
              text: str, locale: str = "fr-FR") -> dict[str, Any]:  # fmt: skip
    body = activity(connector.service_url, text=f"<at>Tandem</at> {text}", locale=locale)
    status, _ = await bot.post(body, headers=bearer(issuer, connector))
    assert status == 200
    return connector.sent_to("a:alice-1on1")[-1]


async def install(bot: RunningBot, issuer: FakeOpenIdIssuer, connector: FakeBotConnector) -> None:
    body = activity(
        connector.service_url,
        type="conversationUpdate",
        membersAdded=[{"id": f"28:{APP_ID}"}, {"id": "29:alice", "aadObjectId": "aad-alice"}],
    )
    status, _ = await bot.post(body, headers=bearer(issuer, connector))
    assert status == 200


async def alice(bot: RunningBot) -> tuple[Person, PlatformIdentity]:
    async with bot.core.database.unit_of_work() as session:
        identity = (
            await session.execute(
                select(PlatformIdentity).where(PlatformIdentity.user_id == "aad-alice")
            )
        ).scalar_one()
        person = await session.get(Person, identity.person_id)
        assert person is not None
        return person, identity


@pytest.mark.parametrize(
    ("locale", "title", "command_summary"),
    [("fr-FR", "Ce que je sais faire", "Mon profil"), ("en-US", "What I can do", "My profile")],
)
async def test_help_is_answered_in_the_persons_language(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector,
    locale: str, title: str, command_summary: str,
) -> None:  # fmt: skip
    reply = await say(real_bot, openid_issuer, fake_connector, "help", locale)
    card = card_of(reply)
    assert texts(card).splitlines()[0] == title
    # Teams has no slash command: help shows the bot's name and plain words (issue 10 item 13)
    assert "/tandem" not in texts(card) and "@Tandem join" in texts(card)
    assert command_summary in [b["title"] for b in buttons(card)]
    assert fake_connector.violations == []


async def test_adding_the_bot_welcomes_and_a_proactive_message_reaches_the_person(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    await install(real_bot, openid_issuer, fake_connector)
    [welcome] = fake_connector.sent_to("a:alice-1on1")
    assert texts(card_of(welcome)).startswith("Bonjour Alice !")
    person, identity = await alice(real_bot)
    reference = identity.conversation_ref
    assert reference is not None and reference["conversation"]["id"] == "a:alice-1on1"
    assert reference["serviceUrl"] == fake_connector.service_url

    assert real_bot.channel is not None
    news = Message((Section((Paragraph.of("Votre binôme vous attend"),)),), "Binôme")
    recipient = Recipient(person.id, "teams", TENANT, "aad-alice", "fr", "Europe/Paris",
                          conversation_ref=reference)  # fmt: skip
    ref = await real_bot.channel.send(recipient, news)
    sent = fake_connector.sent_to("a:alice-1on1")[-1]
    assert (sent["operation"], sent["id"], ref.message_id) == ("send", ref.message_id, sent["id"])
    assert texts(card_of(sent)) == "Votre binôme vous attend"
    assert fake_connector.violations == []


async def test_the_notifier_reaches_a_teams_person_through_the_queue(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    await install(real_bot, openid_issuer, fake_connector)
    person, _ = await alice(real_bot)
    assert real_bot.channel is not None
    notifier = Notifier(
        real_bot.core.database, {"teams": real_bot.channel}, NotifierConfig(), clock=fixed_clock()
    )
    notifier.register(real_bot.handlers)
    async with real_bot.core.database.unit_of_work() as session:
        await notifier.notify(session, person.id, Announcement("Session demain", "Session tomorrow"),
                              key="news-1", at=TUESDAY_NOON)  # fmt: skip
    report = await DueRunner(notifier.queue, real_bot.handlers, clock=fixed_clock()).drain(
        TUESDAY_NOON
    )
    assert report.done == 1
    sent = fake_connector.sent_to("a:alice-1on1")[-1]
    assert sent["operation"] == "send" and "Session demain" in texts(card_of(sent))
    assert fake_connector.violations == []


async def test_language_card_answered_once_in_the_new_language(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    question = card_of(await say(real_bot, openid_issuer, fake_connector, "language"))
    assert texts(question) == "Dans quelle langue dois-je vous parler ?"
    english, french = button(question, "English"), button(question, "Français")
    assert english["data"]["ref"] == french["data"]["ref"]

    status, answer = await real_bot.post(
        click(fake_connector.service_url, english), headers=bearer(openid_issuer, fake_connector)
    )
    assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert texts(answer["value"]) == "From now on I will speak to you in English."
    assert buttons(answer["value"]) == []  # the answer replaces the card: nothing to click

    _, late = await real_bot.post(
        click(fake_connector.service_url, french), headers=bearer(openid_issuer, fake_connector)
    )
    assert texts(late["value"]) == "This has already been answered: nothing was changed."
    assert buttons(late["value"]) == []
    person, _ = await alice(real_bot)
    assert person.locale == "en"
    reply = await say(real_bot, openid_issuer, fake_connector, "help")  # a French client
    assert texts(card_of(reply)).startswith("What I can do")
    assert fake_connector.violations == []


async def test_profile_form_keeps_what_was_typed_through_an_error(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    auth = bearer(openid_issuer, fake_connector)
    profile = card_of(await say(real_bot, openid_issuer, fake_connector, "profile"))
    _, opened = await real_bot.post(click(fake_connector.service_url, button(profile, "Modifier")),
                                    headers=auth)  # fmt: skip
    form = opened["value"]
    assert set(inputs(form)) == {"title", "timezone", "languages"}
    assert inputs(form)["timezone"]["style"] == "filtered"  # hundreds of zones: searchable
    [save] = buttons(form)

    typed = {"title": "Ingénieure *données*", "timezone": "Mars/Olympus", "languages": "fr,en"}
    _, wrong = await real_bot.post(click(fake_connector.service_url, save, typed), headers=auth)
    again = wrong["value"]
    assert "Choisissez un fuseau horaire dans la liste." in texts(again)
    assert (
        inputs(again)["timezone"]["errorMessage"] == "Choisissez un fuseau horaire dans la liste."
    )
    assert inputs(again)["title"]["value"] == "Ingénieure *données*"
    assert inputs(again)["languages"]["value"] == "fr,en"
    person, _ = await alice(real_bot)
    assert person.title is None  # nothing saved from the refused submission

    [save_again] = buttons(again)
    fixed = {**typed, "timezone": "Europe/Paris"}
    _, done = await real_bot.post(
        click(fake_connector.service_url, save_again, fixed), headers=auth
    )
    assert "heure d’Europe centrale, Paris" in texts(done["value"])  # a name, not an id
    person, _ = await alice(real_bot)
    assert (person.title, person.timezone, person.languages) == (
        "Ingénieure *données*", "Europe/Paris", ["fr", "en"],
    )  # fmt: skip
    # The same submission once more: the flow is finished, nothing changes.
    _, late = await real_bot.post(
        click(fake_connector.service_url, save_again, typed), headers=auth
    )
    assert "Vous avez déjà répondu" in texts(late["value"])
    person, _ = await alice(real_bot)
    assert person.timezone == "Europe/Paris"
    assert fake_connector.violations == []
