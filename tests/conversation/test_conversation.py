"""The conversation core, as any platform reaches it: help, language, profile, identity."""

from __future__ import annotations

from sqlalchemy import func, select

from dialogs.content import UserText
from dialogs.conversation import Conversation, ConversationConfig
from dialogs.events import Actor, Inbound
from dialogs.ui import ActionRef, Done, Facts, FieldErrors, Form, Section
from storage.db import Database
from storage.models import Person, PlatformIdentity

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
    conversation = Conversation(database, CONFIG)
    fr = await conversation.handle(Inbound(slack_actor("U1", "fr-FR"), "command", text="help"))
    en = await conversation.handle(Inbound(slack_actor("U2", "en-US"), "command", text="aide"))
    assert fr.locale == "fr" and "Rejoindre un programme de mentorat inversé" in words(fr.messages)
    assert en.locale == "en" and "Join a reverse-mentoring program" in words(en.messages)
    assert "/tandem admin match" not in words(fr.messages)  # not an admin


async def test_admins_see_admin_commands_and_others_are_refused_them(database: Database) -> None:
    conversation = Conversation(database, CONFIG)
    admin = await conversation.handle(Inbound(slack_actor("U0ADMIN"), "command", text="help"))
    assert "/tandem admin match" in words(admin.messages)
    by_email = await conversation.handle(
        Inbound(slack_actor("U7", email="RH@acme.example"), "command", text="admin status")
    )
    assert "not available yet" in words(by_email.messages) or "pas encore" in words(
        by_email.messages
    )
    refused = await conversation.handle(Inbound(slack_actor("U8"), "command", text="admin match"))
    assert "réservée aux administrateurs" in words(refused.messages)


async def test_an_admin_email_is_not_trusted_outside_the_allow_list(database: Database) -> None:
    open_config = ConversationConfig(admins=("rh@acme.example",))  # no allow-list: any team
    conversation = Conversation(database, open_config)
    outcome = await conversation.handle(
        Inbound(
            slack_actor("U9", team="TEVIL", email="rh@acme.example"), "command", text="admin audit"
        )
    )
    assert "réservée aux administrateurs" in words(outcome.messages)


async def test_unknown_commands_are_shown_back_inert_with_suggestions(database: Database) -> None:
    conversation = Conversation(database, CONFIG)
    outcome = await conversation.handle(Inbound(slack_actor(), "command", text="<!channel> jion"))
    section = outcome.messages[0].blocks[0]
    assert isinstance(section, Section)
    assert UserText("<!channel>") in section.paragraphs[0].parts
    suggestion = await conversation.handle(Inbound(slack_actor(), "command", text="jion"))
    assert "join" in words(suggestion.messages)


async def test_a_team_outside_the_allow_list_is_refused_and_nothing_stored(
    database: Database,
) -> None:
    conversation = Conversation(database, CONFIG)
    outcome = await conversation.handle(Inbound(slack_actor(team="TOTHER"), "command", text="help"))
    assert outcome.refused
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0


async def test_one_person_across_platforms_linked_by_email_inside_allow_lists(
    database: Database,
) -> None:
    config = ConversationConfig(slack_team_ids=("T1",), teams_tenant_ids=("tenant-a",))
    conversation = Conversation(database, config)
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


async def test_language_flow_then_a_late_resubmission_changes_nothing(database: Database) -> None:
    conversation = Conversation(database, CONFIG)
    opened = await conversation.handle(Inbound(slack_actor(), "command", text="langue"))
    assert isinstance(opened.form, Form)
    ref = opened.form.ref
    done = await conversation.handle(
        Inbound(slack_actor(), "submission", ref=ref, values={"locale": "en"})
    )
    assert isinstance(done.form_answer, Done) and done.locale == "en"
    assert done.form_answer.message is not None
    assert "English" in done.form_answer.message.summary
    late = await conversation.handle(
        Inbound(slack_actor(), "submission", ref=ref, values={"locale": "fr"})
    )
    assert isinstance(late.form_answer, Done) and late.form_answer.message is not None
    assert "already been answered" in late.form_answer.message.summary
    help_after = await conversation.handle(
        Inbound(slack_actor(locale="fr-FR"), "command", text="help")
    )
    assert help_after.locale == "en"  # the explicit choice wins over the platform's locale


async def test_profile_form_errors_keep_the_step_and_change_nothing(database: Database) -> None:
    conversation = Conversation(database, CONFIG)
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
    good = await conversation.handle(
        Inbound(slack_actor(), "submission", ref=opened.form.ref,
                values={"title": "Head of <b>SEO</b>", "timezone": "America/Montreal", "languages": ("fr", "en")})
    )  # fmt: skip
    assert isinstance(good.form_answer, Done) and good.form_answer.message is not None
    facts = next(b for b in good.form_answer.message.blocks if isinstance(b, Facts))
    title = dict(facts.items)["Poste"]
    assert title.parts == (UserText("Head of <b>SEO</b>"),)


async def test_forged_or_foreign_references_are_answered_politely(database: Database) -> None:
    conversation = Conversation(database, CONFIG)
    opened = await conversation.handle(Inbound(slack_actor("U1"), "command", text="language"))
    assert opened.form is not None
    foreign = await conversation.handle(
        Inbound(slack_actor("U2"), "submission", ref=opened.form.ref, values={"locale": "en"})
    )
    forged = await conversation.handle(
        Inbound(slack_actor("U1"), "submission", ref=ActionRef("language", "nope", "choose", 1),
                values={"locale": "en"})
    )  # fmt: skip
    for outcome in (foreign, forged):
        assert isinstance(outcome.form_answer, Done)
        assert outcome.form_answer.message is not None
        assert "déjà répondu" in outcome.form_answer.message.summary


async def test_without_a_trigger_a_form_is_offered_as_a_button(database: Database) -> None:
    conversation = Conversation(database, CONFIG)
    outcome = await conversation.handle(
        Inbound(slack_actor(), "message", text="language", can_open_form=False)
    )
    assert outcome.form is None
    buttons = [b for block in outcome.messages[0].blocks for b in getattr(block, "buttons", ())]
    assert buttons[0].action == "language:choose" and buttons[0].opens_form


async def test_installing_welcomes_and_the_home_view_shows_status(database: Database) -> None:
    conversation = Conversation(database, CONFIG)
    welcome = await conversation.handle(Inbound(slack_actor(locale="en-GB"), "installed"))
    assert welcome.messages[0].summary == "Hello Léa!"
    home = await conversation.handle(Inbound(slack_actor(locale="en-GB"), "home_opened"))
    assert home.home is not None and "not enrolled" in words((home.home,))
