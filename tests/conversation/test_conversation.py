"""The conversation core, as any platform reaches it: help, language, profile, identity."""

from __future__ import annotations

from sqlalchemy import func, select

from dialogs.core.content import UserText
from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.core.events import Actor, Inbound
from dialogs.core.ui import ActionRef, Button, Done, Facts, FieldErrors, Section
from storage.db import Database
from storage.models import Person, PlatformIdentity
from tests.support.clock import fixed_clock

CONFIG = ConversationConfig(
    default_locale="fr", admins=("rh@acme.example", "U0ADMIN"), slack_team_ids=("T1",)
)


def slack_actor(user: str = "U1", locale: str = "fr-FR", team: str = "T1", **kw: str) -> Actor:
    return Actor("slack", team, user, locale_hint=locale, display_name="Léa Martin", **kw)


def words(outcome_messages: tuple[object, ...]) -> str:
    text = []
    for message in outcome_messages:
        for block in message.blocks:  # type: ignore[attr-defined]
            if isinstance(block, Section):
                text += [p.plain() for p in block.paragraphs]
            if isinstance(block, Facts):
                text += [f"{label} {value.plain()}" for label, value in block.items]
    return "\n".join(text)


async def test_help_answers_in_the_persons_language(database: Database) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    fr = await conversation.handle(Inbound(slack_actor("U1", "fr-FR"), "command", text="help"))
    en = await conversation.handle(Inbound(slack_actor("U2", "en-US"), "command", text="aide"))
    assert fr.locale == "fr" and "Rejoindre un programme de mentorat inversé" in words(fr.messages)
    assert en.locale == "en" and "Join a reverse-mentoring program" in words(en.messages)
    assert "/tandem admin match" not in words(fr.messages)  # not an admin


async def test_admins_see_admin_commands_and_others_are_refused_them(database: Database) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    admin = await conversation.handle(Inbound(slack_actor("U0ADMIN"), "command", text="help"))
    assert "/tandem admin match" in words(admin.messages)
    by_email = await conversation.handle(
        Inbound(slack_actor("U7", email="RH@acme.example"), "command", text="admin export")
    )
    assert "not available yet" in words(by_email.messages) or "pas encore" in words(
        by_email.messages
    )
    refused = await conversation.handle(Inbound(slack_actor("U8"), "command", text="admin match"))
    assert "réservée aux administrateurs" in words(refused.messages)


async def test_an_admin_email_is_not_trusted_outside_the_allow_list(database: Database) -> None:
    open_config = ConversationConfig(admins=("rh@acme.example",))  # no allow-list: any team
    conversation = Conversation(database, open_config, clock=fixed_clock())
    outcome = await conversation.handle(
        Inbound(
            slack_actor("U9", team="TEVIL", email="rh@acme.example"), "command", text="admin audit"
        )
    )
    assert "réservée aux administrateurs" in words(outcome.messages)


async def test_unknown_commands_are_shown_back_inert_with_suggestions(database: Database) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    outcome = await conversation.handle(Inbound(slack_actor(), "command", text="<!channel> jion"))
    section = outcome.messages[0].blocks[0]
    assert isinstance(section, Section)
    assert UserText("<!channel>") in section.paragraphs[0].parts
    suggestion = await conversation.handle(Inbound(slack_actor(), "command", text="jion"))
    assert "join" in words(suggestion.messages)


async def test_a_team_outside_the_allow_list_is_refused_and_nothing_stored(
    database: Database,
) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    outcome = await conversation.handle(Inbound(slack_actor(team="TOTHER"), "command", text="help"))
    assert outcome.refused
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0


async def test_one_person_across_platforms_linked_by_email_inside_allow_lists(
    database: Database,
) -> None:
    config = ConversationConfig(slack_team_ids=("T1",), teams_tenant_ids=("tenant-a",))
    conversation = Conversation(database, config, clock=fixed_clock())
    await conversation.handle(
        Inbound(slack_actor(email="lea@acme.example"), "command", text="help")
    )
    teams = Actor("teams", "tenant-a", "aad-1", "fr-FR", email="Lea@Acme.example")
    await conversation.handle(Inbound(teams, "message", text="help"))
    async with database.unit_of_work() as session:
        people = (await session.execute(select(Person))).scalars().all()
        identities = (await session.execute(select(PlatformIdentity))).scalars().all()
    assert len(people) == 1 and people[0].email == "lea@acme.example"
    assert {i.platform for i in identities} == {"slack", "teams"}


def card_buttons(message: object) -> list[Button]:
    return [b for block in message.blocks for b in getattr(block, "buttons", ())]  # type: ignore[attr-defined]


