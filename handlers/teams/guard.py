"""Checks an inbound activity passes before botbuilder sees it (4xx, never 500).

botbuilder answers 500 to malformed bodies and calls whatever ``serviceUrl`` an activity
names (the public Bot Framework service when it is missing), so the shape of the activity
and the service it will be answered on are checked here first.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import jwt
from botframework.connector.auth import (
    AuthenticationConstants,
    EmulatorValidation,
    SkillValidation,
)

from bot.domain.loopback import is_loopback

# Where Microsoft's connectors live (public, GCC, GCC High, DoD and the Teams edge).
TRUSTED_SUFFIXES = (
    ".botframework.com",
    ".teams.microsoft.com",
    ".teams.microsoft.us",
    ".botframework.us",
    ".botframework.azure.us",
)
TRUSTED_HOSTS = frozenset({"smba.trafficmanager.net", "api.botframework.com"})

# Field -> the JSON types it may have (absent or null is allowed, except where required).
OBJECT_FIELDS = ("from", "recipient", "conversation", "channelData", "value")
STRING_FIELDS = (
    "type",
    "id",
    "serviceUrl",
    "channelId",
    "text",
    "name",
    "locale",
    "replyToId",
    "action",
)
LIST_OF_OBJECTS = ("entities", "membersAdded", "membersRemoved", "attachments")
# The strings this channel reads inside the objects (a list or a number there was a 500).
NESTED_STRINGS = {
    "from": ("id", "name", "aadObjectId", "role"),
    "recipient": ("id", "name", "role"),
    "conversation": ("id", "name", "conversationType", "tenantId"),
}
CHANNEL_DATA_OBJECTS = ("tenant", "team", "channel")
# Identifiers end up in connector URLs: Teams' longest (channel threads) are a few hundred
# characters, and an empty one addressed the connector's conversation list instead.
MAX_ID_CHARS = 4096
# Teams refuses to send a message over about 28 KB, so a longer text is not from Teams.
MAX_TEXT_CHARS = 28_000


class BadActivity(ValueError):
    """A 4xx answer: ``status`` and a short reason, logged, never shown to anyone."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def trusted_service_url(url: str, *, loopback_allowed: bool) -> bool:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    if loopback_allowed and is_loopback(host) and parts.scheme in {"http", "https"}:
        return True
    if parts.scheme != "https":
        return False
    return host in TRUSTED_HOSTS or host.endswith(TRUSTED_SUFFIXES)


def _check_strings(node: dict[str, Any], fields: tuple[str, ...], where: str) -> None:
    for field in fields:
        if node.get(field) is not None and not isinstance(node[field], str):
            raise BadActivity(400, f"{where}.{field} is not a string")


def check_content_type(content_type: str) -> None:
    if content_type != "application/json":
        raise BadActivity(415, f"Content-Type {content_type or '(none)'}")


def parse_activity(raw: bytes, *, loopback_allowed: bool) -> dict[str, Any]:
    """The activity as JSON, checked for the fields botbuilder and this channel read."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise BadActivity(400, "body is not JSON") from error
    if not isinstance(body, dict):
        raise BadActivity(400, "activity is not an object")
    for name in STRING_FIELDS:
        if name in body and not isinstance(body[name], str):
            raise BadActivity(400, f"{name} is not a string")
    for name in OBJECT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise BadActivity(400, f"{name} has the wrong type")
    for name in LIST_OF_OBJECTS:
        items = body.get(name)
        if items is not None and not isinstance(items, list):
            raise BadActivity(400, f"{name} has the wrong type")
        if any(not isinstance(item, dict) for item in items or []):
            raise BadActivity(400, f"{name} hold a non-object")
    for name, fields in NESTED_STRINGS.items():
        _check_strings(body.get(name) or {}, fields, name)
    channel_data = body.get("channelData") or {}
    for name in CHANNEL_DATA_OBJECTS:
        inner = channel_data.get(name)
        if inner is not None and not isinstance(inner, dict):
            raise BadActivity(400, f"channelData.{name} has the wrong type")
        _check_strings(inner or {}, ("id", "name"), f"channelData.{name}")
    if not body.get("type"):
        raise BadActivity(400, "no activity type")
    for name in ("from", "conversation"):
        account = body.get(name)
        if not isinstance(account, dict) or not isinstance(account.get("id"), str):
            raise BadActivity(400, f"{name}.id missing")
        if not account["id"].strip():
            raise BadActivity(400, f"{name}.id empty")
    ids = [body.get("id"), body.get("replyToId"), body["conversation"]["id"], body["from"]["id"]]
    if any(isinstance(value, str) and len(value) > MAX_ID_CHARS for value in ids):
        raise BadActivity(400, "an identifier is too long")
    if len(body.get("text") or "") > MAX_TEXT_CHARS:
        raise BadActivity(400, "text longer than Teams sends")
    service_url = body.get("serviceUrl")
    if not service_url:
        raise BadActivity(400, "no serviceUrl")
    if not trusted_service_url(service_url, loopback_allowed=loopback_allowed):
        raise BadActivity(400, "untrusted serviceUrl")
    return body


def check_channel_token(auth_header: str, *, issuer: str) -> None:
    """Only a well-formed channel token from ``issuer`` may reach botbuilder's validation.

    botbuilder routes Emulator and skill tokens to another OpenID metadata address, which it
    fetches with blocking ``requests`` calls on the event loop, and answers some malformed
    tokens with errors that become a 500. This bot serves channel tokens only, so everything
    else is refused here (401) without a single outbound call; botbuilder then checks the
    signature and every claim of what is left.
    """
    scheme, _, token = auth_header.partition(" ")
    if scheme != "Bearer" or not token or " " in token:
        raise BadActivity(401, "no bearer token")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise BadActivity(401, "token is not a JWT") from error
    if header.get("alg") not in AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS:
        raise BadActivity(401, f"token algorithm {header.get('alg')!r} not allowed")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise BadActivity(401, "token names no signing key")
    if claims.get("iss") != issuer:
        raise BadActivity(401, "token from another issuer")
    try:
        foreign = SkillValidation.is_skill_claim(claims) or (
            EmulatorValidation.is_token_from_emulator(auth_header)
        )
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as error:
        raise BadActivity(401, "token not understood") from error
    if foreign:
        raise BadActivity(401, "skill or Emulator token")
