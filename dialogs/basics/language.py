"""Choose the language the bot speaks to you, from a card with one button per language.

choose --click(fr|en)--> done
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.core.content import Paragraph
from dialogs.core.flow import Flow, FlowContext, Step, Transition
from dialogs.core.i18n import LOCALES, Translator
from dialogs.core.replies import text_message
from dialogs.core.ui import ActionRef, Actions, Button, Message, Section

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
CHOOSE = "choose"


def choose_card(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Message:
    t = ctx.t
    question = t("Which language should I speak to you?")
    buttons = tuple(
        Button(
            LANGUAGE_NAMES[code],
            CHOOSE,
            ref=ref,
            value=code,
            style="primary" if code == ctx.locale else "default",
        )
        for code in LOCALES
    )
    return Message((Section((Paragraph.of(question),)), Actions(buttons)), summary=question)


async def choose(ctx: FlowContext, data: Mapping[str, Any], action: str, value: str) -> Transition:
    if action != CHOOSE or value not in LOCALES:
        return Transition(errors={"locale": ctx.t("Choose French or English.")})
    ctx.person.locale = value
    return Transition(message=confirmation(Translator(value)))


def confirmation(t: Translator) -> Message:
    return text_message(t("From now on I will speak to you in English."))


LANGUAGE_FLOW = Flow(
    name="language",
    first_step="choose",
    steps={"choose": Step("choose", card=choose_card, act=choose)},
)
