"""Joining a program through the real conversation core, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import func, select

from dialogs.core.conversation import Conversation
from dialogs.core.ui import Button, FieldErrors, FieldValue, Form, NextForm, SelectField
from storage.db import Database
from storage.models import AuditEvent, Consent, DueAction, Enrollment, Person, Program
from tests.support.clock import fixed_clock
from tests.support.driver import CONFIG
from tests.support.enrollment import Driver, actor, add_person, add_program, form_words
from tests.support.messages import buttons_by_action as buttons
from tests.support.messages import done_message, field_names, words

Values = dict[str, FieldValue]
MENTEE_SKILLS: Values = {"wanted": ("generative_ai", "data_analysis"), "offers_back": ("strategy",),
                 "goals": "Comprendre l'IA générative pour mon comité de direction."}  # fmt: skip
MENTEE_LEVELS: Values = {"wanted.generative_ai": "1", "wanted.data_analysis": "2"}
MENTEE_PRACTICAL: Values = {"days": ("1", "3"), "start": "08:30", "end": "09:30", "cadence": "monthly",
                    "languages": ("fr", "en"), "format": "in_person", "location": "Lyon",
                    "assistant": "ASSISTANT@acme.example"}  # fmt: skip
CONSENT: Values = {"charter": ("accept",), "privacy": ("accept",)}
MENTOR_PRACTICAL: Values = {"days": ("0",), "start": "17:00", "end": "18:00", "cadence": "biweekly",
                    "languages": ("en",), "format": "remote", "location": "",
                    "capacity": "2", "motivation": "I like <b>sharing</b> @here"}  # fmt: skip


async def test_a_leader_enrolls_as_mentee_in_french(database: Database) -> None:
    program_id = await add_program(database)
    leader = await add_person(database, "dir@acme.example", "director", title="DG adjointe")
    assistant = await add_person(database, "assistant@acme.example", "junior")
    driver = Driver(
        Conversation(database, CONFIG, clock=fixed_clock()), actor("U1", "dir@acme.example")
    )

    opened = await driver.join("rejoindre")
    assert opened.locale == "fr" and opened.form is not None
    role = next(f for f in opened.form.fields if isinstance(f, SelectField) and f.name == "role")
    assert [o.value for o in role.options] == ["mentee"]  # a director is not offered mentor
    assert role.initial == ("mentee",)
    title = next(f for f in opened.form.fields if f.name == "title")
    assert title.initial == "DG adjointe"  # prefilled from the person
    assert "Votre binôme verra cette information." in title.hint
    summary = await driver.through(
        opened.form,
        [{"role": "mentee", "title": "DG adjointe"}, MENTEE_SKILLS, MENTEE_LEVELS,
         MENTEE_PRACTICAL, CONSENT],
    )  # fmt: skip
    assert summary.title == "Vérifiez vos réponses" and summary.submit_label == "Confirmer"
    text = form_words(summary)
    assert "Analyse et visualisation de données (2 · Basique)" in text
    assert "mardi, jeudi, 08:30–09:30 (heure d’Europe centrale, Paris)" in text
    assert "Charte, Notice de confidentialité" in text  # each text accepted, listed
    done = done_message(await driver.confirm(summary))  # the modal's last button enrolls
    assert "Vous êtes inscrit" in words(done)
    assert [b.label for b in buttons(done).values()] == ["Modifier mes réponses"]

    async with database.unit_of_work() as session:
        enrollment = (await session.execute(select(Enrollment))).scalar_one()
        person = await session.get(Person, leader)
        consents = (await session.execute(select(Consent).order_by(Consent.text_kind))).scalars()
        audit = (await session.execute(select(AuditEvent.action))).scalars().all()
        consent_rows = [(c.text_kind, c.text_version, c.locale) for c in consents]
    assert enrollment.program_id == program_id and enrollment.person_id == leader
    assert (enrollment.role, enrollment.status) == ("mentee", "active")
    assert enrollment.skills_wanted == [
        {"skill": "generative_ai", "level": 1},
        {"skill": "data_analysis", "level": 2},
    ]
    assert enrollment.skills_offered == [] and enrollment.offers_back == ["strategy"]
    assert enrollment.goals == MENTEE_SKILLS["goals"]
    assert (enrollment.format, enrollment.location) == ("in_person", "Lyon")
    assert enrollment.languages == ["fr", "en"] and enrollment.preferred_cadence == "monthly"
    assert enrollment.capacity == 0 and enrollment.motivation is None
    windows = sorted((w.weekday, w.start, w.end, w.timezone) for w in enrollment.availability)
    assert windows == [
        (1, time(8, 30), time(9, 30), "Europe/Paris"),
        (3, time(8, 30), time(9, 30), "Europe/Paris"),
    ]
    assert person is not None and person.assistant_id == assistant
    assert consent_rows == [("charter", 1, "fr"), ("privacy", 2, "fr")]
    assert sorted(audit) == ["consent.accepted", "consent.accepted", "enrollment.joined"]


async def test_a_mentor_enrolls_in_english_and_sees_the_french_notice(database: Database) -> None:
    await add_program(database)
    mentor = await add_person(database, "jun@acme.example", "junior", locale="en",
                              timezone="America/Montreal")  # fmt: skip
    driver = Driver(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U2", "jun@acme.example", "en-US"),
    )
    opened = await driver.join()
    assert opened.locale == "en" and opened.form is not None
    role = opened.form.fields[0]
    assert isinstance(role, SelectField) and [o.value for o in role.options] == ["mentor"]
    skills = await driver.submit(opened.form, {"role": "mentor", "title": ""})
    assert isinstance(skills.form_answer, NextForm)
    assert field_names(skills.form_answer.form) == ["offered", "goals"]
    levels = await driver.submit(skills.form_answer.form, {"offered": ("social_media", "seo")})
    assert isinstance(levels.form_answer, NextForm)
    assert [f.label for f in levels.form_answer.form.fields] == [
        "Your proficiency: Social media",
        "Your proficiency: Search engine optimisation (SEO)",
    ]
    practical = await driver.submit(
        levels.form_answer.form, {"offered.social_media": "5", "offered.seo": "3"}
    )
    assert isinstance(practical.form_answer, NextForm)
    form = practical.form_answer.form
    start = next(f for f in form.fields if f.name == "start")
    assert start.label == "From (Eastern Time, Montreal)"  # the person's own zone, shown
    capacity = next(f for f in form.fields if f.name == "capacity")
    assert capacity.initial == ("1",)  # the program's default
    consent = await driver.submit(form, MENTOR_PRACTICAL)
    assert isinstance(consent.form_answer, NextForm)
    intro = " ".join(p.plain() for p in consent.form_answer.form.intro)
    assert "Trust and confidentiality." in intro and "v2 Notice d'information" in intro
    summary = await driver.submit(consent.form_answer.form, CONSENT)
    assert isinstance(summary.form_answer, NextForm)
    done = done_message(await driver.confirm(summary.form_answer.form))
    assert "You are enrolled" in words(done)
    async with database.unit_of_work() as session:
        enrollment = (await session.execute(select(Enrollment))).scalar_one()
        consents = (await session.execute(select(Consent))).scalars().all()
    assert enrollment.person_id == mentor and enrollment.role == "mentor"
    assert enrollment.skills_offered == [
        {"skill": "social_media", "level": 5},
        {"skill": "seo", "level": 3},
    ]
    assert enrollment.skills_wanted == [] and enrollment.goals is None
    assert enrollment.capacity == 2 and enrollment.motivation == "I like <b>sharing</b> @here"
    assert [(w.weekday, w.start, w.end, w.timezone) for w in enrollment.availability] == [
        (0, time(17), time(18), "America/Montreal")
    ]
    # The English reader was shown the French notice: the consent says which language.
    assert sorted((c.text_kind, c.text_version, c.locale) for c in consents) == [
        ("charter", 1, "en"),
        ("privacy", 2, "fr"),
    ]


async def _junior(database: Database) -> Driver:
    """A junior, writing in English, and the open program they may join as a mentor."""
    await add_program(database)
    await add_person(database, "jun@acme.example", "junior", locale="en")
    return Driver(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U2", "jun@acme.example", "en-US"),
    )


async def _to_practical(driver: Driver) -> NextForm:
    opened = await driver.join()
    assert opened.form is not None
    skills = await driver.submit(opened.form, {"role": "mentor"})
    assert isinstance(skills.form_answer, NextForm)
    levels = await driver.submit(skills.form_answer.form, {"offered": ("seo",)})
    assert isinstance(levels.form_answer, NextForm)
    practical = await driver.submit(levels.form_answer.form, {"offered.seo": "4"})
    assert isinstance(practical.form_answer, NextForm)
    return practical.form_answer


async def _to_summary(driver: Driver) -> Form:
    """The mentor's answers up to the summary, the form's last step."""
    practical = await _to_practical(driver)
    consent = (await driver.submit(practical.form, MENTOR_PRACTICAL)).form_answer
    assert isinstance(consent, NextForm)
    summary = (await driver.submit(consent.form, CONSENT)).form_answer
    assert isinstance(summary, NextForm) and summary.form.ref.step == "summary"
    return summary.form


async def test_field_errors_keep_the_step_and_save_nothing(database: Database) -> None:
    driver = await _junior(database)
    practical = await _to_practical(driver)
    bad = {**MENTOR_PRACTICAL, "capacity": "0", "start": "10:00", "end": "09:00",
           "motivation": "", "assistant": "nobody@acme.example"}  # fmt: skip
    answer = (await driver.submit(practical.form, bad)).form_answer
    assert isinstance(answer, FieldErrors)
    assert answer.errors == {
        "capacity": "Choose from the list.",
        "end": "The end must come after the start.",
        "motivation": "This field is required.",
        "assistant": "No one with this email is known here.",
    }
    assert answer.form is not None  # what was typed comes back
    assert {f.name: f.initial for f in answer.form.fields}["assistant"] == "nobody@acme.example"
    missing = (await driver.submit(practical.form, {**MENTOR_PRACTICAL, "days": ()})).form_answer
    assert isinstance(missing, FieldErrors) and set(missing.errors) == {"days"}
    consent = (await driver.submit(practical.form, MENTOR_PRACTICAL)).form_answer
    assert isinstance(consent, NextForm)
    refused = (await driver.submit(consent.form, {"charter": ("accept",)})).form_answer
    assert isinstance(refused, FieldErrors) and set(refused.errors) == {"privacy"}
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 0
        assert await session.scalar(select(func.count()).select_from(Consent)) == 0


async def test_a_second_join_edits_and_a_late_confirm_changes_nothing(database: Database) -> None:
    driver = await _junior(database)
    summary = await _to_summary(driver)
    await driver.confirm(summary)
    late = await driver.confirm(summary)  # a double submission, or a stale modal
    assert "already been answered" in words(done_message(late))

    again = await driver.join()  # the same program: an edit, everything prefilled
    assert again.form is not None
    assert {f.name: f.initial for f in again.form.fields}["role"] == ("mentor",)
    skills = (await driver.submit(again.form, {"role": "mentor"})).form_answer
    assert isinstance(skills, NextForm)
    assert {f.name: f.initial for f in skills.form.fields}["offered"] == ("seo",)
    levels = (await driver.submit(skills.form, {"offered": ("seo",)})).form_answer
    assert isinstance(levels, NextForm)
    assert levels.form.fields[0].initial == ("4",)
    practical2 = (await driver.submit(levels.form, {"offered.seo": "5"})).form_answer
    assert isinstance(practical2, NextForm)
    prefilled = {f.name: f.initial for f in practical2.form.fields}
    assert prefilled["days"] == ("0",) and prefilled["capacity"] == ("2",)
    consent2 = (await driver.submit(practical2.form, MENTOR_PRACTICAL)).form_answer
    assert isinstance(consent2, NextForm)
    summary2 = (await driver.submit(consent2.form, CONSENT)).form_answer
    assert isinstance(summary2, NextForm)
    done = done_message(await driver.confirm(summary2.form))
    assert "Your enrollment is updated." in words(done)
    async with database.unit_of_work() as session:
        enrollment = (await session.execute(select(Enrollment))).scalar_one()
        consents = await session.scalar(select(func.count()).select_from(Consent))
        audit = (await session.execute(select(AuditEvent.action))).scalars().all()
    assert enrollment.skills_offered == [{"skill": "seo", "level": 5}]
    assert len(enrollment.availability) == 1
    assert consents == 2  # the same versions: not asked to be recorded twice
    assert sorted(audit).count("enrollment.updated") == 1


async def test_the_summary_goes_back_to_the_part_to_change_prefilled(
    database: Database,
) -> None:
    driver = await _junior(database)
    summary = await _to_summary(driver)
    change = summary.fields[0]
    assert isinstance(change, SelectField) and not change.required
    assert [o.label for o in change.options] == [
        "Role and job title", "Skills and goals", "Levels",
        "Availability, languages and format", "Charter and privacy notice",
    ]  # fmt: skip
    back = (await driver.confirm(summary, change="levels")).form_answer
    assert isinstance(back, NextForm) and back.form.ref.step == "levels"
    assert back.form.fields[0].initial == ("4",)  # nothing is lost
    stale = await driver.confirm(summary)  # the summary left behind
    assert "already been answered" in words(done_message(stale))
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 0
    ahead = (await driver.submit(back.form, {"offered.seo": "5"})).form_answer
    assert isinstance(ahead, NextForm) and ahead.form.ref.step == "practical"
    consent2 = (await driver.submit(ahead.form, MENTOR_PRACTICAL)).form_answer
    assert isinstance(consent2, NextForm)
    accepted = {f.name: f.initial for f in consent2.form.fields}
    assert accepted == {"charter": ("accept",), "privacy": ("accept",)}
    summary2 = await driver.submit(consent2.form, CONSENT)
    assert isinstance(summary2.form_answer, NextForm)
    assert "Search engine optimisation (SEO) (5 · Expert)" in form_words(summary2.form_answer.form)
    done = done_message(await driver.confirm(summary2.form_answer.form))
    assert "You are enrolled" in words(done)

    # Once enrolled, *Edit my answers* opens the form again, prefilled.
    edit = buttons(done)["enrollment:join"]
    assert edit.opens_form
    reopened = await driver.send(kind="action", action=edit.action, value=edit.value)
    assert reopened.form is not None and reopened.form.ref.step == "role"
    assert {f.name: f.initial for f in reopened.form.fields}["role"] == ("mentor",)


async def test_a_summary_card_from_an_older_version_still_enrolls(database: Database) -> None:
    """Before, the summary was a card posted after the modal closed: its Confirm still works."""
    driver = await _junior(database)
    summary = await _to_summary(driver)
    old_card = Button("Confirm", "confirm", ref=summary.ref)
    done = await driver.click(old_card)
    assert "You are enrolled" in words(done.messages[0])
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 1


async def test_an_interrupted_enrollment_resumes_where_it_stopped(database: Database) -> None:
    driver = await _junior(database)
    opened = await driver.join()
    assert opened.form is not None
    await driver.submit(opened.form, {"role": "mentor"})
    resumed = await driver.join()
    assert resumed.form is not None and resumed.form.ref.step == "skills"
    # A typed word in Slack has no trigger: a button opens the same form.
    typed = await driver.send(kind="command", text="join", can_open_form=False)
    assert typed.form is None and buttons(typed.messages[0])["enrollment:join"].opens_form


async def test_ineligible_and_closed_are_told_kindly(database: Database) -> None:
    await add_program(database, "closed-one", status="closed")
    await add_person(database, "sen@acme.example", None, locale="en")
    driver = Driver(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U3", "sen@acme.example", "en-US"),
    )
    closed = await driver.join()
    assert closed.form is None
    assert "Enrollment is closed now for Mentorat <b>closed-one</b>" in words(closed.messages[0])
    await add_program(database, "late", closes_on=date(2020, 1, 1))
    late = await driver.join("join late")
    assert "Enrollment is closed now for Mentorat <b>late</b>" in words(late.messages[0])

    rules = {"eligibility": {"mentor": ["junior"], "mentee": ["executive"]}}
    program_id = await add_program(database, "strict")
    async with database.unit_of_work() as session:
        program = await session.get(Program, program_id)
        assert program is not None
        program.rules = rules
    await add_person(database, "mid@acme.example", "confirmed", locale="en")
    mid = Driver(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U4", "mid@acme.example", "en-US"),
    )
    refused = await mid.join()
    assert refused.form is None and "open to other career stages" in words(refused.messages[0])
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 0


async def test_closing_before_the_confirm_enrolls_no_one(database: Database) -> None:
    program_id = await add_program(database)
    await add_person(database, "jun@acme.example", "junior", locale="en")
    driver = Driver(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U2", "jun@acme.example", "en-US"),
    )
    summary = await _to_summary(driver)
    async with database.unit_of_work() as session:
        program = await session.get(Program, program_id)
        assert program is not None
        program.status = "closed"
    answer = await driver.confirm(summary)
    assert "Enrollment is closed now" in words(done_message(answer))
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 0
        assert await session.scalar(select(func.count()).select_from(DueAction)) == 0


async def test_several_open_programs_ask_which_one(database: Database) -> None:
    await add_program(database, "paris")
    await add_program(database, "montreal")
    await add_person(database, "jun@acme.example", "junior", locale="en")
    driver = Driver(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U2", "jun@acme.example", "en-US"),
    )
    opened = await driver.join()
    assert opened.form is not None and field_names(opened.form) == ["program"]
    choice = opened.form.fields[0]
    assert isinstance(choice, SelectField)
    montreal = next(o for o in choice.options if "montreal" in o.label)
    role = (await driver.submit(opened.form, {"program": montreal.value})).form_answer
    assert isinstance(role, NextForm) and role.form.ref.step == "role"
    assert "Mentorat <b>montreal</b>" in " ".join(p.plain() for p in role.form.intro)
