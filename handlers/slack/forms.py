"""Forms -> modal views, a submission's state -> field values, form answers -> the ack.

Each field is an input block whose ``block_id`` is the field name and whose element's
``action_id`` is ``value``; the form's ``ActionRef`` travels in ``private_metadata``.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DatePickerElement,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
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
    CheckboxesField,
    DateField,
    Done,
    Field,
    FieldErrors,
    FieldValue,
    Form,
    FormAnswer,
    NextForm,
    SelectField,
    TextField,
    TimeField,
)
from dialogs.core.ui import Option as FieldOption
from handlers.slack import markup
from handlers.slack.render import MAX_VIEW_BLOCKS

CALLBACK_ID = "tandem.form"
ELEMENT_ID = "value"
MAX_LABEL = 2000
MAX_OPTION_TEXT = 75
MAX_SUBMIT = 24
MAX_METADATA = 3000
MAX_SUGGESTIONS = 100


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
    """The form as a modal view (``views.open``/``update``/``push`` or a ``response_action``)."""
    metadata = form.ref.encode()
    if len(metadata) > MAX_METADATA:
        raise ValueError("private_metadata over 3000 characters")
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
        private_metadata=metadata,
        blocks=intro + inputs,
    )
    result: dict[str, Any] = view.to_dict()
    return result


def searchable_options(form: Form) -> dict[str, tuple[FieldOption, ...]]:
    """The long option lists the options endpoint will serve, by field name."""
    return {f.name: f.options for f in form.fields if isinstance(f, SelectField) and f.searchable}


def suggestions(options: tuple[FieldOption, ...], query: str) -> list[dict[str, Any]]:
    """Options whose label contains ``query`` (case-insensitive), at most 100."""
    wanted = query.casefold().strip()
    found = [o for o in options if wanted in o.label.casefold()][:MAX_SUGGESTIONS]
    return [option(o).to_dict() for o in found]


def _value(element: dict[str, Any]) -> FieldValue:
    kind = element.get("type")
    if kind == "plain_text_input":
        value = element.get("value")
        return value if isinstance(value, str) else None
    if kind in {"static_select", "external_select"}:
        selected = element.get("selected_option")
        return str(selected.get("value")) if isinstance(selected, dict) else None
    if kind in {"multi_static_select", "multi_external_select", "checkboxes"}:
        chosen = element.get("selected_options") or []
        return tuple(str(o.get("value")) for o in chosen if isinstance(o, dict))
    if kind == "datepicker":
        return (
            element.get("selected_date") if isinstance(element.get("selected_date"), str) else None
        )
    if kind == "timepicker":
        return (
            element.get("selected_time") if isinstance(element.get("selected_time"), str) else None
        )
    return None


def submitted_values(view: dict[str, Any]) -> dict[str, FieldValue]:
    """``view.state.values`` as field name -> value (unknown shapes are ignored)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return {}
    result: dict[str, FieldValue] = {}
    for block_id, elements in values.items():
        element = elements.get(ELEMENT_ID) if isinstance(elements, dict) else None
        if isinstance(element, dict):
            result[str(block_id)] = _value(element)
    return result


def form_answer(answer: FormAnswer) -> dict[str, Any]:
    """The ``view_submission`` ack body. ``Done``'s message is posted separately."""
    match answer:
        case FieldErrors(errors=errors):
            return {
                "response_action": "errors",
                "errors": {name: markup.plain(text, 2000) for name, text in errors.items()},
            }
        case NextForm(form=form):
            return {"response_action": "update", "view": modal(form)}
        case Done():
            return {"response_action": "clear"}
    raise TypeError(f"not a form answer: {answer!r}")


def pushed(form: Form) -> dict[str, Any]:
    """A next step stacked over the current modal instead of replacing it."""
    return {"response_action": "push", "view": modal(form)}
