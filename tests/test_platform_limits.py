"""Every step of every flow, every message the core sends and every notification type
renders within each platform's limits (DESIGN.md "Platform limits are part of the model")."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any, cast

import pytest

from bot.domain.feedback.tips import MAX_TIP_CHARS
from bot.domain.files import FileKeys
from bot.domain.notifications import NOTIFICATION_TYPES, Notification
from bot.domain.reports.facts import Period
from bot.domain.retention import Texts
from bot.domain.sessions.calendar_access import CalendarKeys
from dialogs.basics.home import home_message
from dialogs.basics.profile_view import SHOWN_STATUSES as STATUSES
from dialogs.basics.profile_view import ProgramAnswers, profile_message
from dialogs.capabilities import FEATURES
from dialogs.core import replies as presenters
from dialogs.core.content import Paragraph
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import LOCALES, Translator
from dialogs.core.ui import ActionRef, FieldErrors, Form, Message, Section
from dialogs.enrollment.flow import ENROLLMENT_FLOW
from dialogs.enrollment.review import facts as summary_facts
from dialogs.feedback.goals_cards import goals_overview, overview_example
from dialogs.feedback.pending import pending_message
from dialogs.feedback.survey_cards import chips_card
from dialogs.feedback.tips import catalogue, skill_tips
from dialogs.files import file_message
from dialogs.matching.report import run_report
from dialogs.notify.examples import REASONS, SKILL_LABELS, notification_examples
from dialogs.notify.presenters import present
from dialogs.recognition.admin import recognition_report
from dialogs.recognition.cards import shout_out
from dialogs.retention.cards import Retention, retention_report
from dialogs.sessions.admin_sessions import sessions_report
from dialogs.sessions.calendar import calendar_block, calendar_links
from handlers.console.render import Viewer, render_form, render_message
from handlers.slack import forms as slack_forms
from handlers.slack import render as slack_render
from handlers.teams.forms import answer_card, form_card
from handlers.teams.render import message_card
from storage.enrollment.standing import Standing
from storage.models import (
    CheckIn,
    Enrollment,
    MatchRun,
    Pairing,
    Person,
    Program,
    Proposal,
    Skill,
    SkillTranslation,
    StoredFile,
    Tip,
)
from storage.recognition import MentorTally
from storage.sessions.nudges import PairTally
from storage.sessions.reach import Unreached
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
    shown: list[Message | Form] = [
        presenters.help_message(t, is_admin=True),
        presenters.help_message(t, is_admin=False),
        presenters.welcome_message(t, person.first_name),
        home_message(t, person),
        home_message(t, person, home_standings(person, other)),
        profile_message(t, person, profile_programs(t), ["fr", "en"]),
        presenters.unknown_command_message(t, "<@U123> *" * 50, ("join", "profile")),
        presenters.not_available_message(t, "match"),
        presenters.not_admin_message(t),
        presenters.stale_message(t),
        presenters.refused_message(t),
        *notification_screens(t, person, other),
        dry_run_report(t, person, other),
        sessions_admin_report(t, person, other),
        calendar_screen(t, person),
        retention_screen(t),
        *feedback_screens(t),
        *goals_screens(t, person, other),
        *report_screens(t),
        *file_screens(t),
        *recognition_screens(t, person, other),
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


def profile_programs(t: Translator) -> list[ProgramAnswers]:
    """The profile of someone enrolled in three programs with the longest answers."""
    facts = summary_facts(t, ENROLLMENT_FLOW.example)
    return [ProgramAnswers("Mentorat " * 20, "mi", status, facts, True) for status in STATUSES]


def home_standings(person: Person, other: Person) -> list[Standing]:
    """Someone in every state at once: paired, proposed, pending, paused, waiting."""
    program = Program(id=1, slug="mi", name="Mentorat " * 20)
    paused = Enrollment(status="paused", paused_until=fixed_clock().now())
    pair = {"mentor_id": person.id, "mentee_id": other.id}
    return [
        Standing(program, Enrollment(status="active"), Pairing(**pair), None, other),
        Standing(program, Enrollment(status="active"), None, Proposal(**pair), other),
        Standing(
            program,
            Enrollment(status="active"),
            None,
            Proposal(**pair, mentor_answer="accept"),
            other,
        ),
        Standing(program, Enrollment(status="pending")),
        Standing(program, paused),
        Standing(program, Enrollment(status="active")),
    ]


def examples(person: Person, other: Person) -> list[Notification]:
    table = notification_examples(person.id, other.id, person.display_name)
    return [example for kind in sorted(table) for example in table[kind]]


def notification_screens(t: Translator, person: Person, other: Person) -> list[Message]:
    """Every example of every notification type, as the reader sees it."""
    people = {person.id: person, other.id: other}
    return [present(example, t, person, people) for example in examples(person, other)]


def dry_run_report(t: Translator, person: Person, other: Person) -> Message:
    labels, reasons = SKILL_LABELS, REASONS
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
    return run_report(t, program, run, proposals, names, labels, ["<!channel> *" * 60] * 5)


def sessions_admin_report(t: Translator, person: Person, other: Person) -> Message:
    """``admin sessions`` past its truncation: many pairs, many people unreached."""
    program = Program(name="Mentorat <inversé> *<!channel>* " * 6)
    pairing = Pairing(id=1, mentor_id=other.id, mentee_id=person.id)
    pairs = [PairTally(pairing, 999, 999, 999, 9999, 9999, n % 2 == 0) for n in range(200)]
    names = {p.id: p.display_name for p in (person, other)}
    unreached = [Unreached(person, ("slack", "teams"), "<!channel> *" * 40)] * 30
    follow_up = {1: "talk"}  # every pair's line carries the pulse's follow-up marker
    return sessions_report(t, program, pairs, names, unreached, follow_up=follow_up)


def calendar_screen(t: Translator, person: Person) -> Message:
    """A confirmed session's calendar links (dialogs/sessions/calendar.py), at their longest."""
    keys = CalendarKeys("https://tandem." + "long-subdomain." * 8 + "example.com", "secret")
    check_in = CheckIn(id=10**12, scheduled_at=fixed_clock().now(), duration_minutes=45,
                       sequence=0, zone="America/Argentina/ComodRivadavia")  # fmt: skip
    links = calendar_links(keys, check_in, person.id, person.display_name * 3, t.locale)
    return Message((Section((calendar_block(t, links),)),), summary="calendar")


