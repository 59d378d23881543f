"""Channel tokens already validated: each is checked once, then trusted until it expires.

The Bot Framework sends the same token with every activity for about an hour, and checking
it (the guard's two unverified decodes, botbuilder's decodes, the RSA signature, the
endorsements, issuer, audience and ``serviceurl`` claims) was a tenth of the CPU of a turn.
What botbuilder concluded depends on the token, the activity's channel and its
``serviceUrl`` and the signing keys only, so the result is kept under those three, for as
long as the same keys are in use and no later than the token's own expiry. A token not
seen before, a changed key set or an expired entry goes through the full validation again,
so a forged, expired or foreign token is refused exactly as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from botframework.connector.auth import AuthenticateRequestResult

# Tokens from one channel are few (one per bot and hour); the bound only stops a flood of
# distinct valid tokens from growing the process.
MAX_TOKENS = 4096


@dataclass(frozen=True)
class _Validated:
    result: AuthenticateRequestResult
    expires_at: float  # the token's ``exp`` (seconds since the epoch)
    keys: int  # the key set it was checked against (``SigningKeys.fetches``)


class ValidatedTokens:
    """``now`` is the system clock PyJWT checks ``exp`` against (a lease, not business
    time: see ``bot.domain.clock``); tests give their own."""

    def __init__(
        self,
        key_set: Callable[[], int],
        *,
        now: Callable[[], float] = time.time,
        limit: int = MAX_TOKENS,
    ) -> None:
        self._key_set = key_set
        self._now = now
        self._limit = limit
        self._entries: dict[tuple[str, str, str], _Validated] = {}
        self.validations = 0  # full validations (tests check that a hit skipped one)

    def get(
        self, auth_header: str, channel_id: str, service_url: str
    ) -> AuthenticateRequestResult | None:
        key = (auth_header, channel_id, service_url)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.keys != self._key_set() or self._now() >= entry.expires_at:
            del self._entries[key]
            return None
        # A result of its own per turn, as botbuilder gives (it is not meant to be shared).
        result = AuthenticateRequestResult()
        result.claims_identity = entry.result.claims_identity
        result.audience = entry.result.audience
        result.caller_id = entry.result.caller_id
        result.connector_factory = entry.result.connector_factory
        return result

    def put(
        self,
        auth_header: str,
        channel_id: str,
        service_url: str,
        result: AuthenticateRequestResult,
        keys: int,
    ) -> None:
        """Remember what botbuilder concluded; ``keys`` is the key set read before it ran."""
        self.validations += 1
        expires_at = token_expiry(auth_header.partition(" ")[2])
        if expires_at is None or self._now() >= expires_at:
            return  # accepted within botbuilder's clock leeway: validated every time
        if len(self._entries) >= self._limit:
            now = self._now()
            self._entries = {k: v for k, v in self._entries.items() if v.expires_at > now}
            if len(self._entries) >= self._limit:
                self._entries.clear()
        self._entries[(auth_header, channel_id, service_url)] = _Validated(result, expires_at, keys)


def token_expiry(token: str) -> float | None:
    """A JWT's ``exp``, read without verifying: only for tokens verified elsewhere (by
    botbuilder before they are cached, by the connector for the bot's own)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None
