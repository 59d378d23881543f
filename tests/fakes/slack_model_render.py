"""The Slack renderer as it was, through slack_sdk's Block Kit models: the reference that
handlers/slack/render.py and forms.py (plain dicts, for speed) must match byte for byte.

Kept in the tests only: the models validate what they build, which is worth its cost here
and not on every event. Helpers that involve no model (button values, limits, escaping)
come from the production modules.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    HeaderBlock,
    ImageBlock,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from dialogs.core.ui import (
    Actions,
    Attachment,
    Button,
    CheckboxesField,
    Confirm,
    DateField,
    Divider,
    Facts,
    Field,
    Form,
    Header,
    Image,
    Message,
    Section,
    SelectField,
    TextField,
    TimeField,
)
from dialogs.core.ui import Option as FieldOption
from handlers.slack import markup
from handlers.slack.forms import CALLBACK_ID, ELEMENT_ID, MAX_LABEL, MAX_OPTION_TEXT, MAX_SUBMIT
from handlers.slack.render import (
    ACTION_PREFIX,
    MAX_BUTTON_LABEL,
    MAX_BUTTONS,
    MAX_FIELD_TEXT,
    MAX_FIELDS,
    MAX_HEADER,
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    button_value,
)


def confirm_dialog(confirm: Confirm) -> ConfirmObject:
    return ConfirmObject(
        title=PlainTextObject(text=markup.plain(confirm.title, 100)),
        text=PlainTextObject(text=markup.plain(confirm.text, 300)),
        confirm=PlainTextObject(text=markup.plain(confirm.confirm_label, 30)),
        deny=PlainTextObject(text=markup.plain(confirm.deny_label, 30)),
    )


def button(index: int, item: Button) -> ButtonElement:
    style = None if item.style == "default" else item.style
    text = PlainTextObject(text=markup.plain(item.label, MAX_BUTTON_LABEL))
    action_id = f"{ACTION_PREFIX}{index}.{item.action}"[:255]
    if item.url:
        return ButtonElement(text=text, action_id=action_id, url=item.url, style=style)
    return ButtonElement(
        text=text,
        action_id=action_id,
        value=button_value(item),
        style=style,
        confirm=confirm_dialog(item.confirm) if item.confirm else None,
    )


def block(item: Any, answered_note: str | None = None) -> list[Block]:
    match item:
        case Header(text=text):
            return [HeaderBlock(text=PlainTextObject(text=markup.plain(text, MAX_HEADER)))]
        case Section(paragraphs=paragraphs):
            return [
                SectionBlock(text=MarkdownTextObject(text=t)) for t in markup.chunks(paragraphs)
            ]
        case Facts(items=items):
            fields = [
                MarkdownTextObject(
                    text=markup.plain(
                        f"*{markup.escape(label)}*\n{markup.paragraph(value)}", MAX_FIELD_TEXT
                    )
                )
                for label, value in items
            ]
            return [
                SectionBlock(fields=fields[start : start + MAX_FIELDS])
                for start in range(0, len(fields), MAX_FIELDS)
            ]
        case Actions(buttons=buttons):
            if answered_note is not None:
                note = MarkdownTextObject(text=markup.escape(answered_note) or " ")
                return [ContextBlock(elements=[note])]
            elements = [button(i, b) for i, b in enumerate(buttons[:MAX_BUTTONS])]
            return [ActionsBlock(elements=elements)] if elements else []
        case Image(url=url, alt=alt):
            return [ImageBlock(image_url=url, alt_text=markup.plain(alt or " ", 2000))]
        case Divider():
            return [DividerBlock()]
        case Attachment():
            return []
    raise TypeError(f"not a message block: {item!r}")


def blocks(
    message: Message, *, limit: int = MAX_MESSAGE_BLOCKS, answered_note: str | None = None
) -> list[dict[str, Any]]:
    rendered: list[Block] = []
    for item in message.blocks:
        rendered += block(item, answered_note)
    if len(rendered) > limit:
        more = ContextBlock(elements=[MarkdownTextObject(text="…")])
        rendered = [*rendered[: limit - 1], more]
    return [b.to_dict() for b in rendered]


def answered_blocks(shown: list[dict[str, Any]], note: str) -> list[dict[str, Any]]:
    kept = [dict(b) for b in shown if isinstance(b, dict) and b.get("type") != "actions"]
    note_block = ContextBlock(elements=[MarkdownTextObject(text=markup.escape(note) or " ")])
    return [*kept[: MAX_MESSAGE_BLOCKS - 1], note_block.to_dict()]


def home_view(message: Message) -> dict[str, Any]:
    result: dict[str, Any] = View(
        type="home", blocks=blocks(message, limit=MAX_VIEW_BLOCKS)
    ).to_dict()
    return result


def option(item: FieldOption) -> Option:
    return Option(
        value=item.value[:150], text=PlainTextObject(text=markup.plain(item.label, MAX_OPTION_TEXT))
    )


def _chosen(field: SelectField | CheckboxesField) -> list[Option]:
    return [option(o) for o in field.options if o.value in field.initial]


def _element(field: Field) -> InputInteractiveElement:
    match field:
        case TextField():
            return PlainTextInputElement(
                action_id=ELEMENT_ID,
                multiline=field.multiline or None,
                initial_value=field.initial or None,
                max_length=min(field.max_length, 3000),
            )
        case SelectField(multi=False) if field.searchable:
            first = _chosen(field)[:1]
            return ExternalDataSelectElement(
                action_id=ELEMENT_ID, min_query_length=0, initial_option=first[0] if first else None
            )
        case SelectField(multi=True) if field.searchable:
            return ExternalDataMultiSelectElement(
                action_id=ELEMENT_ID, min_query_length=0, initial_options=_chosen(field) or None
            )
        case SelectField(multi=False):
            first = _chosen(field)[:1]
            return StaticSelectElement(
                action_id=ELEMENT_ID,
                options=[option(o) for o in field.options],
                initial_option=first[0] if first else None,
            )
        case SelectField(multi=True):
            return StaticMultiSelectElement(
                action_id=ELEMENT_ID,
                options=[option(o) for o in field.options],
                initial_options=_chosen(field) or None,
            )
        case CheckboxesField():
            return CheckboxesElement(
                action_id=ELEMENT_ID,
                options=[option(o) for o in field.options],
                initial_options=_chosen(field) or None,
            )
        case DateField(initial=initial):
            return DatePickerElement(
                action_id=ELEMENT_ID, initial_date=initial.isoformat() if initial else None
            )
        case TimeField(initial=initial):
            return TimePickerElement(
                action_id=ELEMENT_ID, initial_time=initial.strftime("%H:%M") if initial else None
            )
    raise TypeError(f"not a form field: {field!r}")


def input_block(field: Field) -> InputBlock:
    return InputBlock(
        block_id=field.name,
        label=PlainTextObject(text=markup.plain(field.label, MAX_LABEL)),
        element=_element(field),
        hint=PlainTextObject(text=markup.plain(field.hint, MAX_LABEL)) if field.hint else None,
        optional=not field.required,
    )


def modal(form: Form) -> dict[str, Any]:
    intro: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=t)) for t in markup.chunks(form.intro)
    ]
    inputs: list[Block] = [input_block(f) for f in form.fields]
    if len(intro) + len(inputs) > MAX_VIEW_BLOCKS:
        if len(inputs) > MAX_VIEW_BLOCKS:
            raise ValueError(f"form {form.title!r}: more than {MAX_VIEW_BLOCKS} fields")
        intro = intro[: MAX_VIEW_BLOCKS - len(inputs)]
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=PlainTextObject(text=form.title),
        submit=PlainTextObject(text=markup.plain(form.submit_label, MAX_SUBMIT)),
        private_metadata=form.ref.encode(),
        blocks=intro + inputs,
    )
    result: dict[str, Any] = view.to_dict()
    return result