def retention_screen(t: Translator) -> Message:
    """``admin retention`` at its longest: every program shown, each with every kind of text."""
    now = fixed_clock().now()
    many = Texts(*(10**6,) * 9)
    rows = [
        Retention("Mentorat <inversé> *<!channel>* " * 6, "m" * 64, 120, date(2027, 6, 30),
                  "America/Argentina/ComodRivadavia", now + timedelta(days=n - 3), many)
        for n in range(10)
    ]  # fmt: skip
    return retention_report(t, rows, now, more=999)


def feedback_screens(t: Translator) -> list[Message]:
    """The session survey's chips step (mentor and mentee, every chip ticked, the longest
    comment) and ``feedback`` with more requests pending than it lists."""
    skills = [(key, labels[t.locale]) for key, labels in list(SKILL_LABELS.items())[:8]]
    chosen = [key for key, _ in skills]
    comment = "<!channel> *gras* " * 60
    pending = Paragraph.of("Le questionnaire sur votre séance du " * 5)
    return [
        chips_card(t, 2**31 - 1, "mentor", 5, skills, chosen, comment[:1000]),
        chips_card(t, 2**31 - 1, "mentee", 1, skills, (), None),
        chips_card(t, 2**31 - 1, "mentee", 3, (), (), None),
        pending_message(t, [(pending, 2**31 - n) for n in range(12)], 12),
    ]


FEEDBACK_SCREENS = 4


def goals_screens(t: Translator, person: Person, other: Person) -> list[Message]:
    """The goals overview of a mentor with three pairs, the tips catalogue of a long
    taxonomy and one skill's tips past what is shown (dialogs/feedback)."""
    people = {p.id: p for p in (person, other)}
    pairs = overview_example(person.id, other.id)
    long_name = "Compétence <!channel> " * 8
    skills = [
        Skill(key=f"skill_{n:02d}" + "x" * 50,
              translations=[SkillTranslation(locale=loc, name=long_name) for loc in LOCALES])
        for n in range(60)
    ]  # fmt: skip
    text = ("<!channel> *x* " * 30)[:MAX_TIP_CHARS]
    tips = [Tip(id=10**9 + n, skill_key="x", text_fr=text, text_en=text, active=n % 2 == 0)
            for n in range(30)]  # fmt: skip
    return [
        goals_overview(t, pairs, people),
        catalogue(t, skills, {s.key: 999 for s in skills}),
        skill_tips(t, skills[0], tips),
        skill_tips(t, skills[0], []),
    ]


def file_screens(t: Translator) -> list[Message]:
    """A file sent in chat (``dialogs.files.file_message``): a long name, a long link, an
    image, and no link at all (no secret key)."""
    keys = FileKeys("https://tandem." + "long-subdomain." * 8 + "example.com", "secret")
    shown = []
    for media_type, signed in (("application/json", keys), ("image/png", keys), ("text/csv", None)):
        stored = StoredFile(id=10**12, filename="tandem-<!channel>-" + "é" * 150 + ".json",
                            media_type=media_type, expires_at=None)  # fmt: skip
        shown.append(
            file_message(stored, signed, title=t("Your data"), text="<!channel> *x* " * 40,
                         label=t("Download your data"), now=fixed_clock().now())
        )  # fmt: skip
    return shown


