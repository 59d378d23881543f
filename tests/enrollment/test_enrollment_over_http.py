"""Joining the demo program end to end over real HTTP on loopback, with the real core.

Slack: a signed ``/tandem join`` opens the first modal through ``views.open``; each
``view_submission`` is built from the very view Slack holds (its ``private_metadata``,
block ids, action ids and options), answered in the ack by the next modal; the last modal
is the summary, whose *Confirm* enrolls (the ack closes the modal, a DM confirms).
The stored enrollment, availability and consents must be what the person entered. (The
same journeys through Teams cards and the console's page reuse the seed and the checks.)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import time
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from handlers.slack import render
from storage.db import Database
from storage.demo import seed_demo
from storage.models import Consent, Enrollment, Person, Program
from tests.fakes.fixtures import fake_slack
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import interactivity_request, new_trigger_id, slash_command_request
from tests.fakes.slack_spec import check_view
from tests.slack.conftest import SECRET, TEAM, SlackServer, start_server
from tests.support.clock import T0

__all__ = ["fake_slack"]
Answers = Mapping[str, str | tuple[str, ...]]
PROGRAM = "mentorat-inverse"
# A leader in Montréal, French-speaking (mentee), and a young engineer in Singapore (mentor).
MARC = FakeUser("U0MARC001", "marc-andre", "marc-andre.gagnon@tandem-demo.example",
                "America/Montreal", "fr-FR", "Marc-André Gagnon")  # fmt: skip
DARREN = FakeUser("U0DARREN1", "darren", "darren.ong@tandem-demo.example",
                  "Asia/Singapore", "en-US", "Darren Ong")  # fmt: skip


async def seed(database: Database) -> None:
    """The demo organisation; its enrollment deadline lifted so the test never expires."""
    await seed_demo(database, T0)
    async with database.unit_of_work() as session:
        await session.execute(
            update(Program).where(Program.slug == PROGRAM).values(enrollment_closes_on=None)
        )


@pytest.fixture
async def demo_server(database: Database, fake_slack: FakeSlack) -> AsyncIterator[SlackServer]:
    await seed(database)
    for user in (MARC, DARREN):
        fake_slack.add_user(user)
    async for running in start_server(database, fake_slack):
        yield running


# -- what a person does in Slack's modal --------------------------------------------------


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    found = [o for o in element.get("options", ()) if o["value"] == value]
    assert found, f"{value!r} is not offered in {element.get('action_id')}"
    return dict(found[0])


def _state(element: dict[str, Any], answer: str | tuple[str, ...] | None) -> dict[str, Any]:
    """The element's state after a person typed/chose ``answer`` (None: left as shown)."""
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind == "plain_text_input":
        state["value"] = element.get("initial_value") if answer is None else answer
    elif kind == "static_select":
        chosen = element.get("initial_option") if answer is None else _option(element, str(answer))
        state["selected_option"] = chosen
    elif kind in {"multi_static_select", "checkboxes"}:
        values = answer if isinstance(answer, tuple) else (str(answer),)
        state["selected_options"] = (
            element.get("initial_options") or []
            if answer is None
            else [_option(element, v) for v in values]
        )
    else:
        raise AssertionError(f"this test does not fill {kind} elements")
    return state


