"""*Back* in a multi-step form, through the real core: the engine's generic back step."""

from __future__ import annotations

from dialogs.core.conversation import Conversation
from dialogs.core.ui import BACK_FIELD, Done, NextForm
from storage.db import Database
from tests.support.clock import fixed_clock
from tests.support.driver import CONFIG
from tests.support.enrollment import Driver, actor, add_person, add_program
from tests.support.messages import words


async def test_back_shows_the_step_before_as_it_was_filled(database: Database) -> None:
    await add_program(database)
    await add_person(database, "dev@acme.example", "junior", locale="en")
    driver = Driver(
        Conversation(database, CONFIG, clock=fixed_clock()), actor("U2", "dev@acme.example", "en")
    )
    opened = await driver.join()
    assert opened.form is not None and opened.form.back_label == ""  # a first step: no Back
    skills = await driver.submit(opened.form, {"role": "mentor", "title": "Data engineer"})
    assert isinstance(skills.form_answer, NextForm)
    second = skills.form_answer.form
    assert second.back_label == "Back"
    levels = await driver.submit(second, {"offered": ("seo",), "goals": "Teach SEO"})
    assert isinstance(levels.form_answer, NextForm)

    # Back from the third step: the second, as it was submitted, still with its own Back.
    back = await driver.submit(levels.form_answer.form, {BACK_FIELD: "1"})
    assert isinstance(back.form_answer, NextForm)
    again = back.form_answer.form
    assert again.ref.step == second.ref.step and again.back_label == "Back"
    goals = next(f for f in again.fields if f.name == "goals")
    assert goals.initial == "Teach SEO"  # type: ignore[union-attr]
    # Back again: the first step, with no Back; the third step's old form is stale.
    first = await driver.submit(again, {BACK_FIELD: "1"})
    assert isinstance(first.form_answer, NextForm)
    assert first.form_answer.form.ref.step == opened.form.ref.step
    assert first.form_answer.form.back_label == ""
    late = await driver.submit(levels.form_answer.form, {"offered.seo": "4"})
    assert isinstance(late.form_answer, Done)
    assert "already" in words(late.form_answer.message)
    # Forward again from the first step: the flow goes on as before.
    forward = await driver.submit(first.form_answer.form, {"role": "mentor", "title": "Dev"})
    assert isinstance(forward.form_answer, NextForm)
    assert forward.form_answer.form.ref.step == second.ref.step
