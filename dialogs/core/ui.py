"""The neutral UI model: messages, buttons, forms and the answers a form gets in its ack.

Renderers in ``handlers/`` turn these into Block Kit, Adaptive Cards or HTML. Every button
and form carries an ``ActionRef`` (flow instance, step, version) so that a late or repeated
click is recognised and answered politely instead of acting twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Literal

from dialogs.core.content import Paragraph

Visibility = Literal["private", "conversation"]
ButtonStyle = Literal["default", "primary", "danger"]

# Platform limits the model respects (DESIGN.md "Platform limits are part of the model").
MAX_STATIC_OPTIONS = 100  # longer lists become searchable (external select / filtered ChoiceSet)
MAX_CHOICES = 10  # checkboxes and radio buttons
MAX_FORM_TITLE = 24  # Slack modal title
MAX_REF_CHARS = 255  # an ActionRef must fit in a Slack action value and in private_metadata
# The core's own button: opens a form again at its flow instance's step (``Form.opener``).
REOPEN_ACTION = "reopen"


@dataclass(frozen=True)
class ActionRef:
    """Which flow instance, at which step and version, a button or form belongs to."""

    flow: str
    instance_id: str
    step: str
    version: int

    def encode(self) -> str:
        text = f"{self.flow}|{self.instance_id}|{self.step}|{self.version}"
        if len(text) > MAX_REF_CHARS:
            raise ValueError("action reference too long")
        return text

    @classmethod
    def decode(cls, text: str) -> ActionRef:
        """Parse what a platform sent back; anything malformed raises ValueError."""
        parts = text.split("|")
        if len(parts) != 4 or not all(parts[:3]) or len(text) > MAX_REF_CHARS:
            raise ValueError("not an action reference")
        flow, instance_id, step, version = parts
        if not version.isdigit():
            raise ValueError("not an action reference")
        return cls(flow, instance_id, step, int(version))


@dataclass(frozen=True)
class MessageRef:
    """Where a delivered message lives (Slack channel + ts, Teams activity id, console id)."""

    platform: str
    conversation_id: str
    message_id: str


@dataclass(frozen=True)
class Confirm:
    title: str
    text: str
    confirm_label: str
    deny_label: str


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # the transition the flow takes, e.g. "accept"
    ref: ActionRef | None = None
    value: str = ""
    style: ButtonStyle = "default"
    confirm: Confirm | None = None
    opens_form: bool = False  # Slack needs the click's trigger_id to open a modal
    url: str | None = None  # a link button: no round trip to the bot


@dataclass(frozen=True)
class Header:
    text: str


@dataclass(frozen=True)
class Section:
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Facts:
    """Label / value pairs (a profile, a proposal's highlights)."""

    items: tuple[tuple[str, Paragraph], ...]


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Image:
    url: str
    alt: str


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Attachment:
    """A stored file sent in chat (``dialogs.files.file_message`` makes one).

    Slack uploads the file itself into the person's direct messages; Teams and the console
    show ``label`` as a link to ``url`` (the signed ``/files/{token}`` address), and an
    image inline as well. ``url`` is empty when the deployment has no key to sign links.
    """

    file_id: int
    filename: str
    media_type: str
    label: str
    url: str = ""

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


Block = Header | Section | Facts | Actions | Image | Divider | Attachment


@dataclass(frozen=True)
class Message:
    blocks: tuple[Block, ...]
    summary: str  # the notification / fallback text, plain
    visibility: Visibility = "conversation"
    replaces: MessageRef | None = None


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class TextField:
    name: str
    label: str
    required: bool = True
    multiline: bool = False
    initial: str = ""
    max_length: int = 3000
    hint: str = ""


@dataclass(frozen=True)
class SelectField:
    name: str
    label: str
    options: tuple[Option, ...]
    multi: bool = False
    required: bool = True
    initial: tuple[str, ...] = ()
    hint: str = ""

    @property
    def searchable(self) -> bool:
        return len(self.options) > MAX_STATIC_OPTIONS


@dataclass(frozen=True)
class CheckboxesField:
    name: str
    label: str
    options: tuple[Option, ...]
    required: bool = False
    initial: tuple[str, ...] = ()
    hint: str = ""

    def __post_init__(self) -> None:
        if len(self.options) > MAX_CHOICES:
            raise ValueError(f"{self.name}: at most {MAX_CHOICES} checkboxes")


@dataclass(frozen=True)
class DateField:
    name: str
    label: str
    required: bool = True
    initial: date | None = None
    hint: str = ""


@dataclass(frozen=True)
class TimeField:
    name: str
    label: str
    required: bool = True
    initial: time | None = None
    hint: str = ""


Field = TextField | SelectField | CheckboxesField | DateField | TimeField
FieldValue = str | tuple[str, ...] | None


BACK_FIELD = "__back__"


@dataclass(frozen=True)
class Form:
    title: str
    ref: ActionRef
    fields: tuple[Field, ...]
    submit_label: str
    intro: tuple[Paragraph, ...] = ()
    # The engine's *Back* to the step before (empty on a first step): a submission with
    # BACK_FIELD among its values goes back instead of submitting.
    back_label: str = ""

    def __post_init__(self) -> None:
        if len(self.title) > MAX_FORM_TITLE:
            raise ValueError(f"form title over {MAX_FORM_TITLE} characters: {self.title!r}")
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError("two fields share a name")

    @property
    def opener(self) -> Button:
        """The button that opens this form again where it could not open at once.

        A Slack modal needs the trigger of a click that is at most three seconds old; when
        it expired, the person gets this button instead. It carries the form's reference,
        so the core reopens this very form, whichever flow it belongs to.
        """
        return Button(self.title, REOPEN_ACTION, ref=self.ref, opens_form=True, style="primary")

    def with_values(self, values: Mapping[str, FieldValue]) -> Form:
        """The form pre-filled with what was submitted, so that nothing typed is lost."""
        return replace(self, fields=tuple(_filled(f, values.get(f.name)) for f in self.fields))


def _filled(field_: Field, value: FieldValue) -> Field:
    if value is None:
        return field_
    match field_:
        case TextField():
            return replace(field_, initial=value if isinstance(value, str) else " ".join(value))
        case SelectField() | CheckboxesField():
            return replace(field_, initial=(value,) if isinstance(value, str) else value)
        case DateField() if isinstance(value, str):
            try:
                return replace(field_, initial=date.fromisoformat(value))
            except ValueError:
                return field_
        case TimeField() if isinstance(value, str):
            try:
                return replace(field_, initial=time.fromisoformat(value))
            except ValueError:
                return field_
    return field_


# What a form submission gets back inside the acknowledgement itself.
@dataclass(frozen=True)
class FieldErrors:
    errors: dict[str, str]  # field name -> localised message
    # The same form again, holding what the person typed: platforms that redraw the form
    # (Teams cards, the console) show it with the errors; Slack keeps its modal as it is.
    form: Form | None = None


@dataclass(frozen=True)
class NextForm:
    form: Form


@dataclass(frozen=True)
class Done:
    message: Message | None = None


FormAnswer = FieldErrors | NextForm | Done
