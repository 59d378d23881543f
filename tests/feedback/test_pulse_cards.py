"""The pulse's replies (not notifications, so not in the platform-limits registry) fit
Slack, Teams and the console in both languages; the notifications and the comment form are
rendered by ``tests/test_platform_limits.py`` with the others."""

from __future__ import annotations

import json

import pytest

from bot.domain.feedback.pulse import ANSWERS
from dialogs.core.i18n import LOCALES, Translator
from dialogs.core.ui import Message
from dialogs.feedback.pulse import PULSE_FLOW, refusal
from dialogs.feedback.pulse_cards import answered_messages, closed_card
from dialogs.notify.examples import notification_examples
from handlers.console.render import Viewer, render_message
from handlers.slack import render as slack_render
from handlers.teams.render import message_card
from tests.fakes.adaptive_cards import check_adaptive_card
from tests.fakes.slack_spec import check_blocks

pytestmark = pytest.mark.timeout(60)


def replies(t: Translator) -> list[Message]:
    shown = [closed_card(t), refusal(t, "not_yours"), refusal(t, "expired")]
    for role in ("mentor", "mentee"):
        for answer in ANSWERS:
            for again in (False, True):
                shown += answered_messages(t, 2**31 - 1, role, answer, again=again)
    return shown


@pytest.mark.parametrize("locale", LOCALES)
def test_every_reply_fits_every_platform(locale: str) -> None:
    viewer = Viewer(locale=locale, timezone="America/Montreal")
    for message in replies(Translator(locale)):
        assert message.summary
        assert check_blocks(slack_render.blocks(message)) == []
        card = message_card(message)
        assert check_adaptive_card(card) == []
        assert len(json.dumps(card).encode()) <= 40 * 1024
        assert render_message(message, viewer)


def test_the_pulse_types_and_the_comment_form_are_in_the_registries() -> None:
    table = notification_examples("p" * 32, "o" * 32)
    assert {"pulse_asked", "pulse_closed", "pulse_follow_up"} <= set(table)
    assert PULSE_FLOW.example["comment"]  # the form is rendered filled in


@pytest.mark.parametrize("locale", LOCALES)
def test_a_leader_is_asked_in_other_words_than_a_junior(locale: str) -> None:
    t = Translator(locale)
    mentor = [m.summary for m in answered_messages(t, 1, "mentor", "talk", again=False)]
    mentee = [m.summary for m in answered_messages(t, 1, "mentee", "talk", again=False)]
    assert mentor[0] != mentee[0]