def filled(view: dict[str, Any], answers: Answers) -> dict[str, Any]:
    """``view.state.values`` as Slack sends it: every input block, by block and action id."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        values[block["block_id"]] = {
            element["action_id"]: _state(element, answers.get(block["block_id"]))
        }
    unknown = set(answers) - set(values)
    assert not unknown, f"no such fields in {view['title']['text']!r}: {unknown}"
    return values


def submission(user: str, view: dict[str, Any], answers: Answers) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "tandem-test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "view": {**view, "state": {"values": filled(view, answers)}},
    }


def click(user: str, channel: str, message: dict[str, Any], action: str) -> dict[str, Any]:
    """A ``block_actions`` for the button of ``message`` whose action is ``action``.

    (Slack names blocks sent without a ``block_id`` itself: any id will do.)"""
    for block in message["blocks"]:
        for element in block.get("elements", ()):
            action_id = str(element.get("action_id", ""))
            if action_id.startswith(render.ACTION_PREFIX) and action_id.endswith("." + action):
                return {
                    "type": "block_actions",
                    "team": {"id": TEAM, "domain": "tandem-test"},
                    "user": {"id": user, "team_id": TEAM},
                    "api_app_id": "A0TANDEM1",
                    "trigger_id": new_trigger_id(),
                    "container": {"type": "message", "message_ts": message["ts"],
                                  "channel_id": channel, "is_ephemeral": False},
                    "channel": {"id": channel},
                    "message": message,
                    "actions": [{"type": "button", "action_id": action_id,
                                 "block_id": block.get("block_id", "sLk"), "value": element.get("value", ""),
                                 "action_ts": f"{message['ts']}1"}],
                }  # fmt: skip
    raise AssertionError(f"no {action!r} button in the message")


async def enroll_in_slack(
    server: SlackServer, user: FakeUser, command: str, steps: list[Answers]
) -> list[dict[str, Any]]:
    """Run the whole journey up to the summary and *Confirm* it; returns every modal shown,
    in order (the summary last)."""
    shown = await fill_in_slack(server, user, command, steps)
    ack = await submit_view(server, user, shown[-1], {})  # Confirm
    assert ack == {"response_action": "clear"}, ack  # the modal closes: the DM confirms
    await server.settle()
    assert server.slack.violations == []
    return shown


async def fill_in_slack(
    server: SlackServer, user: FakeUser, command: str, steps: list[Answers]
) -> list[dict[str, Any]]:
    """Open the form and answer ``steps``; returns every modal shown, the summary last."""
    slack = server.slack
    opened = await server.post(slash_command_request(SECRET, text=command, user_id=user.id))
    assert opened.status == 200
    await server.settle()
    assert len(slack.calls_to("views.open")) == 1
    [view] = [v for v in slack.views.values() if v["type"] == "modal"]  # as Slack holds it
    shown = [view]
    for answers in steps:
        ack = await submit_view(server, user, view, answers)
        assert ack.get("response_action") == "update", (view["title"], ack)
        assert check_view(ack["view"]) == []
        # Slack keeps the view's id and gives the updated view a new hash.
        view = {**ack["view"], "id": view["id"], "hash": uuid.uuid4().hex[:20]}
        shown.append(view)
    await server.settle()
    return shown


async def submit_view(
    server: SlackServer, user: FakeUser, view: dict[str, Any], answers: Answers
) -> dict[str, Any]:
    """A signed ``view_submission`` of ``view`` filled with ``answers``; the ack's body."""
    signed = interactivity_request(SECRET, submission(user.id, view, answers))
    response = await server.http.post(
        server.url + "/slack/events", data=signed.body, headers=signed.headers
    )
    assert response.status == 200
    text = await response.text()
    return dict(json.loads(text)) if text else {}


def posted_texts(slack: FakeSlack) -> str:
    return " ".join(str(c.args.get("text")) for c in slack.calls_to("chat.postMessage"))


# -- what must be stored ------------------------------------------------------------------


async def stored(database: Database, email: str) -> tuple[Enrollment, list[tuple[Any, ...]]]:
    async with database.unit_of_work() as session:
        person = await session.scalar(select(Person).where(Person.email == email))
        assert person is not None
        enrollment = await session.scalar(
            select(Enrollment)
            .join(Program)
            .where(Enrollment.person_id == person.id, Program.slug == PROGRAM)
            .options(selectinload(Enrollment.availability))
        )
        assert enrollment is not None, f"{email} is not enrolled"
        consents = await session.scalars(
            select(Consent).where(Consent.person_id == person.id).order_by(Consent.text_kind)
        )
        return enrollment, [(c.text_kind, c.text_version, c.locale) for c in consents]


def windows(enrollment: Enrollment) -> list[tuple[int, time, time, str]]:
    return sorted((w.weekday, w.start, w.end, w.timezone) for w in enrollment.availability)


LEADER_STEPS: list[Answers] = [
    {"role": "mentee"},  # the job title stays as prefilled from the HR import
    {"wanted": ("generative_ai", "data_analysis"), "offers_back": ("strategy", "network"),
     "goals": "Comprendre l'IA générative pour mon comité de direction."},
    {"wanted.generative_ai": "1", "wanted.data_analysis": "2"},
    {"days": ("1", "3"), "start": "08:30", "end": "09:30", "cadence": "monthly",
     "languages": ("fr", "en"), "format": "in_person", "location": "Bureau de Montréal, 5e"},
    {"charter": ("accept",), "privacy": ("accept",)},
]  # fmt: skip


async def check_leader_enrolled(database: Database) -> None:
    """What ``LEADER_STEPS`` must have stored for Marc-André, whatever the channel."""
    enrollment, consents = await stored(database, MARC.email)
    assert (enrollment.role, enrollment.status) == ("mentee", "active")
    assert enrollment.skills_wanted == [
        {"skill": "generative_ai", "level": 1},
        {"skill": "data_analysis", "level": 2},
    ]
    assert enrollment.skills_offered == [] and enrollment.offers_back == ["strategy", "network"]
    assert enrollment.goals == "Comprendre l'IA générative pour mon comité de direction."
    assert (enrollment.format, enrollment.location) == ("in_person", "Bureau de Montréal, 5e")
    assert enrollment.languages == ["fr", "en"] and enrollment.preferred_cadence == "monthly"
    assert enrollment.capacity == 0 and enrollment.motivation is None
    assert windows(enrollment) == [
        (1, time(8, 30), time(9, 30), "America/Montreal"),
        (3, time(8, 30), time(9, 30), "America/Montreal"),
    ]
    assert consents == [("charter", 1, "fr"), ("privacy", 1, "fr")]


