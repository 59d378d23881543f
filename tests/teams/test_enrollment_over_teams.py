"""Joining the demo program end to end through Teams, with the real core, over real HTTP.

A Teams user of the allowed tenant, whose member record (asked of the fake connector)
carries the email of a person imported from the HRIS, types ``join`` to ``/api/messages``
(signed by the fake OpenID issuer). The first form arrives as an Adaptive Card posted in
their 1:1 chat; each step is submitted as the ``adaptiveCard/action`` invoke Teams sends
for that very card's ``Action.Execute`` (its verb and data, every input's value merged
in), and the invoke answer is the card that replaces it: the next step, then the summary
form, whose *Confirm* is submitted the same way. The stored enrollment and consents must
be what was entered, as in the Slack journey of ``tests/enrollment/test_enrollment_over_http``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.models import Person, PlatformIdentity
from tests.enrollment.test_enrollment_over_http import (
    DARREN,
    LEADER_STEPS,
    MARC,
    MENTOR_STEPS,
    Answers,
    check_leader_enrolled,
    check_mentor_enrolled,
    seed,
)
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.fakes.slack_directory import FakeUser
from tests.teams.cards import bearer, buttons, card_of, click, inputs, texts
from tests.teams.conftest import TENANT, RunningBot, activity

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
FORM_VERB = "tandem.form.submit"


class TeamsUser:
    """A person in their Teams client: types in the 1:1 chat, fills and submits cards."""

    def __init__(
        self,
        bot: RunningBot,
        issuer: FakeOpenIdIssuer,
        connector: FakeBotConnector,
        who: FakeUser,
    ) -> None:
        self.bot, self.issuer, self.connector, self.who = bot, issuer, connector, who
        self.member_id = f"29:{who.id}"
        self.chat = f"a:{who.id}-1on1"
        # What Teams' connector answers about the member: the email the HRIS import knows.
        connector.members[self.member_id] = {
            "id": self.member_id, "name": who.real_name, "aadObjectId": self.aad_id,
            "email": who.email, "userPrincipalName": who.email,
        }  # fmt: skip

    @property
    def aad_id(self) -> str:
        return f"aad-{self.who.id}"

    def _activity(self, **fields: Any) -> dict[str, Any]:
        return activity(
            self.connector.service_url,
            locale=self.who.locale,
            conversation={"id": self.chat, "conversationType": "personal", "tenantId": TENANT},
            entities=[{"type": "clientInfo", "locale": self.who.locale, "timezone": self.who.tz}],
            **{"from": {"id": self.member_id, "name": self.who.real_name, "aadObjectId": self.aad_id}},
            **fields,
        )  # fmt: skip

    async def says(self, text: str) -> dict[str, Any]:
        """Type in the 1:1 chat; returns the card the bot posted there in answer."""
        before = len(self.connector.sent_to(self.chat))
        status, _ = await self.bot.post(
            self._activity(text=text), headers=bearer(self.issuer, self.connector)
        )
        assert status == 200
        posted = self.connector.sent_to(self.chat)[before:]
        assert len(posted) == 1, posted
        return card_of(posted[0])

    async def clicks(
        self, pressed: dict[str, Any], typed: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Press an ``Action.Execute``; returns the card Teams shows in place of this one."""
        body = click(self.connector.service_url, pressed, typed)
        body = {**self._activity(), **{k: body[k] for k in ("type", "name", "value", "replyToId")}}
        status, answer = await self.bot.post(body, headers=bearer(self.issuer, self.connector))
        assert status == 200 and answer["type"] == ADAPTIVE_CARD, answer
        card: dict[str, Any] = answer["value"]
        return card

    async def submits(self, form: dict[str, Any], answers: Answers) -> dict[str, Any]:
        """Fill the form's inputs (the others keep what the card shows) and submit it."""
        [submit] = [b for b in buttons(form) if b["verb"] == FORM_VERB]
        return await self.clicks(submit, filled(form, answers))


