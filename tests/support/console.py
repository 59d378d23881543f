"""Shared by the console tests: a stand-in conversation core, people, a server on loopback.

``dialogs/core/conversation.py`` is being written at the same time; until it exists the tests use
``FakeConversation``, which has its shape (``handle(Inbound) -> Outcome``) and answers
``help`` in the person's language with a card whose buttons the tests click.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from dialogs.core.content import Inline, Paragraph, Text, UserText, plain_text
from dialogs.core.events import Inbound, Outcome
from dialogs.core.i18n import negotiate
from dialogs.core.ui import (
    ActionRef,
    Actions,
    Button,
    Confirm,
    Done,
    FieldErrors,
    Form,
    Header,
    Message,
    Section,
    TextField,
)
from handlers.console import ConsoleChannel, ConsoleConfig, mount
from handlers.console.routes import ConversationCore
from storage.db import Database
from storage.models import Person
from tests.support.cli import free_port

WORDS = {
    "en": {"help": "Here is what I can do", "language": "Language", "profile": "Edit profile",
           "leave": "Leave", "chosen": "Language noted: English", "left": "You left the program",
           "sure": "Are you sure?", "yes": "Yes, leave", "no": "Stay", "title": "Job title",
           "needed": "Tell me your job title", "saved": "Profile saved", "what": "I did not understand:"},
    "fr": {"help": "Voici ce que je sais faire", "language": "Langue", "profile": "Modifier le profil",
           "leave": "Quitter", "chosen": "Langue notée : français", "left": "Vous avez quitté le programme",
           "sure": "Vous êtes sûr·e ?", "yes": "Oui, quitter", "no": "Rester", "title": "Intitulé de poste",
           "needed": "Indiquez votre intitulé de poste", "saved": "Profil enregistré",
           "what": "Je n'ai pas compris :"},
}  # fmt: skip


def say(*parts: Inline) -> Message:
    return Message((Section((Paragraph(parts),)),), summary="".join(plain_text(p) for p in parts))


class FakeConversation:
    """The core's shape: ``help`` gives a card with buttons; the rest is a short echo."""

    def __init__(self) -> None:
        self.received: list[Inbound] = []

    async def handle(self, inbound: Inbound) -> Outcome:
        self.received.append(inbound)
        locale = negotiate([inbound.actor.locale_hint], "fr")
        w = WORDS[locale]
        ref = ActionRef("help", "inst1", "menu", 1)
        if inbound.kind in ("message", "command"):
            if inbound.text.strip().lower() in ("help", "aide"):
                card = Message(
                    (
                        Header(w["help"]),
                        Actions(
                            (
                                Button(w["language"], "language", ref, value=locale),
                                Button(w["profile"], "profile", ref, opens_form=True),
                                Button(
                                    w["leave"],
                                    "leave",
                                    ref,
                                    style="danger",
                                    confirm=Confirm(w["sure"], w["sure"], w["yes"], w["no"]),
                                ),
                            )
                        ),
                    ),
                    summary=w["help"],
                )
                return Outcome(locale, messages=(card,))
            return Outcome(
                locale, messages=(say(Text(w["what"]), Text(" "), UserText(inbound.text)),)
            )
        if inbound.kind == "action" and inbound.action == "profile":
            form = Form("Profile", ActionRef("profile", "inst2", "edit", 1),
                        (TextField("title", w["title"]),), submit_label="OK")  # fmt: skip
            return Outcome(locale, form=form)
        if inbound.kind == "action":
            words = w["left"] if inbound.action == "leave" else w["chosen"]
            return Outcome(locale, messages=(say(Text(words, strong=True)),))
        if inbound.kind == "submission":
            if not inbound.values.get("title"):
                return Outcome(locale, form_answer=FieldErrors({"title": w["needed"]}))
            return Outcome(locale, form_answer=Done(say(Text(w["saved"]))))
        return Outcome(locale)


@dataclass(frozen=True)
class People:
    ada: str  # English speaker, admin
    bruno: str  # French speaker


async def seed_people(database: Database) -> People:
    async with database.unit_of_work() as session:
        ada = Person(first_name="Ada", last_name="Lovelace", email="ada@example.com",
                     locale="en", timezone="Europe/London", title="Head of data")  # fmt: skip
        bruno = Person(first_name="Bruno", last_name="Martin", email="bruno@example.com",
                       locale="fr", timezone="Europe/Paris", title="Alternant")  # fmt: skip
        session.add_all([ada, bruno])
        await session.flush()
        return People(ada.id, bruno.id)


@dataclass(frozen=True)
class Console:
    url: str
    channel: ConsoleChannel


def console_config(**overrides: object) -> ConsoleConfig:
    options: dict[str, object] = {"enabled": True, "host": "127.0.0.1",
                                  "admins": ("ada@example.com",)}  # fmt: skip
    options.update(overrides)
    return ConsoleConfig(**options)  # type: ignore[arg-type]


@asynccontextmanager
async def running_console(
    database: Database, conversation: ConversationCore, config: ConsoleConfig | None = None
) -> AsyncIterator[Console]:
    app = web.Application()
    channel = mount(app, conversation, database, config or console_config())
    assert channel is not None
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield Console(f"http://127.0.0.1:{port}", channel)
    finally:
        await runner.cleanup()
