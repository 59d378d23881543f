"""Searchable selects answer at any replica, and their option lists expire.

A modal's long lists (over 100 options, e.g. the time zones of the profile form) are served
by the options endpoint as the person types. Slack may send that request to another replica
than the one that opened the modal: two app instances on one database here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from storage.db import Database
from storage.form_options import KEEP_FOR, keep_options, kept_options
from storage.models import FormOption
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import interactivity_request
from tests.slack.conftest import SECRET, TEAM, SlackServer, start_server
from tests.slack.test_recovery import profile_edit_click

ALICE = "U0ALICE01"  # as in profile_edit_click
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def suggestion(metadata: str, field: str, typed: str) -> dict[str, Any]:
    """What Slack sends as the person types in a searchable select of our modal."""
    return {
        "type": "block_suggestion",
        "team": {"id": TEAM},
        "user": {"id": ALICE, "team_id": TEAM},
        "action_id": "value",
        "block_id": field,
        "value": typed,
        "view": {
            "id": "V0FORM001",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": "tandem.form",
            "private_metadata": metadata,
            "hash": "1700000000.abc",
            "state": {"values": {}},
        },
    }


async def suggested(server: SlackServer, metadata: str, field: str, typed: str) -> list[str]:
    request = interactivity_request(SECRET, suggestion(metadata, field, typed))
    response = await server.post(request)
    assert response.status == 200
    answer = await response.json()
    return [option["text"]["text"] for option in answer.get("options", [])]


async def test_a_form_opened_at_one_replica_gets_suggestions_at_another(
    server: SlackServer, database: Database, fake_slack: FakeSlack
) -> None:
    assert (await server.post(interactivity_request(SECRET, profile_edit_click()))).status == 200
    await server.settle()
    [opened] = [c for c in fake_slack.calls_to("views.open") if c.answer and c.answer["ok"]]
    metadata = opened.answer["view"]["private_metadata"]
    assert metadata.startswith("profile|")
    async for other in start_server(database, fake_slack):  # another replica
        assert await suggested(other, metadata, "timezone", "paris") == ["Paris"]  # its city
        montreal = await suggested(other, metadata, "timezone", "montr")
        assert montreal == ["Montreal"]
        assert await suggested(other, "profile|nope|basics|1", "timezone", "paris") == []
    assert fake_slack.violations == []


async def test_option_lists_expire_and_go(database: Database) -> None:
    zones = [("Europe/Paris", "Europe/Paris"), ("Asia/Tokyo", "Asia/Tokyo")]
    async with database.unit_of_work() as session:
        await keep_options(session, "profile|a|basics|1", {"timezone": zones}, now=NOW)
    async with database.unit_of_work() as session:
        assert await kept_options(session, "profile|a|basics|1", "timezone", now=NOW) == tuple(
            zones
        )
        assert await kept_options(session, "profile|a|basics|1", "title", now=NOW) == ()
        later = NOW + KEEP_FOR + timedelta(seconds=1)
        assert await kept_options(session, "profile|a|basics|1", "timezone", now=later) == ()
    async with database.unit_of_work() as session:  # the next form kept clears the old one
        await keep_options(session, "profile|b|basics|1", {"timezone": zones}, now=later)
    async with database.unit_of_work() as session:
        keys = (await session.execute(select(FormOption.form_key))).scalars().all()
        assert keys == ["profile|b|basics|1"]


async def test_the_same_form_kept_again_is_refreshed_not_doubled(database: Database) -> None:
    async with database.unit_of_work() as session:
        await keep_options(session, "k", {"f": [("a", "A")]}, now=NOW)
    async with database.unit_of_work() as session:
        await keep_options(session, "k", {"f": [("b", "B")]}, now=NOW + timedelta(hours=20))
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(FormOption)) == 1
        # Refreshed: still there past the first expiry.
        later = NOW + KEEP_FOR + timedelta(hours=1)
        assert await kept_options(session, "k", "f", now=later) == (("b", "B"),)