async def test_language_card_then_a_late_click_changes_nothing(database: Database) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    shown = await conversation.handle(Inbound(slack_actor(), "command", text="langue"))
    french, english = card_buttons(shown.messages[0])
    assert (french.label, english.label) == ("Français", "English")
    assert english.ref is not None and english.ref == french.ref
    chosen = await conversation.handle(
        Inbound(
            slack_actor(), "action", action=english.action, value=english.value, ref=english.ref
        )
    )
    assert chosen.locale == "en" and chosen.close_source
    assert chosen.messages[0].summary == "From now on I will speak to you in English."
    late = await conversation.handle(
        Inbound(slack_actor(), "action", action=french.action, value=french.value, ref=french.ref)
    )
    assert late.close_source and late.locale == "en"
    assert "already been answered" in late.messages[0].summary
    help_after = await conversation.handle(
        Inbound(slack_actor(locale="fr-FR"), "command", text="help")
    )
    assert help_after.locale == "en"  # the explicit choice wins over the platform's locale


async def test_a_double_click_from_two_replicas_counts_once(database_url: str) -> None:
    first = Database(database_url)
    shown = await Conversation(first, CONFIG, clock=fixed_clock()).handle(
        Inbound(slack_actor(), "command", text="language")
    )
    await first.dispose()
    english = card_buttons(shown.messages[0])[1]

    async def click() -> str:
        replica = Database(database_url)
        try:
            outcome = await Conversation(replica, CONFIG, clock=fixed_clock()).handle(
                Inbound(slack_actor(), "action", action=english.action, value="en", ref=english.ref)
            )
        finally:
            await replica.dispose()
        return outcome.messages[0].summary

    import asyncio

    answers = await asyncio.gather(click(), click(), click())
    assert sorted(answers).count("From now on I will speak to you in English.") == 1


async def test_profile_form_errors_keep_the_step_and_change_nothing(database: Database) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    opened = await conversation.handle(
        Inbound(slack_actor(), "action", action="profile:edit", can_open_form=True)
    )
    assert opened.form is not None
    assert any(getattr(f, "searchable", False) for f in opened.form.fields)  # 400+ zones
    bad = await conversation.handle(
        Inbound(slack_actor(), "submission", ref=opened.form.ref,
                values={"title": "Head of <b>SEO</b>", "timezone": "Mars/Olympus", "languages": ()})
    )  # fmt: skip
    assert isinstance(bad.form_answer, FieldErrors)
    assert set(bad.form_answer.errors) == {"timezone", "languages"}
    # The form comes back with what was typed, for platforms that redraw it.
    assert bad.form_answer.form is not None
    typed = {f.name: f.initial for f in bad.form_answer.form.fields}
    assert typed["title"] == "Head of <b>SEO</b>"
    async with database.unit_of_work() as session:
        unchanged = (await session.execute(select(Person))).scalar_one()
    assert unchanged.title is None and unchanged.timezone is None
    good = await conversation.handle(
        Inbound(slack_actor(), "submission", ref=opened.form.ref,
                values={"title": "Head of <b>SEO</b>", "timezone": "America/Montreal", "languages": ("fr", "en")})
    )  # fmt: skip
    assert isinstance(good.form_answer, Done) and good.form_answer.message is not None
    facts = next(b for b in good.form_answer.message.blocks if isinstance(b, Facts))
    title = dict(facts.items)["Poste"]
    assert title.parts == (UserText("Head of <b>SEO</b>"),)


async def test_forged_or_foreign_references_are_answered_politely(database: Database) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    opened = await conversation.handle(Inbound(slack_actor("U1"), "action", action="profile:edit"))
    assert opened.form is not None
    values = {"timezone": "Europe/Paris", "languages": ("fr",)}
    foreign = await conversation.handle(
        Inbound(slack_actor("U2"), "submission", ref=opened.form.ref, values=values)
    )
    forged = await conversation.handle(
        Inbound(slack_actor("U1"), "submission", ref=ActionRef("profile", "nope", "basics", 1),
                values=values)
    )  # fmt: skip
    for outcome in (foreign, forged):
        assert isinstance(outcome.form_answer, Done)
        assert outcome.form_answer.message is not None
        assert "déjà répondu" in outcome.form_answer.message.summary


async def test_without_a_trigger_a_form_is_offered_as_a_button(database: Database) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    outcome = await conversation.handle(
        Inbound(slack_actor(), "action", action="profile:edit", can_open_form=False)
    )
    assert outcome.form is None
    button = card_buttons(outcome.messages[0])[0]
    assert button.action == "profile:edit" and button.opens_form


async def test_installing_welcomes_and_the_home_view_shows_status(database: Database) -> None:
    conversation = Conversation(database, CONFIG, clock=fixed_clock())
    welcome = await conversation.handle(Inbound(slack_actor(locale="en-GB"), "installed"))
    assert welcome.messages[0].summary == "Hello Léa!"
    home = await conversation.handle(Inbound(slack_actor(locale="en-GB"), "home_opened"))
    assert home.home is not None and "not enrolled" in words((home.home,))
