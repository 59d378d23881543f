"""Every step of every flow, and every message the core sends, renders within each
platform's limits (DESIGN.md "Platform limits are part of the model")."""

from __future__ import annotations

from typing import Any, cast

import pytest

from bot.domain.matching_notifications import (
    PairingEnded,
    PairingIntroduction,
    PairProposed,
    ProposalClosed,
    RoundReady,
)
from bot.domain.notifications import Announcement, Introduction, PersonUnreachable
from dialogs.capabilities import FEATURES
from dialogs.core import replies as presenters
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import LOCALES, Translator
from dialogs.core.ui import ActionRef, FieldErrors, Form, Message
from dialogs.matching.report import run_report
from dialogs.notify.presenters import present
from handlers.console.render import Viewer, render_form, render_message
from handlers.slack import forms as slack_forms
from handlers.slack import render as slack_render
from handlers.teams.forms import answer_card, form_card
from handlers.teams.render import message_card
from storage.models import MatchRun, Person, Program, Proposal
from tests.fakes.adaptive_cards import check_adaptive_card
from tests.fakes.slack_spec import check_blocks, check_view
from tests.support.clock import fixed_clock

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
        *matching_screens(t, person, other),
    ]
    ctx = FlowContext(cast(Any, None), person, locale, t, fixed_clock(), is_admin=True)
    for flow in FLOWS:
        for step in flow.steps.values():
            ref = ActionRef(flow.name, "i" * 32, step.name, 99)
            if step.form is not None:
                shown.append(step.form(ctx, flow.example, ref))
            if step.card is not None:
                shown.append(step.card(ctx, flow.example, ref))
    return shown


def matching_screens(t: Translator, person: Person, other: Person) -> list[Message]:
    """Proposal cards with long highlights, every closed form, the intro, the dry run."""
    people = {person.id: person, other.id: other}
    labels = {f"skill_{n}": {"fr": "Compétence " * 5 + str(n), "en": "Skill " * 5 + str(n)}
              for n in range(12)}  # fmt: skip
    reasons = [{"code": "teaches_wanted_skills", "skills": list(labels)},
               {"code": "shared_hours", "minutes": 150}, {"code": "reporting_line_unknown"}]  # fmt: skip
    card = PairProposed(
        7, "Mentorat <inversé>", (other.id,), "mentee", reasons,
        {"side": "mentor", "title": "x" * 300, "skills": list(labels), "goals": "<b>" * 500,
         "languages": ["fr", "en"], "format": "in_person", "location": "Paris *La Défense*"},
        list(labels)[:3], labels, {person.id: person.display_name}, "2027-03-01T10:00:00+00:00",
        True, other.id, person.id,
    )  # fmt: skip
    shown = [present(card, t, person, people)]
    for outcome in ("expired", "declined_by_other", "partner_gone", "you_declined",
                    "accepted_waiting"):  # fmt: skip
        for as_card in (True, False):
            closed = ProposalClosed(7, "Mentorat", (other.id,), outcome, as_card)
            shown.append(present(closed, t, person, people))
    shown += [
        present(PairingIntroduction(3, "M", (other.id, person.id), ["skill_1"], labels), t,
                person, people),
        present(PairingEnded(3, "M", (other.id,)), t, person, people),
        present(PairingEnded(3, "M", (), by_admin=True), t, person, people),
        present(RoundReady(5, "M", 120, 3), t, person, people),
    ]  # fmt: skip
    program = Program(name="Mentorat " * 10)
    run = MatchRun(id=5, stats={"mentors": 40, "mentees": 60, "capacity": 50, "optimality": "gap",
                                "gap_score": 0.2, "unmatched_count": 40, "hints": [
                                    {"code": "recruit_mentors_for", "skill": "skill_1",
                                     "wanted_by": 9, "offered_by": 0}],
                                "unmatched": [{"mentee_id": other.id, "reasons": reasons}] * 40,
                                "warnings": [{"code": "management_cycle",
                                              "people": [other.id] * 30}]})  # fmt: skip
    proposals = [Proposal(id=n, mentor_id=other.id, mentee_id=person.id, score=6.5,
                          reasons=reasons) for n in range(50)]  # fmt: skip
    names = {p.id: p.display_name for p in (person, other)}
    shown.append(run_report(t, program, run, proposals, names, labels, ["<!channel> *" * 60] * 5))
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
    assert len(screens("fr")) == 13 + 16 + sum(
        (step.form is not None) + (step.card is not None) for _, step in steps
    )
