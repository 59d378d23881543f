"""Forms -> modal views, a submission's state -> field values, form answers -> the ack.

Each field is an input block whose ``block_id`` is the field name and whose element's
``action_id`` is ``value``; the form's ``ActionRef`` travels in ``private_metadata``. Views
are plain dicts, exactly what slack_sdk's models produced (see handlers/slack/render.py).
"""

from __future__ import annotations

from typing import Any

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
from handlers.slack.render import MAX_VIEW_BLOCKS, mrkdwn, plain_text

CALLBACK_ID = "tandem.form"
ELEMENT_ID = "value"
MAX_LABEL = 2000
MAX_OPTION_TEXT = 75
MAX_SUBMIT = 24
MAX_METADATA = 3000
MAX_SUGGESTIONS = 100
MAX_BLOCK_ID = 255


def option(item: FieldOption) -> dict[str, Any]:
    # An option's keys in slack_sdk's order; its value is kept even when empty.
    return {
        "text": plain_text(markup.plain(item.label, MAX_OPTION_TEXT)),
        "value": item.value[:150],
    }


def _chosen(field: SelectField | CheckboxesField) -> list[dict[str, Any]]:
    return [option(o) for o in field.options if o.value in field.initial]


def _element_with_initial(field: SelectField | CheckboxesField, *, single: bool) -> dict[str, Any]:
    """The element's first keys: its id, then what is already chosen (one or several)."""
    element: dict[str, Any] = {"action_id": ELEMENT_ID}
    chosen = _chosen(field)
    if chosen and single:
        element["initial_option"] = chosen[0]
    elif chosen:
        element["initial_options"] = chosen
    return element


def _choices(kind: str, field: SelectField | CheckboxesField) -> dict[str, Any]:
    """A static select, multi-select or checkboxes (empty lists left out, as slack_sdk did)."""
    element = _element_with_initial(field, single=kind == "static_select")
    if field.options:
        element["options"] = [option(o) for o in field.options]
    element["type"] = kind
    return element


def _searchable(kind: str, field: SelectField) -> dict[str, Any]:
    element = _element_with_initial(field, single=kind == "external_select")
    element["min_query_length"] = 0
    element["type"] = kind
    return element


def _element(field: Field) -> dict[str, Any]:
    match field:
        case TextField():
            element: dict[str, Any] = {"action_id": ELEMENT_ID}
            if field.initial:
                element["initial_value"] = field.initial
            element["max_length"] = min(field.max_length, 3000)
            if field.multiline:
                element["multiline"] = True
            element["type"] = "plain_text_input"
            return element
        case SelectField(multi=False) if field.searchable:
            return _searchable("external_select", field)
        case SelectField(multi=True) if field.searchable:
            return _searchable("multi_external_select", field)
        case SelectField(multi=False):
            return _choices("static_select", field)
        case SelectField(multi=True):
            return _choices("multi_static_select", field)
        case CheckboxesField():
            return _choices("checkboxes", field)
        case DateField(initial=initial):
            if initial is None:
                return {"action_id": ELEMENT_ID, "type": "datepicker"}
            return {
                "action_id": ELEMENT_ID,
                "initial_date": initial.isoformat(),
                "type": "datepicker",
            }
        case TimeField(initial=initial):
            if initial is None:
                return {"action_id": ELEMENT_ID, "type": "timepicker"}
            return {
                "action_id": ELEMENT_ID,
                "initial_time": initial.strftime("%H:%M"),
                "type": "timepicker",
            }
    raise TypeError(f"not a form field: {field!r}")


def input_block(field: Field) -> dict[str, Any]:
    if len(field.name) > MAX_BLOCK_ID:
        raise ValueError(f"field {field.name!r}: a block_id has at most {MAX_BLOCK_ID} characters")
    block: dict[str, Any] = {"block_id": field.name} if field.name else {}
    block["element"] = _element(field)
    if field.hint:
        block["hint"] = plain_text(markup.plain(field.hint, MAX_LABEL))
    block["label"] = plain_text(markup.plain(field.label, MAX_LABEL))
    block["optional"] = not field.required
    block["type"] = "input"
    return block


def modal(form: Form) -> dict[str, Any]:
    """The form as a modal view (``views.open``/``update``/``push`` or a ``response_action``)."""
    metadata = form.ref.encode()
    if len(metadata) > MAX_METADATA:
        raise ValueError("private_metadata over 3000 characters")
    if not form.title:
        raise ValueError("a modal needs a title")
    intro = [{"text": mrkdwn(t), "type": "section"} for t in markup.chunks(form.intro)]
    inputs = [input_block(f) for f in form.fields]
    if len(intro) + len(inputs) > MAX_VIEW_BLOCKS:
        if len(inputs) > MAX_VIEW_BLOCKS:
            raise ValueError(f"form {form.title!r}: more than {MAX_VIEW_BLOCKS} fields")
        intro = intro[: MAX_VIEW_BLOCKS - len(inputs)]
    if not intro and not inputs:
        raise ValueError(f"form {form.title!r}: a view needs at least one block")
    return {
        "blocks": intro + inputs,
        "callback_id": CALLBACK_ID,
        "private_metadata": metadata,
        "submit": plain_text(markup.plain(form.submit_label, MAX_SUBMIT)),
        "title": plain_text(form.title),
        "type": "modal",
    }


def searchable_options(form: Form) -> dict[str, tuple[FieldOption, ...]]:
    """The long option lists the options endpoint will serve, by field name."""
    return {f.name: f.options for f in form.fields if isinstance(f, SelectField) and f.searchable}


def suggestions(options: tuple[FieldOption, ...], query: str) -> list[dict[str, Any]]:
    """Options whose label contains ``query`` (case-insensitive), at most 100."""
    wanted = query.casefold().strip()
    found = [o for o in options if wanted in o.label.casefold()][:MAX_SUGGESTIONS]
    return [option(o) for o in found]


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
