"""Signed payloads of the wrong shape get 400 before bolt sees them, and nothing is recorded.

Slack signs what it sends, but the signature says who sent a body, not that the body has the
shape bolt's matchers and context builder assume: ``"view": null`` made bolt's
``is_view_submission`` raise, ``"user": 42`` its ``extract_user_id``; aiohttp answered 500.
Each case here is one field of a well-formed payload changed to a wrong JSON type, posted
signed over real HTTP.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest

from storage.db import Database
from tests.conftest import _migrate
from tests.fakes.slack_signing import (
    FORM,
    JSON,
    event_callback,
    interactivity_request,
    new_trigger_id,
    sign,
    slash_command_request,
)
from tests.slack.conftest import SECRET, TEAM, SlackServer
from tests.slack.samples import samples
from tests.slack.test_end_to_end import count_inbound

ALICE = "U0ALICE01"
DEADLINE = 30.0  # seconds for one test's requests (pytest-timeout is not installed here)
T = TypeVar("T")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Refused requests never reach storage engines' differences: SQLite alone is enough."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'tandem.db'}"
    asyncio.run(_migrate(url))
    return url


async def within(work: Awaitable[T]) -> T:
    return await asyncio.wait_for(work, DEADLINE)


def click() -> dict[str, Any]:
    """A click on one of our buttons, as Slack sends it."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "tandem-test"},
        "user": {"id": ALICE, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "D0A"},
        "channel": {"id": "D0ALICE01", "name": "directmessage"},
        "message": {"ts": "1700000000.000100", "text": "hi", "blocks": []},
        "response_url": "https://hooks.slack.com/actions/T0TANDEM1/1/x",
        "actions": [
            {
                "type": "button",
                "action_id": "tandem.0.help",
                "block_id": "b",
                "value": '{"r":"","v":""}',
                "action_ts": "1700000000.5",
            }
        ],
    }


