"""Admin-only buttons and flows are declared on their Feature and refused by the core: a
non-admin gets the refusal in their language, ``admin.refused`` is audited, nothing else
changes. Through the real core, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dialogs.capabilities import FEATURES
from dialogs.core.events import Inbound
from dialogs.core.ui import ActionRef, Done
from storage.db import Database
from storage.dialog_states import start_flow
from storage.models import AuditEvent, Base
from storage.people.identities import PlatformUser, resolve_person
from tests.admin.test_programs import create
from tests.support.driver import Driver, admin, someone
from tests.support.messages import words

ADMIN_ACTIONS = sorted(a for feature in FEATURES for a in feature.admin_actions)
ADMIN_FLOWS = sorted(f for feature in FEATURES for f in feature.admin_flows)
ADMIN_COMMANDS = sorted(
    c for feature in FEATURES for c in feature.commands if c.startswith("admin ")
)

# The button actions whose handlers checked ``ctx.is_admin`` by hand before issue 9.
HAND_CHECKED_ACTIONS = {
    "stages:add", "stages:move", "stages:rename",  # dialogs/programs/stages.py reopen
    "programs:texts_pick", "programs:texts_edit",  # dialogs/programs/texts.py
    "programs:skills_add", "programs:skills_rename", "programs:skills_retire",
    "programs:new", "programs:edit", "programs:pick", "programs:admin-add",
    "announce:pick",
    "matching:run", "matching:send", "matching:review",
    "participation:invite",
}  # fmt: skip
# The flows only admins open: their forms must not be submitted by someone who is not one.
ADMIN_ONLY_FLOWS = {
    "program_new", "program_edit", "program_admin_add", "program_text",
    "skill_add", "skill_rename", "skill_retire",
    "stage_add", "stage_move", "stage_rename",
    "invite",
}  # fmt: skip
REFUSAL_FR = "réservée aux administrateurs"


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit trail, in a stable order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with database.unit_of_work() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == AuditEvent.__tablename__:
                continue
            result = await session.execute(select(table))
            rows[table.name] = sorted((tuple(r) for r in result), key=repr)
    return rows


async def audit(database: Database) -> list[tuple[str, dict[str, Any]]]:
    async with database.unit_of_work() as session:
        events = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, dict(e.details or {})) for e in events]


async def ready(database: Database) -> Driver:
    """A program exists (a handler let through would have something to change) and the
    non-admin is known."""
    driver = Driver(database)
    await create(driver)
    await driver.say(someone(), "aide")
    return driver


def test_the_hand_checked_actions_and_admin_flows_are_declared() -> None:
    assert set(ADMIN_ACTIONS) >= HAND_CHECKED_ACTIONS
    assert set(ADMIN_FLOWS) >= ADMIN_ONLY_FLOWS
    assert len(ADMIN_ACTIONS) == len(set(ADMIN_ACTIONS))
    # Reading and accepting a published text, answering a proposal: everyone's.
    everyone = {"programs:texts_review", "programs:texts_accept", "enrollment:join"}
    assert not everyone & set(ADMIN_ACTIONS)


def test_no_handler_checks_is_admin_by_hand() -> None:
    """Whether someone is an admin is the core's check; handlers keep ``administers``."""
    root = Path(__file__).resolve().parents[2] / "dialogs"
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        if path.parent.name != "core"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bis_admin\b", line) and "help_message" not in line
    ]
    assert found == []


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
async def test_a_non_admin_clicking_an_admin_button_is_refused(
    database: Database, action: str
) -> None:
    driver = await ready(database)
    before, trail = await snapshot(database), await audit(database)
    answer = await driver.conversation.handle(
        Inbound(someone(), "action", action=action, value="edit:mi-2028")
    )
    assert REFUSAL_FR in words(answer), words(answer)
    assert answer.form is None and not answer.close_source
    assert await audit(database) == [*trail, ("admin.refused", {"action": action})]
    assert await snapshot(database) == before


@pytest.mark.parametrize("flow", ADMIN_FLOWS)
async def test_a_non_admin_with_an_admin_form_open_cannot_submit_it(
    database: Database, flow: str
) -> None:
    """Someone who stopped being an admin with the form still open: refused, kept as is."""
    driver = await ready(database)
    definition = driver.conversation.engine.flows[flow]
    async with database.unit_of_work() as session:
        person = await resolve_person(
            session,
            PlatformUser("slack", "T1", "U8", "Léo Dupont", None, None, "fr-FR"),
            trust_email=True,
        )
        assert person is not None
        instance = await start_flow(
            session, person.id, flow, definition.first_step, dict(definition.example)
        )
    ref = ActionRef(flow, instance.id, instance.step, instance.version)
    before, trail = await snapshot(database), await audit(database)
    submitted = await driver.conversation.handle(
        Inbound(someone(), "submission", ref=ref, values={"name": "x", "slug": "x"})
    )
    assert isinstance(submitted.form_answer, Done)
    assert REFUSAL_FR in words(submitted.form_answer.message)
    clicked = await driver.conversation.handle(
        Inbound(someone(), "action", action="confirm", value="x", ref=ref)
    )
    assert REFUSAL_FR in words(clicked) and not clicked.close_source
    assert await audit(database) == [
        *trail,
        ("admin.refused", {"flow": flow}),
        ("admin.refused", {"action": "confirm", "flow": flow}),
    ]
    assert await snapshot(database) == before


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_a_non_admin_typing_an_admin_command_is_refused(
    database: Database, command: str
) -> None:
    driver = await ready(database)
    before, trail = await snapshot(database), await audit(database)
    answer = await driver.say(someone(), command)
    assert REFUSAL_FR in words(answer)
    assert await audit(database) == [
        *trail,
        ("admin.refused", {"command": command.removeprefix("admin ")}),
    ]
    assert await snapshot(database) == before


async def test_an_admin_clicking_an_admin_button_is_let_through(database: Database) -> None:
    driver = await ready(database)
    answer = await driver.conversation.handle(
        Inbound(admin(), "action", action="programs:pick", value="show:mi-2028")
    )
    assert REFUSAL_FR not in words(answer) and "mi-2028" in words(answer)
    assert ("admin.refused", {"action": "programs:pick"}) not in await audit(database)
