"""Choose the language the bot speaks to you.

choose --submit(fr|en)--> done
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.flows.base import Flow, FlowContext, Step, Transition, text_value
from dialogs.i18n import LOCALES, Translator
from dialogs.presenters import text_message
from dialogs.ui import ActionRef, FieldValue, Form, Message, Option, SelectField

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def choose_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Language"),
        ref=ref,
        fields=(
            SelectField(
                "locale",
                t("Language I speak to you"),
                tuple(Option(code, LANGUAGE_NAMES[code]) for code in LOCALES),
                initial=(ctx.locale,),
            ),
        ),
        submit_label=t("Save"),
    )


async def submit_choice(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    locale = text_value(values, "locale")
    if locale not in LOCALES:
        return Transition(errors={"locale": ctx.t("Choose French or English.")})
    ctx.person.locale = locale
    return Transition(message=confirmation(Translator(locale)))


def confirmation(t: Translator) -> Message:
    return text_message(t("From now on I will speak to you in English."))


LANGUAGE_FLOW = Flow(
    name="language",
    first_step="choose",
    steps={"choose": Step("choose", choose_form, submit_choice)},
)
