"""Forms as Adaptive Cards with inputs, and what a form submission gets back in its invoke.

A form card's submit button is an ``Action.Execute`` with verb ``FORM_VERB``: Teams sends
every input's value with the data, and the invoke answer (errors, next form, done) replaces
the card in place, which is Teams' equivalent of Slack's ``response_action``.
"""

from __future__ import annotations

from typing import Any

from dialogs.core.ui import (
    BACK_FIELD,
    CheckboxesField,
    DateField,
    Done,
    Field,
    FieldErrors,
    FieldValue,
    Form,
    FormAnswer,
    Message,
    NextForm,
    SelectField,
    TextField,
    TimeField,
)
from handlers.teams.markup import escape, paragraph
from handlers.teams.render import Json, card, message_card, text_block

FORM_VERB = "tandem.form.submit"
BACK_VERB = "tandem.form.back"
ERROR_COLOR = "Attention"


def _choices(options: Any) -> list[Json]:
    return [{"title": o.label, "value": o.value} for o in options]


def field_input(field: Field, error: str | None = None) -> Json:
    common: Json = {"id": field.name, "label": field.label, "isRequired": field.required}
    if error:
        common["errorMessage"] = error
    match field:
        case TextField():
            element: Json = {
                "type": "Input.Text",
                **common,
                "isMultiline": field.multiline,
                "maxLength": field.max_length,
            }
            if field.initial:
                element["value"] = field.initial
        case SelectField():
            element = {
                "type": "Input.ChoiceSet",
                **common,
                "choices": _choices(field.options),
                "isMultiSelect": field.multi,
                # Teams' own style for long lists: a search box over the choices.
                "style": "filtered" if field.searchable else "compact",
            }
            if field.initial:
                element["value"] = ",".join(field.initial)
        case CheckboxesField():
            element = {
                "type": "Input.ChoiceSet",
                **common,
                "choices": _choices(field.options),
                "isMultiSelect": True,
                "style": "expanded",
            }
            if field.initial:
                element["value"] = ",".join(field.initial)
        case DateField():
            element = {"type": "Input.Date", **common}
            if field.initial:
                element["value"] = field.initial.isoformat()
        case TimeField():
            element = {"type": "Input.Time", **common}
            if field.initial:
                element["value"] = field.initial.strftime("%H:%M")
        case _:
            raise TypeError(f"not a field: {field!r}")
    if field.hint and element["type"] in {"Input.Text", "Input.ChoiceSet"}:
        element["placeholder"] = field.hint
    return element


def form_card(form: Form, errors: dict[str, str] | None = None) -> Json:
    errors = errors or {}
    body: list[Json] = [text_block(escape(form.title), size="Medium", weight="Bolder")]
    body += [text_block(paragraph(p)) for p in form.intro]
    for field in form.fields:
        error = errors.get(field.name)
        body.append(field_input(field, error))
        if error:
            # Shown whatever the client does with errorMessage (older Teams clients ignore it).
            body.append(text_block(escape(error), color=ERROR_COLOR, spacing="None"))
    names = {field.name for field in form.fields}
    unknown = [message for name, message in errors.items() if name not in names]
    body += [text_block(escape(message), color=ERROR_COLOR) for message in unknown]
    submit = {
        "type": "Action.Execute",
        "title": form.submit_label,
        "verb": FORM_VERB,
        # Teams sends multi-selects as "a,b": the names say which values to split.
        "data": {"ref": form.ref.encode(), "multi": multi_fields(form)},
        "style": "positive",
    }
    actions = [submit]
    if form.back_label:  # the step before: nothing of this step is read nor checked
        back_data = {"ref": form.ref.encode(), "multi": [], BACK_FIELD: "1"}
        actions.insert(
            0,
            {
                "type": "Action.Execute",
                "title": form.back_label,
                "verb": BACK_VERB,  # a submission all the same: its data has "multi"
                "data": back_data,
                "associatedInputs": "None",
            },
        )
    return card(body, actions, fallback=form.title)


def answer_card(answer: FormAnswer, form: Form | None, done_text: str) -> Json:
    """The card that replaces a submitted form: the form with errors, the next one, or done."""
    match answer:
        case FieldErrors(errors=errors, form=typed):
            # Prefer the core's copy of the form: it holds what the person typed.
            shown = typed or form
            if shown is None:
                return card([text_block(escape(m), color=ERROR_COLOR) for m in errors.values()])
            return form_card(shown, errors)
        case NextForm(form=next_form):
            return form_card(next_form)
        case Done(message=Message() as message):
            return message_card(message)
        case Done():
            return card([text_block(escape(done_text))])
    raise TypeError(f"not a form answer: {answer!r}")


RESERVED_DATA = frozenset({"ref", "value", "multi"})


def multi_fields(form: Form) -> list[str]:
    return [
        f.name
        for f in form.fields
        if isinstance(f, CheckboxesField) or (isinstance(f, SelectField) and f.multi)
    ]


def submitted_values(data: dict[str, Any]) -> dict[str, FieldValue]:
    """The inputs' values from an invoke's data (multi-selects arrive comma-separated)."""
    multi = data.get("multi")
    multi_names = {m for m in multi if isinstance(m, str)} if isinstance(multi, list) else set()
    values: dict[str, FieldValue] = {}
    for name, value in data.items():
        if name in RESERVED_DATA or not isinstance(value, str):
            continue
        values[name] = tuple(v for v in value.split(",") if v) if name in multi_names else value
    return values
