"""The console's conversations in the database: who can be chosen, and each person's messages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dialogs.core.content import Paragraph, UserText
from dialogs.core.ui import Actions, Button, Message, Section
from handlers.console.codec import decode_message, encode_message
from handlers.console.config import ConsoleConfig
from storage.db import Database
from storage.models import MessageRef, Person, PlatformIdentity
from storage.models.console import ConsoleMessage
from storage.people.admins import admins_among
from storage.types import new_opaque_id, utcnow

PLATFORM = "console"
HISTORY_LIMIT = 200
PEOPLE_LIMIT = 500


@dataclass(frozen=True)
class ConsolePerson:
    id: str
    name: str
    email: str | None
    locale: str | None
    timezone: str | None
    title: str | None
    admin: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "title": self.title,
            "locale": self.locale,
            "admin": self.admin,
        }


@dataclass(frozen=True)
class StoredMessage:
    message_id: str
    author: str
    locale: str
    message: Message
    created_at: datetime
    changed_at: datetime  # the later of its last update and of its disabling
    answered: bool


def typed_message(text: str) -> Message:
    """What a person typed, kept as inert content."""
    return Message(blocks=(Section((Paragraph((UserText(text),)),)),), summary=text)


def with_choice(message: Message, chosen: tuple[str, str]) -> Message:
    """The card as answered: the clicked button is the highlighted one (after choosing
    English, the language card shows English, not the language it was sent in)."""

    def restyled(button: Button) -> Button:
        if (button.action, button.value) == chosen:
            return replace(button, style="primary")
        return replace(button, style="default") if button.style == "primary" else button

    blocks = tuple(
        Actions(tuple(restyled(b) for b in block.buttons)) if isinstance(block, Actions) else block
        for block in message.blocks
    )
    return replace(message, blocks=blocks)


def first_flow_instance(message: Message) -> str | None:
    for block in message.blocks:
        if isinstance(block, Actions):
            for button in block.buttons:
                if button.ref is not None:
                    return button.ref.instance_id
    return None


class ConsoleStore:
    # Its writes take SQLite's write lock at BEGIN: a deferred transaction that reads and
    # then writes fails at once ("database is locked", no busy wait) when another
    # connection committed in between, as the queue's deliveries do right after a click.
    def __init__(self, database: Database, config: ConsoleConfig) -> None:
        self.database = database
        self.config = config

    async def people(self, query: str = "") -> list[ConsolePerson]:
        """Everyone who can be chosen (active, not erased), admins flagged, by name."""
        statement = select(Person).where(Person.erased_at.is_(None), Person.active.is_(True))
        if query:
            like = f"%{query.lower()}%"
            statement = statement.where(
                or_(
                    func.lower(Person.first_name).like(like),
                    func.lower(Person.last_name).like(like),
                    func.lower(Person.email).like(like),
                )
            )
        statement = statement.order_by(Person.first_name, Person.last_name, Person.id)
        async with self.database.unit_of_work() as session:
            persons = (await session.scalars(statement.limit(PEOPLE_LIMIT))).all()
            ids = [p.id for p in persons]
            admin_ids = await admins_among(session, ids, self.config.admins)
        return [self._person(p, p.id in admin_ids) for p in persons]

    async def person(self, person_id: str) -> ConsolePerson | None:
        async with self.database.unit_of_work() as session:
            found = await session.get(Person, person_id)
            if found is None or found.erased_at is not None or not found.active:
                return None
            admin = bool(await admins_among(session, [person_id], self.config.admins))
        return self._person(found, admin)

    def _person(self, person: Person, admin: bool) -> ConsolePerson:
        """``admin``: as ``storage.people.admins`` decides for commands and notifications."""
        return ConsolePerson(
            id=person.id,
            name=person.display_name,
            email=person.email,
            locale=person.locale,
            timezone=person.timezone,
            title=person.title,
            admin=admin,
        )

    async def ensure_identity(self, person: ConsolePerson) -> None:
        """The person's console identity, created on first use (a no-op afterwards)."""
        async with self.database.unit_of_work(immediate=True) as session:
            insert = pg_insert if self.database.dialect == "postgresql" else sqlite_insert
            now = utcnow()
            await session.execute(
                insert(PlatformIdentity)
                .values(
                    person_id=person.id,
                    platform=PLATFORM,
                    tenant_id=self.config.tenant_id,
                    user_id=person.id,
                    display_name=person.name,
                    email=person.email,
                    reachable=True,
                    last_seen_at=now,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["platform", "tenant_id", "user_id"])
            )

    async def append(
        self, person_id: str, message: Message, locale: str, *, author: str = "bot"
    ) -> str:
        """Add a message to the person's conversation; its id is the console MessageRef's."""
        message_id = new_opaque_id()
        now = utcnow()
        async with self.database.unit_of_work(immediate=True) as session:
            session.add(
                ConsoleMessage(
                    message_id=message_id,
                    person_id=person_id,
                    author=author,
                    locale=locale,
                    payload=encode_message(message),
                    created_at=now,
                    updated_at=now,
                )
            )
            if author == "bot":
                session.add(
                    MessageRef(
                        person_id=person_id,
                        platform=PLATFORM,
                        conversation_id=person_id,
                        message_id=message_id,
                        flow_instance_id=first_flow_instance(message),
                        created_at=now,
                    )
                )
        return message_id

    async def replace(self, message_id: str, message: Message) -> bool:
        """Show ``message`` in place of an earlier one; False if there is no such message."""
        async with self.database.unit_of_work(immediate=True) as session:
            result = await session.execute(
                update(ConsoleMessage)
                .where(ConsoleMessage.message_id == message_id, ConsoleMessage.author == "bot")
                .values(payload=encode_message(message), updated_at=utcnow(), answered_at=None)
                .execution_options(synchronize_session=False)
            )
        return getattr(result, "rowcount", 0) == 1

    async def mark_answered(self, message_id: str, chosen: tuple[str, str] | None = None) -> None:
        """Close the card's buttons; ``chosen`` (the clicked button's action and value) stays
        shown as the choice."""
        now = utcnow()
        async with self.database.unit_of_work(immediate=True) as session:  # read, then write
            row = await session.scalar(
                select(ConsoleMessage).where(ConsoleMessage.message_id == message_id)
            )
            if row is None:
                return
            if chosen is not None:
                row.payload = encode_message(with_choice(decode_message(row.payload), chosen))
            row.answered_at = row.updated_at = now

    async def owner(self, message_id: str) -> str | None:
        async with self.database.unit_of_work() as session:
            return await session.scalar(
                select(ConsoleMessage.person_id).where(ConsoleMessage.message_id == message_id)
            )

    async def history(self, person_id: str, since: datetime | None = None) -> list[StoredMessage]:
        """The person's latest messages in order, or those changed at or after ``since``."""
        # A message may be recorded under several purposes (a session's slot card is both
        # a delivery and the card to close once settled): one row per message, disabled
        # once any of its records is.
        refs = (
            select(
                MessageRef.message_id.label("message_id"),
                func.max(MessageRef.disabled_at).label("disabled_at"),
            )
            .where(MessageRef.platform == PLATFORM)
            .group_by(MessageRef.message_id)
            .subquery()
        )
        statement = (
            select(ConsoleMessage, refs.c.disabled_at)
            .outerjoin(refs, refs.c.message_id == ConsoleMessage.message_id)
            .where(ConsoleMessage.person_id == person_id)
        )
        # The cursor is the console's own clock (``updated_at``, bumped by a replacement,
        # which is also what disables a card): ``disabled_at`` is business time, hours or
        # days ahead of it in ``tandem demo`` once its clock was moved, and as a cursor it
        # hid every message that came after.
        if since is not None:
            statement = statement.where(ConsoleMessage.updated_at >= since)
        statement = statement.order_by(ConsoleMessage.id.desc()).limit(HISTORY_LIMIT)
        async with self.database.unit_of_work() as session:
            rows = (await session.execute(statement)).all()
        stored = []
        for row, disabled_at in reversed(rows):
            stored.append(
                StoredMessage(
                    message_id=row.message_id,
                    author=row.author,
                    locale=row.locale,
                    message=decode_message(row.payload),
                    created_at=row.created_at,
                    changed_at=row.updated_at,
                    answered=row.answered_at is not None or disabled_at is not None,
                )
            )
        return stored
