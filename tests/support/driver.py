"""An admin and a non-admin talking to the real core (French by default, admins by email)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.core.events import Actor, Inbound, Outcome
from dialogs.core.ui import Button, FieldValue, Form
from storage.db import Database
from tests.support.clock import fixed_clock

ADMIN_EMAIL = "rh@acme.example"
CONFIG = ConversationConfig(default_locale="fr", admins=(ADMIN_EMAIL,), slack_team_ids=("T1",))
SETTINGS: dict[str, FieldValue] = {
    "name": "Mentorat <b>2028</b>", "slug": "mi-2028", "timezone": "Europe/Paris",
    "starts_on": "2028-01-10", "ends_on": "2028-07-07", "enrollment_closes_on": "",
    "cadence": "monthly", "session_minutes": "60", "capacity_default": "2",
    "approval_required": "yes",
}  # fmt: skip


def admin(locale: str = "fr-FR") -> Actor:
    return Actor("slack", "T1", "UADMIN", locale_hint=locale, display_name="Rose RH",
                 email=ADMIN_EMAIL)  # fmt: skip


def someone(user: str = "U8", locale: str = "fr-FR", email: str | None = None) -> Actor:
    return Actor("slack", "T1", user, locale_hint=locale, display_name="Léo Dupont", email=email)


class Driver:
    def __init__(self, database: Database, config: ConversationConfig = CONFIG) -> None:
        self.database = database
        self.conversation = Conversation(database, config, clock=fixed_clock())

    async def say(self, actor: Actor, text: str) -> Outcome:
        return await self.conversation.handle(Inbound(actor, "command", text=text))

    async def click(self, actor: Actor, button: Button) -> Outcome:
        return await self.conversation.handle(
            Inbound(actor, "action", action=button.action, value=button.value, ref=button.ref)
        )

    async def submit(self, actor: Actor, form: Form, values: dict[str, FieldValue]) -> Any:
        outcome = await self.conversation.handle(
            Inbound(actor, "submission", ref=form.ref, values=values)
        )
        return outcome.form_answer

    async def count(self, model: Any, *where: Any) -> int:
        async with self.database.unit_of_work() as session:
            query = select(func.count()).select_from(model)
            for condition in where:
                query = query.where(condition)
            return int(await session.scalar(query) or 0)