async def test_a_leader_joins_in_french_through_slack_modals(
    demo_server: SlackServer, database: Database
) -> None:
    shown = await enroll_in_slack(demo_server, MARC, "rejoindre", LEADER_STEPS)

    titles = [view["title"]["text"] for view in shown]
    assert titles == ["Inscription : 1/5", "Inscription : 2/5", "Inscription : 3/5",
                      "Inscription : 4/5", "Inscription : 5/5", "Vérifiez vos réponses"]  # fmt: skip
    assert shown[-1]["submit"]["text"] == "Confirmer"
    await check_leader_enrolled(database)
    assert "Vous êtes inscrit" in posted_texts(demo_server.slack)


MENTOR_STEPS: list[Answers] = [
    {"role": "mentor", "title": "Senior Account Executive"},
    {"offered": ("social_media", "generative_ai"), "goals": "Help a leader feel at ease."},
    {"offered.social_media": "5", "offered.generative_ai": "4"},
    {"days": ("0", "4"), "start": "17:00", "end": "18:00", "cadence": "weekly",
     "languages": ("en",), "format": "remote", "location": "", "capacity": "2",
     "motivation": "I enjoy explaining tools to people who never had time for them."},
    {"charter": ("accept",), "privacy": ("accept",)},
]  # fmt: skip


async def check_mentor_enrolled(database: Database) -> None:
    """What ``MENTOR_STEPS`` must have stored for Darren, whatever the channel."""
    enrollment, consents = await stored(database, DARREN.email)
    assert (enrollment.role, enrollment.status) == ("mentor", "active")
    assert enrollment.skills_offered == [
        {"skill": "social_media", "level": 5},
        {"skill": "generative_ai", "level": 4},
    ]
    assert enrollment.skills_wanted == [] and enrollment.offers_back == []
    assert (enrollment.capacity, enrollment.format, enrollment.location) == (2, "remote", None)
    assert enrollment.motivation == MENTOR_STEPS[3]["motivation"]
    assert enrollment.languages == ["en"] and enrollment.preferred_cadence == "weekly"
    assert windows(enrollment) == [
        (0, time(17), time(18), "Asia/Singapore"),
        (4, time(17), time(18), "Asia/Singapore"),
    ]
    assert consents == [("charter", 1, "en"), ("privacy", 1, "en")]
    async with database.unit_of_work() as session:
        person = await session.scalar(select(Person).where(Person.email == DARREN.email))
        assert person is not None and person.title == "Senior Account Executive"


async def test_a_young_engineer_joins_in_english_through_slack_modals(
    demo_server: SlackServer, database: Database
) -> None:
    shown = await enroll_in_slack(demo_server, DARREN, "join", MENTOR_STEPS)

    assert shown[0]["title"]["text"] == "Join: 1/5"
    assert (shown[-1]["title"]["text"], shown[-1]["submit"]["text"]) == (
        "Check your answers",
        "Confirm",
    )
    role = next(b for b in shown[0]["blocks"] if b.get("block_id") == "role")
    assert [o["value"] for o in role["element"]["options"]] == ["mentor"]  # a mentor only
    await check_mentor_enrolled(database)


async def test_the_summary_is_the_last_modal_and_only_confirm_enrolls(
    demo_server: SlackServer, database: Database
) -> None:
    """Nothing is saved before Confirm; a part can be changed first, nothing lost."""
    shown = await fill_in_slack(demo_server, DARREN, "join", MENTOR_STEPS)
    summary = shown[-1]
    said = " ".join(b["text"]["text"] for b in summary["blocks"] if b["type"] == "section")
    assert "Social media (5 · Expert)" in said and "Charter, Privacy notice" in said
    async with database.unit_of_work() as session:
        darren = select(Person.id).where(Person.email == DARREN.email).scalar_subquery()
        mine = select(func.count()).select_from(Enrollment).where(Enrollment.person_id == darren)
        assert await session.scalar(mine) == 0
    back = await submit_view(demo_server, DARREN, summary, {"change": "skills"})
    assert back["response_action"] == "update" and back["view"]["title"]["text"] == "Join: 2/5"
    offered = next(b for b in back["view"]["blocks"] if b.get("block_id") == "offered")
    assert [o["value"] for o in offered["element"]["initial_options"]] == [
        "social_media", "generative_ai",
    ]  # fmt: skip
    view = {**back["view"], "id": summary["id"], "hash": uuid.uuid4().hex[:20]}
    for answers in MENTOR_STEPS[1:]:
        ack = await submit_view(demo_server, DARREN, view, answers)
        view = {**ack["view"], "id": summary["id"], "hash": uuid.uuid4().hex[:20]}
    assert view["title"]["text"] == "Check your answers"
    assert await submit_view(demo_server, DARREN, view, {}) == {"response_action": "clear"}
    await demo_server.settle()
    await check_mentor_enrolled(database)
    assert "You are enrolled" in posted_texts(demo_server.slack)
    assert demo_server.slack.violations == []