def report_screens(t: Translator) -> list[Message]:
    """``admin report``: every figure, 200 departments named with markup, three quotes at
    their longest; and a refused breakdown."""
    from bot.domain.reports.figures import FIGURES, Cell, Report
    from bot.domain.reports.privacy import Refusal, Thresholds
    from dialogs.reports.card import report_card

    groups = tuple(f"Direction <!channel> *{n}* " * 8 for n in range(200))
    kinds = [None, "few", "secondary"]
    totals = {f.key: Cell(123456.789, 99999, None) for f in FIGURES}
    cells = {
        (f.key, g): Cell(None if n % 3 else -99.5, 9999, kinds[n % 3])  # type: ignore[arg-type]
        for f in FIGURES if f.per_group for n, g in enumerate(groups)
    }  # fmt: skip
    quotes = tuple("<!channel> *" * 200 for _ in range(30))
    full = Report(Thresholds(answers=99, comments=999, people=99), Period(), "department", groups,
                  totals, cells, quotes, fixed_clock().now())  # fmt: skip
    name = "Mentorat <inversé> *<!channel>* " * 6
    refused = Report(Thresholds(), Period(), "location", refusal=Refusal("groups_too_small", 5))
    return [
        report_card(t, name, full, period=t("the whole program"), stages={}),
        report_card(t, name, refused, period=t("the whole program"), stages={}),
    ]


def recognition_screens(t: Translator, person: Person, other: Person) -> list[Message]:
    """A mentor's public shout-out and ``admin recognition`` past its truncation."""
    skills = [names[t.locale] for names in SKILL_LABELS.values()]
    post = shout_out(t, person.id, person.display_name, "Mentorat <inversé> *x* " * 8, skills)
    programs = [Program(name="Mentorat <!channel> " * 10,
                        rules={"recognition_channel": {"channel": "C1", "label": "#" + "é" * 80}})
                for _ in range(9)]  # fmt: skip
    rows = [MentorTally(f"m{n}", Counter(thanks=999, certificate=9, shout_out=9,
                                         manager_note=9)) for n in range(300)]  # fmt: skip
    names = {row.mentor_id: person.display_name for row in rows}
    return [post, recognition_report(t, programs, rows, names)]


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
    notifications = len(examples(reader(), reader()))
    # the dry run, admin sessions, a session's calendar links, admin retention, a program
    # report at its longest and a refused one, feedback, goals
    reports = 6 + FEEDBACK_SCREENS
    reports += len(goals_screens(Translator("fr"), reader(), reader()))
    reports += len(file_screens(Translator("fr")))  # files sent in chat
    reports += 2  # a shout-out, admin recognition
    assert len(screens("fr")) == 11 + notifications + reports + sum(
        (step.form is not None) + (step.card is not None) for _, step in steps
    )


def test_every_notification_type_has_an_example_rendered_above() -> None:
    # A new notification type needs worst-case examples next to the presenters.
    table = notification_examples("p" * 32, "o" * 32)
    assert set(table) == set(NOTIFICATION_TYPES)
    for kind, shown in table.items():
        assert shown, kind
        assert all(type(example) is NOTIFICATION_TYPES[kind] for example in shown), kind


@pytest.mark.parametrize("kind", sorted(NOTIFICATION_TYPES))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_notification_type_has_a_presenter_on_every_platform(kind: str, locale: str) -> None:
    person, other = reader(), Person(id="o" * 32, first_name="Léa", last_name="Martin")
    people = {person.id: person, other.id: other}
    viewer = Viewer(locale=locale, timezone="America/Montreal")
    for example in notification_examples(person.id, other.id, person.display_name)[kind]:
        message = present(example, Translator(locale), person, people)
        assert message.summary
        assert slack_render.blocks(message)
        assert message_card(message)
        assert render_message(message, viewer)


def closing_screens(locale: str) -> list[Message]:
    """The closing review's confirmations (the flow's forms and its card are rendered above
    with the other flows and notifications): quoted with its withdraw button, or not."""
    from datetime import timedelta

    from dialogs.feedback.closing_cards import saved_message

    t, until = Translator(locale), fixed_clock().now() + timedelta(days=21)
    return [
        saved_message(t, 2**31 - 1, changed=changed, open_until=until, testimonial=True,
                      quoted=quoted)
        for changed in (False, True)
        for quoted in (False, True)
    ]  # fmt: skip


@pytest.mark.parametrize("locale", LOCALES)
def test_the_closing_review_confirmations_fit_every_platform(locale: str) -> None:
    import json

    viewer = Viewer(locale=locale, timezone="America/Montreal")
    for screen in closing_screens(locale):
        assert check_blocks(slack_render.blocks(screen)) == []
        card = message_card(screen)
        assert check_adaptive_card(card) == []
        assert len(json.dumps(card).encode()) <= TEAMS_MAX_BYTES
        assert render_message(screen, viewer)
