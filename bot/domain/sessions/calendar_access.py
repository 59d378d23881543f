"""Who may read a calendar feed: an opaque token per person, and how long it stays valid.

The token is the person's id sealed with AES-SIV under a key derived from
``TANDEM_SECRET_KEY``: deterministic (one stable feed URL per person, so subscribing twice
gives the same calendar), authenticated (a forged or altered token fails to open) and
opaque (it reveals nothing about the person). It carries no date: a feed is readable while
the person has an active pairing or one that ended less than ``FEED_GRACE`` ago, which the
database decides at each request, so ending a pairing closes the feed without a key change.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# After a pairing ends, its last sessions (now cancelled) still reach subscribed calendars.
FEED_GRACE = timedelta(days=14)
_PURPOSE = b"tandem calendar feed v1"
_MAX_TOKEN_CHARS = 200  # a person id is 32 characters; its token 64


@dataclass(frozen=True)
class CalendarKeys:
    """The deployment's public URL and secret: what calendar links are made of."""

    public_url: str
    secret_key: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.secret_key:
            raise ValueError("calendar links need a secret key")

    @property
    def host(self) -> str:
        """The domain part of each event's UID (RFC 5545 suggests the producer's host)."""
        return urlsplit(self.public_url).hostname or "tandem"

    def _cipher(self) -> AESSIV:
        key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_PURPOSE).derive(
            self.secret_key.encode()
        )
        return AESSIV(key)

    def token(self, person_id: str) -> str:
        sealed = self._cipher().encrypt(person_id.encode(), [_PURPOSE])
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()

    def person_of(self, token: str) -> str | None:
        """The person a token was made for; None for anything we did not sign."""
        if not token or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
            return None
        try:
            sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            return self._cipher().decrypt(sealed, [_PURPOSE]).decode()
        except (InvalidTag, binascii.Error, ValueError, UnicodeDecodeError):
            return None

    def private_calendar(self, person_id: str) -> str:
        """The person's calendar address: ``.ics`` after it is the feed, ``/<id>.ics`` one
        session (``feed_url``, ``session_url``)."""
        return f"{self.public_url}/calendar/{self.token(person_id)}"

    def feed_url(self, person_id: str) -> str:
        return feed_url(self.private_calendar(person_id))

    def session_url(self, person_id: str, check_in_id: int) -> str:
        return session_url(self.private_calendar(person_id), check_in_id)


def feed_url(private_calendar: str) -> str:
    return f"{private_calendar}.ics"


def session_url(private_calendar: str, check_in_id: int) -> str:
    return f"{private_calendar}/{check_in_id}.ics"


def feed_open(pairing_ends: list[datetime | None], now: datetime) -> bool:
    """A feed is readable while one of the person's pairings is active (None: no end yet)
    or ended within the grace period."""
    return any(end is None or now - end <= FEED_GRACE for end in pairing_ends)
