"""Who may download a stored file: a signed, expiring token per file (``GET /files/{token}``).

The token is the file's id and the instant it stops working, sealed with AES-SIV under a
key derived from ``TANDEM_SECRET_KEY`` for this purpose alone (the calendar's key is
another derivation of the same secret, see ``calendar_access``): authenticated (a forged or
altered token fails to open), opaque (it says nothing about the file or its owner) and
expiring by itself. The server answers the same bare 404 to a token it did not sign, one
past its time, and one whose file has been deleted since.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# How long a link sent in chat keeps working (the file may expire sooner).
LINK_LIFETIME = timedelta(days=7)
_PURPOSE = b"tandem stored file v1"
_LAYOUT = ">Qq"  # file id, expiry in Unix seconds
_MAX_TOKEN_CHARS = 120  # a token is 43 characters


@dataclass(frozen=True)
class FileKeys:
    """The deployment's public URL and secret: what file links are made of."""

    public_url: str
    secret_key: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.secret_key:
            raise ValueError("file links need a secret key")

    def _cipher(self) -> AESSIV:
        key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_PURPOSE).derive(
            self.secret_key.encode()
        )
        return AESSIV(key)

    def token(self, file_id: int, expires_at: datetime) -> str:
        plain = struct.pack(_LAYOUT, file_id, int(expires_at.timestamp()))
        sealed = self._cipher().encrypt(plain, [_PURPOSE])
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()

    def file_of(self, token: str, now: datetime) -> int | None:
        """The file a token opens at ``now``; None if we did not sign it or it expired."""
        if not token or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
            return None
        try:
            sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            if base64.urlsafe_b64encode(sealed).rstrip(b"=").decode() != token:
                return None  # one spelling per token: no spare bits to play with
            file_id, expires = struct.unpack(_LAYOUT, self._cipher().decrypt(sealed, [_PURPOSE]))
        except (InvalidTag, binascii.Error, ValueError, struct.error):
            return None
        if now >= datetime.fromtimestamp(expires, UTC):
            return None
        return int(file_id)

    def url(self, file_id: int, expires_at: datetime) -> str:
        return f"{self.public_url.rstrip('/')}/files/{self.token(file_id, expires_at)}"


def link_expiry(now: datetime, file_expires_at: datetime | None) -> datetime:
    """A link lives ``LINK_LIFETIME``, never past its file."""
    ends = now + LINK_LIFETIME
    return min(ends, file_expires_at) if file_expires_at is not None else ends
