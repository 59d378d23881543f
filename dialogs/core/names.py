"""How the bot names a person in what it writes: their display name; a dash once they are
gone from the records (erased or unknown), never an id or an email."""

from __future__ import annotations

from storage.models import Person


def shown_name(person: Person | None) -> str:
    return person.display_name if person is not None and person.erased_at is None else "—"
