"""The console has no shared channels: an announcement lands in the admin's own view."""

from __future__ import annotations

import pytest

from dialogs.core.content import Paragraph
from dialogs.core.ui import Message, Section
from dialogs.notify.delivery import Unreachable
from handlers.console.channel import ConsoleChannel
from handlers.console.config import ConsoleConfig
from handlers.console.store import ConsoleStore
from storage.db import Database
from storage.models import Person


async def test_the_announcement_shows_in_the_admins_view_with_its_channel(
    database: Database,
) -> None:
    async with database.unit_of_work() as session:
        admin = Person(email="rh@acme.example", first_name="Rh", last_name="Team", locale="fr")
        session.add(admin)
        await session.flush()
        admin_id = admin.id
    store = ConsoleStore(database, ConsoleConfig(enabled=True, host="127.0.0.1"))
    call = Message((Section((Paragraph.of("Volunteers wanted"),)),), summary="Volunteers wanted")
    ref = await ConsoleChannel(store).announce(admin_id, "#general", call)
    [shown] = await store.history(admin_id)
    assert shown.message_id == ref.message_id
    assert "#general" in repr(shown.message.blocks[0])
    assert "Volunteers wanted" in repr(shown.message.blocks[1])


async def test_nobody_to_show_it_to_is_unreachable(database: Database) -> None:
    store = ConsoleStore(database, ConsoleConfig(enabled=True, host="127.0.0.1"))
    call = Message((Section((Paragraph.of("Hello"),)),), summary="Hello")
    with pytest.raises(Unreachable):
        await ConsoleChannel(store).announce("no-such-person", "#general", call)
