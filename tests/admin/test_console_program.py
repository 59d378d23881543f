"""End to end over real HTTP: an admin creates a program with the form in the console."""

from __future__ import annotations

import re

import aiohttp
from sqlalchemy import select

from dialogs.core.conversation import Conversation, ConversationConfig
from storage.db import Database
from storage.models import Program
from tests.console.test_console_api import post
from tests.support.clock import fixed_clock
from tests.support.console import running_console, seed_people
from tests.support.driver import SETTINGS


def ref_of(form_html: str) -> str:
    found = re.search(r'data-ref="([^"]+)"', form_html)
    assert found is not None, form_html[:300]
    return found.group(1)


async def test_an_admin_creates_a_program_in_the_console(database: Database) -> None:
    people = await seed_people(database)  # Ada (English) is an admin; Bruno is not
    conversation = Conversation(
        database, ConversationConfig(admins=("ada@example.com",)), clock=fixed_clock()
    )
    async with running_console(database, conversation) as console, aiohttp.ClientSession() as http:
        send, submit = f"{console.url}/console/api/send", f"{console.url}/console/api/submit"
        _, refused = await post(http, send, {"person_id": people.bruno,
                                             "text": "admin program new"})  # fmt: skip
        assert refused["form"] is None
        _, opened = await post(http, send, {"person_id": people.ada, "text": "admin program new"})
        assert "New program" in opened["form"] and "Session length (minutes)" in opened["form"]
        first = {"person_id": people.ada, "ref": ref_of(opened["form"])}
        _, wrong = await post(
            http, submit, first | {"values": SETTINGS | {"capacity_default": "0"}}
        )
        assert wrong["answer"] == "errors"
        assert wrong["errors"] == {"capacity_default": "A number from 1 to 3."}
        _, rules = await post(http, submit, first | {"values": SETTINGS})
        assert rules["answer"] == "next" and "Career stages that can mentor" in rules["form"]
        second = {"person_id": people.ada, "ref": ref_of(rules["form"])}
        values = {"mentor_stages": ["junior"], "mentee_stages": ["executive", "director"],
                  "rules": ["cross_department", "reverse_career_order"]}  # fmt: skip
        _, done = await post(http, submit, second | {"values": values})
        assert done["answer"] == "done" and len(done["messages"]) == 1
        _, late = await post(http, submit, second | {"values": values})  # a second click
        assert late["answer"] == "done"
    async with database.unit_of_work() as session:
        programs = list(await session.scalars(select(Program)))
    assert len(programs) == 1
    program = programs[0]
    assert (program.slug, program.name, program.capacity_default) == (
        "mi-2028",
        "Mentorat <b>2028</b>",
        2,
    )
    assert program.rules["eligibility"] == {"mentor": ["junior"],
                                            "mentee": ["director", "executive"]}  # fmt: skip
    assert program.rules["cross_department"] and program.rules["reverse_career_order"]
