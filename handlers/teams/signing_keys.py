"""The Bot Framework's signing keys: fetched with aiohttp in the background, cached, refreshed.

botbuilder 4.17.1 fetches the OpenID metadata and its JWKS with blocking ``requests`` calls
(without a timeout) from inside token validation, that is on the event loop: a slow or
unreachable Microsoft froze every channel, and the start-up warm-up stopped the whole server.
Here the keys are fetched asynchronously, retried with backoff while unreachable, refreshed
periodically, and handed to botbuilder through its own metadata cache
(``JwtTokenExtractor.metadataCache``, keyed by the metadata address), whose whole contract is
``await get(key_id)`` returning an object with ``public_key`` and ``endorsements``. botbuilder
then validates the token itself (signature, expiry, endorsements, issuer, audience,
``serviceurl``) and never fetches anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from dataclasses import dataclass
from typing import Any

import aiohttp
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

REFRESH_EVERY_S = 6 * 3600.0  # Microsoft rolls keys over days; botbuilder refreshes daily
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0  # an outage ends within half a minute of Microsoft answering again
FETCH_TIMEOUT_S = 10.0
UNKNOWN_KEY_REFRESH_S = 300.0  # a token naming an unknown key fetches again, at most this often
MAX_DOCUMENT_BYTES = 512 * 1024  # the real documents are a few kilobytes
CLOSE_TIMEOUT_S = 5.0


class KeysUnavailable(Exception):
    """The metadata or key set could not be fetched or holds no usable key."""


@dataclass(frozen=True)
class SigningKey:
    """What botbuilder's ``JwtTokenExtractor`` reads from its metadata cache."""

    public_key: Any
    endorsements: list[str]


def parse_keys(document: Any) -> dict[str, SigningKey]:
    """The RSA keys of a JWKS document by key id; keys that do not parse are left out."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeysUnavailable("the key set has no 'keys' list")
    keys: dict[str, SigningKey] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        endorsements = jwk.get("endorsements", [])
        if not isinstance(endorsements, list):
            endorsements = []
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
        except (ValueError, KeyError, TypeError) as error:  # PyJWT's InvalidKeyError is one
            log.info("teams signing key %s skipped: %s", jwk["kid"], error)
            continue
        keys[jwk["kid"]] = SigningKey(public_key, [str(e) for e in endorsements])
    if not keys:
        raise KeysUnavailable("the key set holds no usable RSA key")
    return keys


class SigningKeys:
    """The keys behind one OpenID metadata address, kept fresh by a background task.

    ``ready`` is false until the first fetch succeeds; afterwards the last good keys stay in
    use while a refresh fails (a short Microsoft outage must not stop Teams).
    """

    def __init__(
        self,
        metadata_url: str,
        *,
        expected_issuer: str | None = None,
        refresh_every: float = REFRESH_EVERY_S,
        first_retry: float = FIRST_RETRY_S,
        max_retry: float = MAX_RETRY_S,
        timeout: float = FETCH_TIMEOUT_S,
    ) -> None:
        self.metadata_url = metadata_url
        self.expected_issuer = expected_issuer
        self.refresh_every = refresh_every
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.timeout = timeout
        self.last_error = "not fetched yet"
        self.fetches = 0  # successful fetches (tests check refreshes)
        self._keys: dict[str, SigningKey] = {}
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._wake = asyncio.Event()
        self._loaded = asyncio.Event()
        self._last_forced = float("-inf")
        self._random = random.Random()
        self._closing = False

    @property
    def ready(self) -> bool:
        return bool(self._keys)

    async def wait(self) -> None:
        """Until the first keys are in (callers bound it with ``asyncio.wait_for``)."""
        await self._loaded.wait()

    # -- botbuilder's metadata contract -------------------------------------------------------
    async def get(self, key_id: str | None) -> SigningKey:
        key = self._keys.get(key_id or "")
        if key is None:
            # Perhaps a key Microsoft has just rolled over to: fetch again in the background.
            self.refresh_soon()
            raise PermissionError(f"unknown signing key {key_id!r}")
        return key

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start fetching (in the running loop) and serve botbuilder from this cache."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="teams-signing-keys")
        # botbuilder looks its metadata up by address in this class-level cache: whatever
        # is there is used instead of its own blocking fetcher.
        JwtTokenExtractor.metadataCache[self.metadata_url] = self

    async def close(self) -> None:
        if JwtTokenExtractor.metadataCache.get(self.metadata_url) is self:
            del JwtTokenExtractor.metadataCache[self.metadata_url]
        self._closing = True  # the loop also stops by itself, should a cancel be lost
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=CLOSE_TIMEOUT_S)
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def refresh_soon(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_forced >= UNKNOWN_KEY_REFRESH_S:
            self._last_forced = loop.time()
            self._wake.set()

    async def refresh(self) -> None:
        """Fetch the metadata, then its key set; the keys are replaced only on success."""
        metadata = await self._fetch(self.metadata_url)
        if not isinstance(metadata, dict) or not isinstance(metadata.get("jwks_uri"), str):
            raise KeysUnavailable("the metadata has no 'jwks_uri'")
        issuer = metadata.get("issuer")
        if self.expected_issuer and issuer != self.expected_issuer:
            # Not fatal (botbuilder checks each token's issuer), but every token would fail.
            log.warning(
                "teams OpenID metadata %s names issuer %r, tokens are expected from %r",
                self.metadata_url,
                issuer,
                self.expected_issuer,
            )
        self._keys = parse_keys(await self._fetch(metadata["jwks_uri"]))
        self.fetches += 1
        self._loaded.set()

    async def _fetch(self, url: str) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        async with self._session.get(url, allow_redirects=False) as response:
            if response.status != 200:
                raise KeysUnavailable(f"{url} answered HTTP {response.status}")
            raw = await response.content.read(MAX_DOCUMENT_BYTES + 1)
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise KeysUnavailable(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
        try:
            return json.loads(raw)
        except ValueError as error:
            raise KeysUnavailable(f"{url} answered something other than JSON") from error

    async def _run(self) -> None:
        retry = self.first_retry
        while not self._closing:
            self._wake.clear()  # a wake-up asked for during this fetch still counts
            try:
                await self.refresh()
            except (aiohttp.ClientError, TimeoutError, KeysUnavailable) as error:
                self.last_error = f"{type(error).__name__}: {error}"
                # Jitter keeps replicas from hammering Microsoft in step after an outage.
                wait = retry * self._random.uniform(0.5, 1.0)
                retry = min(retry * 2, self.max_retry)
                log.warning(
                    "teams signing keys unavailable from %s (%s)%s; next try in %.1f s",
                    self.metadata_url,
                    self.last_error,
                    "" if self.ready else ": Teams answers 503 meanwhile",
                    wait,
                )
            else:
                if retry != self.first_retry or self.fetches == 1:
                    log.info(
                        "teams signing keys loaded from %s (%d keys)",
                        self.metadata_url,
                        len(self._keys),
                    )
                self.last_error = ""
                retry = self.first_retry
                wait = self.refresh_every
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancel
            # that arrives as its wait ends (seen here: close() then waited minutes).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()