def submission() -> dict[str, Any]:
    """A modal of ours submitted, as Slack sends it."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "tandem-test"},
        "user": {"id": ALICE, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "view": {
            "id": "V0FORM001",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": "tandem.form",
            "private_metadata": "join|x|profile|1",
            "hash": "1700000000.abc",
            "state": {
                "values": {
                    "goals": {"value": {"type": "plain_text_input", "value": "learn"}},
                    "skills": {
                        "value": {
                            "type": "multi_static_select",
                            "selected_options": [{"value": "seo"}],
                        }
                    },
                }
            },
            "previous_view_id": None,
            "root_view_id": "V0FORM001",
            "app_installed_team_id": TEAM,
        },
        "response_urls": [],
    }


def closed() -> dict[str, Any]:
    payload = submission()
    payload["type"] = "view_closed"
    payload["is_cleared"] = False
    return payload


def suggestion() -> dict[str, Any]:
    return {
        "type": "block_suggestion",
        "user": {"id": ALICE, "team_id": TEAM},
        "team": {"id": TEAM},
        "action_id": "value",
        "block_id": "skills",
        "value": "se",
        "view": submission()["view"],
    }


def shortcut() -> dict[str, Any]:
    return {
        "type": "shortcut",
        "team": {"id": TEAM},
        "user": {"id": ALICE, "team_id": TEAM},
        "callback_id": "tandem.shortcut",
        "trigger_id": new_trigger_id(),
    }


def dm() -> dict[str, Any]:
    return event_callback(
        {
            "type": "message",
            "channel_type": "im",
            "user": ALICE,
            "channel": "D0ALICE01",
            "text": "help",
            "ts": "1700000000.000200",
        }
    )


def attachment_click() -> dict[str, Any]:
    """A legacy attachment button (Tandem sends none; bolt still routes them)."""
    return {**shortcut(), "type": "interactive_message", "actions": [{"name": "a"}]}


def step_edit() -> dict[str, Any]:
    return {**shortcut(), "type": "workflow_step_edit", "workflow_step": {"id": "1"}}


Payload = Callable[[], dict[str, Any]]


def changed(make: Payload, path: str, value: Any) -> dict[str, Any]:
    """``make()`` with the field at dotted ``path`` set to ``value`` (``...`` deletes it)."""
    payload = make()
    *parents, last = path.split(".")
    target: Any = payload
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is ...:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = copy.deepcopy(value)
    else:
        target[last] = copy.deepcopy(value)
    return payload


# (payload, field, wrong value): the first three are issue 10's reports; those marked 500
# answered HTTP 500 before the shape check, the others 404 or 200 with a wrong record.
WRONG_INTERACTIONS = [
    (submission, "view", None),  # 500: is_view_submission: 'NoneType' is not iterable
    (submission, "view", ["x"]),  # 500: 'list' object has no attribute 'get'
    (submission, "user", 42),  # 500: extract_user_id: argument of type 'int' is not iterable
    (closed, "view", None),  # 500
    (click, "user", 42),  # 500
    (click, "team", 7),  # 500: extract_team_id
    (click, "enterprise", 7),  # 500: extract_enterprise_id
    (click, "channel", 7),  # 500: extract_channel_id
    (click, "event", None),  # 500: IgnoringSelfEvents reads body.get("event", {}).get(...)
    (click, "authorizations", "abc"),  # 500: authorizations[0] taken for a dict
    (click, "response_urls", None),  # 500: len(None) in the context builder
    (click, "actions", []),  # 500: actions[0] of an empty list
    (click, "actions", None),  # 500
    (click, "actions.0", 42),  # 500
    (click, "actions.0.action_id", 42),  # 500: our action pattern searched in an int
    (click, "user.id", ["U0ALICE01"]),
    (click, "trigger_id", {"x": 1}),
    (click, "message", "text"),
    (click, "container", 3),
    (submission, "view.callback_id", 5),
    (submission, "view.state", []),
    (submission, "view.state.values.skills.value.selected_options", 5),  # 500 in translate
    (submission, "view.state.values.goals.value.value", {"x": 1}),
    (submission, "view.private_metadata", 12),
    (submission, "user", ...),
    (suggestion, "action_id", 5),
    (suggestion, "view", "x"),
    (suggestion, "user", 3.5),  # 500
    (shortcut, "callback_id", None),
    (shortcut, "user", True),  # 500
    # Found by the signed fuzz test: bolt builds every listener argument (``action``,
    # ``step``) from these before any matcher runs; missing, they raised KeyError (500).
    (submission, "view.type", ...),
    (attachment_click, "actions", ...),
    (step_edit, "workflow_step", ...),
    # Longer than the columns they are recorded in: refused by PostgreSQL (a 500 there).
    (click, "user.id", "U" * 200),
    (click, "trigger_id", "1." * 100),
    (submission, "view.hash", "h" * 300),
]


def case_id(case: tuple[Payload, str, Any]) -> str:
    make, path, value = case
    shown = json.dumps(value) if value is not ... else "deleted"
    return f"{make.__name__}.{path}={shown if len(shown) < 24 else shown[:20] + '...'}"


@pytest.mark.parametrize("case", WRONG_INTERACTIONS, ids=case_id)
async def test_signed_interaction_of_the_wrong_shape_is_400(
    server: SlackServer, database: Database, case: tuple[Payload, str, Any]
) -> None:
    payload = changed(*case)
    response = await within(server.post(interactivity_request(SECRET, payload)))
    assert response.status == 400, await response.text()
    await within(server.settle())
    assert await count_inbound(database) == 0
    assert server.slack.calls == []


WRONG_EVENTS = [
    (dm, "event.user", 42),  # 500: extract_user_id recurses into the event
    (dm, "event.channel", 42),  # 500: extract_channel_id
    (dm, "event.type", 5),
    (dm, "event.text", ["help"]),
    (dm, "event.message", "x"),
    (dm, "authorizations", [5]),  # 500
    (dm, "authorizations.0.team_id", {"id": TEAM}),
    (dm, "team_id", 5),
    (dm, "event_id", None),
    (dm, "event.user", ...),  # a person's message with no author
    (dm, "event_id", "Ev" * 200),
    (dm, "event.user", "U" * 200),
]


@pytest.mark.parametrize("case", WRONG_EVENTS, ids=case_id)
async def test_signed_event_of_the_wrong_shape_is_400(
    server: SlackServer, database: Database, case: tuple[Payload, str, Any]
) -> None:
    body = json.dumps(changed(*case))
    response = await within(server.post(sign(SECRET, body, content_type=JSON)))
    assert response.status == 400, await response.text()
    await within(server.settle())
    assert await count_inbound(database) == 0


@pytest.mark.parametrize("missing", ["user_id", "team_id", "command", "trigger_id"])
async def test_slash_command_without_who_or_what_is_400(
    server: SlackServer, database: Database, missing: str
) -> None:
    request = slash_command_request(SECRET, text="help")
    fields = dict(pair.split("=", 1) for pair in request.body.decode().split("&"))
    del fields[missing]
    body = "&".join(f"{k}={v}" for k, v in fields.items())
    response = await within(server.post(sign(SECRET, body, content_type=FORM)))
    assert response.status == 400
    assert await count_inbound(database) == 0


async def test_the_well_formed_payloads_pass_the_check_and_are_served(
    server: SlackServer, database: Database
) -> None:
    """The check must not refuse what Slack really sends (our payloads and Slack's samples)."""
    from handlers.slack import payload_shape

    for make in (click, submission, closed, suggestion, shortcut, attachment_click, step_edit, dm):
        assert payload_shape.problem(make()) is None, make.__name__
    assert (await within(server.post(interactivity_request(SECRET, click())))).status == 200
    events = sign(SECRET, json.dumps(dm()), content_type=JSON)
    assert (await within(server.post(events))).status == 200
    command = slash_command_request(SECRET, text="help")
    assert (await within(server.post(command))).status == 200
    await within(server.settle())
    assert await count_inbound(database) == 3


def test_slack_samples_pass_the_check() -> None:
    """Slack's own samples (vendored in tests/specs/slack/samples) are accepted as they are."""
    from handlers.slack import payload_shape

    found = samples()
    assert len(found) >= 10
    for name, payload in found.items():
        form = isinstance(payload.get("command"), str) and "type" not in payload
        assert payload_shape.problem(payload, form=form) is None, name


def form_body(text: str) -> Any:
    return sign(SECRET, text, content_type=FORM)


async def test_the_guard_checks_the_payload_bolt_will_parse(
    server: SlackServer, database: Database
) -> None:
    """bolt keeps the last of repeated ``payload`` fields and reads any body starting with
    ``{`` as JSON whatever its content type: the guard used to check something else (the
    first field; the body as a form) and let a wrong shape through to bolt (500)."""
    good = "payload=" + quote(json.dumps(click()))
    bad = "payload=" + quote(json.dumps(changed(click, "user", 42)))
    smuggled = json.dumps({**changed(click, "user", 42), "x": "&command=/tandem&"})
    for text in (f"{good}&{bad}", smuggled):
        response = await within(server.post(form_body(text)))
        assert response.status == 400, text[:80]
    await within(server.settle())
    assert await count_inbound(database) == 0


async def test_a_slash_command_naming_two_people_is_400(
    server: SlackServer, database: Database
) -> None:
    request = slash_command_request(SECRET, text="help")
    twice = request.body.decode() + "&user_id=U0MALLORY"
    assert (await within(server.post(form_body(twice)))).status == 400
    assert await count_inbound(database) == 0
