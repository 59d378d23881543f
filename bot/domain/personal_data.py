"""A person's rights over their own data, from the chat: ``my data`` and ``forget me``.

``forget me`` is confirmed on a card, then erased by a due action (``FORGET_ME``): the
platform calls (deleting shout-outs and uploaded files) happen outside any transaction,
and a failure there retries before anything is erased. The action's payload names the
person, so the erasure deletes it with the rest of their queued work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.due import DueKind

# How long a ``my data`` file stays downloadable (and its link alive).
MY_DATA_LIFETIME = timedelta(days=7)
MY_DATA_PURPOSE = "my_data"
# Files past their expiry are deleted every night (``storage.files.purge_expired``).
PURGE_FILES_ROUTINE = "files.purge_expired"
PURGE_FILES_TRIGGER = {"hour": 3, "minute": 40}


@dataclass(frozen=True)
class ForgetMe:
    person_id: str
    locale: str  # the words of the last message: the record will have no language left


FORGET_ME = DueKind("privacy.forget_me", ForgetMe, key=lambda p: f"forget-me:{p.person_id}")


def my_data_filename(day: str) -> str:
    """``tandem-my-data-2027-01-31.json``: the day it was made, nothing about the person."""
    return f"tandem-my-data-{day}.json"