def filled(form: dict[str, Any], answers: Answers) -> dict[str, str]:
    """Every input's value as Teams sends it: text, multi-selects comma-separated."""
    shown = inputs(form)
    unknown = set(answers) - set(shown)
    assert not unknown, f"no such inputs in {texts(form).splitlines()[0]!r}: {unknown}"
    values: dict[str, str] = {}
    for name, element in shown.items():
        answer = answers.get(name)
        if answer is None:
            values[name] = str(element.get("value", ""))
            continue
        chosen = answer if isinstance(answer, tuple) else (answer,)
        if element["type"] == "Input.ChoiceSet":
            offered = {c["value"] for c in element["choices"]}
            assert set(chosen) <= offered, f"{chosen} not all offered in {name}"
            if not element.get("isMultiSelect"):
                assert len(chosen) == 1, f"{name} takes one choice"
        values[name] = ",".join(chosen)
    return values


async def enroll_in_teams(
    user: TeamsUser, command: str, steps: list[Answers]
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """The whole journey: every form shown, the summary form, and the confirmation card."""
    form = await user.says(command)
    shown = [form]
    for answers in steps:
        answer = await user.submits(form, answers)
        assert any(b["verb"] == FORM_VERB for b in buttons(answer)), texts(answer)
        form = answer
        shown.append(form)
    summary = shown.pop()
    confirmation = await user.submits(summary, {})  # Confirm, the summary's own button
    # The answered card offers no Confirm again, only a way to change the answers later.
    assert [b["verb"] for b in buttons(confirmation)] == ["enrollment:join"]
    assert user.connector.violations == []
    return shown, summary, confirmation


def title(card: dict[str, Any]) -> str:
    return texts(card).splitlines()[0]


async def linked_email(database: Database, who: TeamsUser) -> str | None:
    """The email of the person the Teams identity belongs to."""
    async with database.unit_of_work() as session:
        email: str | None = (
            await session.execute(
                select(Person.email)
                .join(PlatformIdentity, Person.id == PlatformIdentity.person_id)
                .where(PlatformIdentity.platform == "teams", PlatformIdentity.user_id == who.aad_id)
            )
        ).scalar_one()
        return email


async def test_a_leader_joins_in_french_through_teams_cards(
    real_bot: RunningBot,
    database: Database,
    openid_issuer: FakeOpenIdIssuer,
    fake_connector: FakeBotConnector,
) -> None:
    await seed(database)
    marc = TeamsUser(real_bot, openid_issuer, fake_connector, MARC)
    shown, summary, confirmation = await enroll_in_teams(marc, "rejoindre", LEADER_STEPS)

    assert [title(form) for form in shown] == [
        "Inscription : 1/5", "Inscription : 2/5", "Inscription : 3/5",
        "Inscription : 4/5", "Inscription : 5/5",
    ]  # fmt: skip
    assert inputs(shown[0])["title"]["value"] == "Directeur des systèmes d'information"
    assert title(summary) == "Vérifiez vos réponses"
    assert [b["title"] for b in buttons(summary)] == [
        "Retour",
        "Confirmer",
    ]  # Back: the step before
    assert "Vous êtes inscrit" in texts(confirmation)
    assert (
        await linked_email(database, marc) == MARC.email
    )  # linked to the imported person through the member's email

    await check_leader_enrolled(database)

    # The same confirmation once more (a double click): nothing is enrolled twice.
    late = await marc.submits(summary, {})
    assert texts(late) == "Vous avez déjà répondu : rien n’a été modifié."
    await check_leader_enrolled(database)


async def test_a_young_engineer_joins_in_english_through_teams_cards(
    real_bot: RunningBot,
    database: Database,
    openid_issuer: FakeOpenIdIssuer,
    fake_connector: FakeBotConnector,
) -> None:
    await seed(database)
    darren = TeamsUser(real_bot, openid_issuer, fake_connector, DARREN)
    shown, summary, confirmation = await enroll_in_teams(darren, "join", MENTOR_STEPS)

    assert [title(form) for form in shown] == [f"Join: {n}/5" for n in range(1, 6)]
    role = inputs(shown[0])["role"]
    assert [c["value"] for c in role["choices"]] == ["mentor"]  # a mentor only
    assert title(summary) == "Check your answers"
    assert [b["title"] for b in buttons(summary)] == ["Back", "Confirm"]
    assert "You are enrolled" in texts(confirmation)

    await check_mentor_enrolled(database)
