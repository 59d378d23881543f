"""Programs, people and a driver that answers the enrollment forms through the real core."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from dialogs.core.conversation import Conversation
from dialogs.core.events import Actor, Inbound, Outcome
from dialogs.core.ui import Button, FieldErrors, FieldValue, Form, NextForm
from storage.db import Database
from storage.models import CareerStage, Person, Program, ProgramAdmin, ProgramText
from tests.support.clock import T0

RULES = {
    "eligibility": {
        "mentor": ["apprentice", "junior", "confirmed"],
        "mentee": ["senior", "manager", "director", "executive"],
    },
    "cross_department": True,
    "reverse_career_order": True,
}
CHARTER = {
    "fr": "Charte\n\nConfiance et confidentialité.",
    "en": "Charter\n\nTrust and confidentiality.",
}
PRIVACY_FR_ONLY = "Notice d'information : vos données servent à former les binômes."


async def add_program(
    database: Database,
    slug: str = "mi-2027",
    *,
    status: str = "open",
    closes_on: date | None = None,
    approval: bool = False,
    admin_email: str | None = None,
) -> int:
    async with database.unit_of_work() as session:
        program = Program(
            slug=slug, name=f"Mentorat <b>{slug}</b>", timezone="Europe/Paris",
            starts_on=date(2027, 1, 11), ends_on=date(2027, 7, 9), enrollment_closes_on=closes_on,
            cadence="biweekly", capacity_default=1, approval_required=approval, rules=RULES,
            charter_version=1, privacy_version=2, status=status,
        )  # fmt: skip
        session.add(program)
        await session.flush()
        for locale, body in CHARTER.items():
            session.add(ProgramText(program_id=program.id, kind="charter", version=1,
                                    locale=locale, body=body, published_at=T0))  # fmt: skip
        for version in (1, 2):  # the privacy notice exists in French only: English falls back
            session.add(ProgramText(program_id=program.id, kind="privacy", version=version,
                                    locale="fr", body=f"v{version} {PRIVACY_FR_ONLY}",
                                    published_at=T0))  # fmt: skip
        if admin_email:
            admin = await session.scalar(select(Person).where(Person.email == admin_email))
            assert admin is not None
            session.add(ProgramAdmin(program_id=program.id, person_id=admin.id))
        return program.id


async def add_person(
    database: Database, email: str, stage: str | None, *, locale: str = "fr",
    timezone: str = "Europe/Paris", title: str | None = None,
) -> str:  # fmt: skip
    async with database.unit_of_work() as session:
        stage_id = await session.scalar(select(CareerStage.id).where(CareerStage.key == stage))
        person = Person(
            email=email, first_name=email.split("@")[0].title(), last_name="Test",
            career_stage_id=stage_id, timezone=timezone, locale=locale, languages=[locale],
            title=title,
        )  # fmt: skip
        session.add(person)
        await session.flush()
        return person.id


def actor(user: str, email: str, locale: str = "fr-FR") -> Actor:
    return Actor("slack", "T1", user, locale_hint=locale, display_name="X Y", email=email)


class Driver:
    """Answers the forms as a person would, one step after another."""

    def __init__(self, conversation: Conversation, who: Actor) -> None:
        self.conversation = conversation
        self.who = who

    async def send(self, **kw: Any) -> Outcome:
        return await self.conversation.handle(Inbound(self.who, **kw))

    async def join(self, text: str = "join") -> Outcome:
        return await self.send(kind="command", text=text)

    async def submit(self, form: Form, values: Mapping[str, FieldValue]) -> Outcome:
        return await self.send(kind="submission", ref=form.ref, values=dict(values))

    async def click(self, button: Button) -> Outcome:
        return await self.send(kind="action", action=button.action, value=button.value,
                               ref=button.ref)  # fmt: skip

    async def through(self, first: Form, answers: list[Mapping[str, FieldValue]]) -> Form:
        """Submit each answer in turn; returns the summary form the last one leads to."""
        form = first
        for values in answers:
            outcome = await self.submit(form, values)
            answer = outcome.form_answer
            assert not isinstance(answer, FieldErrors), (form.title, answer.errors)
            assert isinstance(answer, NextForm), answer
            form = answer.form
        assert form.ref.step == "summary", form.title
        return form

    async def confirm(self, summary: Form, change: str | None = None) -> Outcome:
        """*Confirm* on the summary: enrolls, or (``change``: a step) goes back to it."""
        return await self.submit(summary, {"change": change} if change else {})


def form_words(form: Form) -> str:
    """What a form says before its fields (the summary's answers, the texts to accept)."""
    return "\n".join(p.plain() for p in form.intro)
