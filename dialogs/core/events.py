"""What reaches the conversation core from any platform, and what it answers.

Handlers translate a Slack event, a Teams activity or a console request into an
``Inbound``; the core answers with an ``Outcome`` made of neutral messages that each handler
renders and delivers. Nothing here knows Slack or Teams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dialogs.core.ui import ActionRef, FieldValue, Form, FormAnswer, Message, MessageRef

Platform = Literal["slack", "teams", "console"]
InboundKind = Literal["message", "command", "action", "submission", "home_opened", "installed"]


@dataclass(frozen=True)
class Actor:
    """Who is talking, as the platform tells it (nothing here is trusted for admin rights
    unless the tenant is in the allow-list)."""

    platform: Platform
    tenant_id: str  # Slack team id, Teams tenant id, "console"
    user_id: str  # Slack user id, AAD object id, console person id
    locale_hint: str | None = None  # e.g. Slack's "fr-FR", Teams' activity locale
    timezone: str | None = None  # IANA, when the platform knows it (Slack users.info)
    display_name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Inbound:
    actor: Actor
    kind: InboundKind
    text: str = ""  # what was typed (after "/tandem" for commands)
    action: str | None = None  # the button's action name
    ref: ActionRef | None = None  # flow instance, step and version the click or form carries
    value: str = ""  # the button's value
    values: dict[str, FieldValue] = field(default_factory=dict)  # a form's fields
    in_channel: bool = False  # typed or clicked in a shared channel: answer privately
    channel_id: str | None = None  # that shared channel (Teams), e.g. to announce "here"
    can_open_form: bool = True  # False when no trigger (Slack needs the click's trigger_id)
    source: MessageRef | None = None  # the message whose button was clicked
    event_id: str | None = None  # the platform's id, for deduplication


@dataclass(frozen=True)
class Outcome:
    """Everything one inbound event produced.

    ``form_answer`` goes back inside the acknowledgement of a form submission; ``form``
    opens a form (a Slack modal needs the trigger of the same request); ``messages`` are
    posted in the conversation the event came from (or privately, per their visibility);
    ``updates`` replace earlier messages (e.g. disable the buttons of an answered card);
    ``home`` is the person's home view (Slack App Home).
    """

    locale: str
    messages: tuple[Message, ...] = ()
    form: Form | None = None
    form_answer: FormAnswer | None = None
    updates: tuple[tuple[MessageRef, Message], ...] = ()
    home: Message | None = None
    refused: bool = False  # tenant outside the allow-list: nothing was stored
    # The clicked card is answered (or was already): disable its buttons (Slack chat.update
    # of ``Inbound.source``, Teams the invoke's replacement card, the console its card).
    close_source: bool = False
