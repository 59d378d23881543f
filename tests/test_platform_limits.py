"""Every step of every flow, and every message the core sends, renders within each
platform's limits (DESIGN.md "Platform limits are part of the model")."""

from __future__ import annotations

from typing import Any, cast

import pytest

from bot.domain.notifications import Announcement, Introduction, PersonUnreachable
from dialogs import presenters
from dialogs.features import FEATURES
from dialogs.flows.base import FlowContext
from dialogs.i18n import LOCALES, Translator
from dialogs.notification_presenters import present
from dialogs.ui import ActionRef, FieldErrors, Form, Message
from handlers.console.render import Viewer, render_form, render_message
from handlers.slack import forms as slack_forms
from handlers.slack import render as slack_render
from handlers.teams.forms import answer_card, form_card
from handlers.teams.render import message_card
from storage.models import Person
from tests.fakes.adaptive_cards import check_adaptive_card
from tests.fakes.slack_spec import check_blocks, check_view

TEAMS_MAX_BYTES = 40 * 1024
FLOWS = [flow for feature in FEATURES for flow in feature.flows]


def reader() -> Person:
    # A long name and typed text that needs escaping on every platform.
    return Person(
        id="p" * 32, first_name="Marie-Héloïse <!channel>", last_name="de La Tour d'Auvergne *x*",
        email="mh@acme.example", title="Directrice " + "très " * 30 + "générale",
        department="Direction", timezone="America/Montreal", languages=["fr", "en", "es"],
    )  # fmt: skip


def screens(locale: str) -> list[Message | Form]:
    t = Translator(locale)
    person = reader()
    other = Person(id="o" * 32, first_name="Léa", last_name="Martin")
    people = {person.id: person, other.id: other}
    shown: list[Message | Form] = [
        presenters.help_message(t, is_admin=True),
        presenters.help_message(t, is_admin=False),
        presenters.welcome_message(t, person.first_name),
        presenters.home_view(t, person),
        presenters.profile_message(t, person),
        presenters.unknown_command_message(t, "<@U123> *" * 50, ("join", "profile")),
        presenters.not_available_message(t, "match"),
        presenters.not_admin_message(t),
        presenters.stale_message(t),
        presenters.refused_message(t),
        present(Introduction((person.id, other.id), "Mentorat <inversé>"), t, person, people),
        present(PersonUnreachable(other.id, "slack: user_not_found"), t, person, people),
        present(Announcement("Bonjour " * 400, "Hello " * 400), t, person, people),
    ]
    ctx = FlowContext(cast(Any, None), person, locale, t, is_admin=True)
    for flow in FLOWS:
        for step in flow.steps.values():
            ref = ActionRef(flow.name, "i" * 32, step.name, 99)
            if step.form is not None:
                shown.append(step.form(ctx, flow.example, ref))
            if step.card is not None:
                shown.append(step.card(ctx, flow.example, ref))
    return shown


CASES = [(locale, i) for locale in LOCALES for i in range(len(screens(locale)))]


@pytest.mark.parametrize(("locale", "index"), CASES)
def test_each_screen_fits_slack_teams_and_the_console(locale: str, index: int) -> None:
    screen = screens(locale)[index]
    viewer = Viewer(locale=locale, timezone="America/Montreal")
    if isinstance(screen, Form):
        assert check_view(slack_forms.modal(screen)) == []
        card = form_card(screen)
        errors = FieldErrors({f.name: "⚠ " * 40 for f in screen.fields}, screen)
        assert check_adaptive_card(answer_card(errors, screen, "✓")) == []
        assert "<!channel>" not in render_form(screen, viewer)
    else:
        assert check_blocks(slack_render.blocks(screen)) == []
        assert check_view(slack_render.home_view(screen)) == []
        card = message_card(screen)
        html = render_message(screen, viewer)
        assert "<!channel>" not in html and "<@U123>" not in html
    assert check_adaptive_card(card) == []
    import json

    assert len(json.dumps(card).encode()) <= TEAMS_MAX_BYTES


def test_every_flow_step_is_rendered_above() -> None:
    # screens() renders each step of each registered flow; a step must show something.
    steps = [(flow.name, step) for flow in FLOWS for step in flow.steps.values()]
    assert len(steps) >= 2
    for name, step in steps:
        assert step.form is not None or step.card is not None, (name, step.name)
    assert len(screens("fr")) == 13 + sum(
        (step.form is not None) + (step.card is not None) for _, step in steps
    )
