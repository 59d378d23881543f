"""The connector client's serializer sends what msrest would, only cheaper.

``CardSerializer`` turns an outgoing activity into its JSON directly from the models'
attribute maps instead of msrest's parse-back, validation and node-by-node copy. Every
screen of the platform-limits test (every flow step and notification, every language), as
the bot sends it (a reply: the conversation reference applied), and the edge cases below
are serialized both ways: the JSON must be the same, and the screens must take the short
way (or the measured saving would be gone without anyone noticing).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    Mention,
    SuggestedActions,
    TextFormatTypes,
)
from msrest import Serializer

from dialogs.core.i18n import LOCALES
from dialogs.core.ui import Form
from handlers.teams.forms import form_card
from handlers.teams.render import card_activity, message_activity
from handlers.teams.web_client import CONNECTOR_MODELS, CardSerializer
from tests.test_platform_limits import closing_screens, screens

REFERENCE = ConversationReference(
    activity_id="1:reply-to",
    user=ChannelAccount(id="29:user-1", name="Léa Martin", aad_object_id="aad-1"),
    bot=ChannelAccount(id="28:bot", name="Tandem"),
    conversation=ConversationAccount(
        id="a:conv-1", conversation_type="personal", tenant_id="tenant-1", is_group=False
    ),
    channel_id="msteams",
    locale="fr-FR",
    service_url="https://smba.example/emea/",
)


def as_sent(activity: Activity) -> Activity:
    """What ``TurnContext.send_activity`` hands the connector for a reply."""
    return TurnContext.apply_conversation_reference(activity, REFERENCE)


def msrest_json(activity: Activity) -> str:
    return json.dumps(Serializer(CONNECTOR_MODELS).body(activity, "Activity"), sort_keys=True)


def ours(activity: Activity) -> str:
    return json.dumps(CardSerializer().body(activity, "Activity"), sort_keys=True)


def screen_activities() -> list[tuple[str, Activity]]:
    shown: list[tuple[str, Activity]] = []
    for locale in LOCALES:
        for n, screen in enumerate([*screens(locale), *closing_screens(locale)]):
            if isinstance(screen, Form):
                activity = card_activity(form_card(screen), screen.title)
            else:
                activity = message_activity(screen)
            shown.append((f"{locale}-{n}", as_sent(activity)))
    return shown


SCREENS = screen_activities()


@pytest.mark.parametrize(("name", "activity"), SCREENS, ids=[name for name, _ in SCREENS])
def test_every_screen_is_sent_as_msrest_would_and_the_short_way(
    name: str, activity: Activity
) -> None:
    assert ours(activity) == msrest_json(activity)
    # The short way itself, not msrest behind it: the same dict from the attribute maps.
    short = CardSerializer()._model(activity)
    assert json.dumps(short, sort_keys=True) == msrest_json(activity)


def edge_cases() -> dict[str, Activity]:
    mention = Mention(mentioned=ChannelAccount(id="29:user-2", name="Zoé <b>"), text="<at>Zoé</at>")
    mention.type = "mention"
    suggested = SuggestedActions(
        to=["29:user-1"],
        actions=[CardAction(type="imBack", title="Oui", value="oui")],
    )
    plain = MessageFactory.text("Bonjour « Léa » & <b>", input_hint="acceptingInput")
    typed = Activity(type=ActivityTypes.message, text_format=TextFormatTypes.markdown)
    typed.text = "**gras**"
    cases: dict[str, Activity] = {
        "plain text": plain,
        "enum type and format": typed,
        "mention entity": Activity(type="message", text="<at>Zoé</at>", entities=[mention]),
        "suggested actions": Activity(type="message", suggested_actions=suggested),
        "typing": Activity(type=ActivityTypes.typing),
        "channel data and value": Activity(
            type="message", channel_data={"notification": {"alert": True}}, value={"n": [1]}
        ),
        # Not plain: msrest's own way, the same answer.
        "a timestamp": Activity(type="message", timestamp=datetime(2026, 12, 4, 9, tzinfo=UTC)),
        "a card with a tuple": Activity(
            type="message",
            attachments=[Attachment(content_type="x", content={"items": ("a", "b")})],
        ),
        "a bool for a str": Activity(type="message", text=True),  # type: ignore[arg-type]
        "a dict for a model": Activity(type="message", recipient={"id": "29:x"}),  # type: ignore[arg-type]
    }
    return {name: as_sent(activity) for name, activity in cases.items()}


EDGES = edge_cases()


@pytest.mark.parametrize("name", list(EDGES))
def test_edge_cases_are_sent_as_msrest_would(name: str) -> None:
    assert ours(EDGES[name]) == msrest_json(EDGES[name])


def test_a_value_msrest_converts_sends_the_whole_body_through_msrest() -> None:
    timestamped = EDGES["a timestamp"]
    body: dict[str, Any] = CardSerializer().body(timestamped, "Activity")
    assert body["timestamp"] == "2026-12-04T09:00:00.000Z"
    assert body["conversation"]["id"] == "a:conv-1"
