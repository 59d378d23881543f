"""Fake Microsoft Graph and Google Calendar free/busy servers on loopback.

They answer the real HTTP that Tandem's readers send, in the documented shapes
(tests/specs/calendars/, with SOURCES.md): token endpoints (client credentials for Graph,
a JWT-bearer assertion signed by the service account for Google, checked with its public
key), Graph's getSchedule (at most 20 schedules, windows under 62 days, subjects and
locations in every item as Graph sends them) and Google's freeBusy (at most 50 calendars).

Controls: ``busy[email]`` (start, end) pairs in UTC, ``unknown`` and ``denied`` emails,
``throttle(n, retry_after)`` answers the next n calls with 429, ``expire_tokens()`` makes
issued tokens invalid (401), ``delay`` seconds before each answer.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SUBJECT = "Comité de direction confidentiel"  # must never leave the reader
LOCATION = "Salle Eiffel"
ATTENDEE = "secret.attendee@acme.example"


class FakeCalendarServer:
    def __init__(self) -> None:
        self.busy: dict[str, list[tuple[datetime, datetime]]] = {}
        self.unknown: set[str] = set()
        self.denied: set[str] = set()
        self.delay = 0.0
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.calls: list[dict[str, Any]] = []  # request bodies of the free/busy calls
        self._throttle = 0
        self._retry_after = "1"
        self.url = ""

    def throttle(self, times: int, retry_after: str = "1") -> None:
        self._throttle, self._retry_after = times, retry_after

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def issue(self) -> web.Response:
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        self.token_requests += 1
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
        )

    async def guard(self, request: web.Request) -> web.Response | None:
        """The checks every free/busy call goes through, in the providers' order."""
        if self.delay:
            await asyncio.sleep(self.delay)
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in self.tokens:
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        if self._throttle > 0:
            self._throttle -= 1
            return web.json_response(
                {"error": {"code": "TooManyRequests"}},
                status=429,
                headers={"Retry-After": self._retry_after},
            )
        return None

    def busy_between(
        self, email: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        return [
            (s.astimezone(UTC), e.astimezone(UTC))
            for s, e in self.busy.get(email, [])
            if s < end and start < e
        ]


class FakeGraph(FakeCalendarServer):
    def __init__(
        self, tenant: str = "contoso-tenant", client_id: str = "app-id", secret: str = "s3cret"
    ) -> None:
        super().__init__()
        self.tenant, self.client_id, self.secret = tenant, client_id, secret
        self.working_zone: dict[str, str] = {}  # email -> Windows zone name of their hours

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        app.router.add_post("/v1.0/users/{user}/calendar/getSchedule", self.get_schedule)
        return app

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (
            request.match_info["tenant"] != self.tenant
            or form.get("client_id") != self.client_id
            or form.get("client_secret") != self.secret
            or form.get("grant_type") != "client_credentials"
            or form.get("scope") != "https://graph.microsoft.com/.default"
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        return self.issue()

    async def get_schedule(self, request: web.Request) -> web.Response:
        if (refused := await self.guard(request)) is not None:
            return refused
        body = await request.json()
        self.calls.append(body)
        schedules = body["schedules"]
        start, end = _graph_time(body["startTime"]), _graph_time(body["endTime"])
        if len(schedules) > 20 or (end - start).days >= 62:
            return web.json_response({"error": {"code": "ErrorInvalidParameter"}}, status=400)
        value = []
        for email in schedules:
            if email in self.unknown:
                value.append({"scheduleId": email, "error": {
                    "message": "The specified object was not found in the store.",
                    "responseCode": "ErrorMailboxNotFound"}})  # fmt: skip
                continue
            if email in self.denied:
                value.append({"scheduleId": email, "error": {
                    "message": "Access is denied.", "responseCode": "ErrorAccessDenied"}})  # fmt: skip
                continue
            items = [
                {
                    "isPrivate": False, "status": "busy", "subject": SUBJECT, "location": LOCATION,
                    "attendees": [ATTENDEE],
                    "start": {"dateTime": s.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
                    "end": {"dateTime": e.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
                }
                for s, e in self.busy_between(email, start, end)
            ]  # fmt: skip
            value.append({
                "scheduleId": email, "availabilityView": "0" * 4, "scheduleItems": items,
                "workingHours": {
                    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000",
                    "timeZone": {"name": self.working_zone.get(email, "Romance Standard Time")},
                },
            })  # fmt: skip
        return web.json_response({"value": value})


class FakeGoogle(FakeCalendarServer):
    def __init__(self, delegate: str = "tandem-bot@acme.example") -> None:
        super().__init__()
        self.delegate = delegate
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def credentials(self) -> dict[str, Any]:
        """A service account key file as Google issues it, pointing at this fake."""
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": "tandem-test",
            "private_key_id": "key-1",
            "private_key": pem,
            "client_email": "tandem@tandem-test.iam.gserviceaccount.com",
            "client_id": "1234567890",
            "token_uri": f"{self.url}/token",
        }

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/token", self.token)
        app.router.add_post("/calendar/v3/freeBusy", self.free_busy)
        return app

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        try:
            claims = jwt.decode(
                str(form.get("assertion", "")), self.key.public_key(), algorithms=["RS256"],
                audience=f"{self.url}/token",
            )  # fmt: skip
        except jwt.InvalidTokenError:
            return web.json_response({"error": "invalid_grant"}, status=400)
        if (
            claims.get("scope") != "https://www.googleapis.com/auth/calendar.freebusy"
            or claims.get("sub") != self.delegate
        ):
            return web.json_response({"error": "unauthorized_client"}, status=401)
        return self.issue()

    async def free_busy(self, request: web.Request) -> web.Response:
        if (refused := await self.guard(request)) is not None:
            return refused
        body = await request.json()
        self.calls.append(body)
        items = [i["id"] for i in body["items"]]
        if len(items) > 50:
            return web.json_response({"error": {"code": 400, "message": "Too many calendars requested."}}, status=400)  # fmt: skip
        start, end = _rfc3339(body["timeMin"]), _rfc3339(body["timeMax"])
        calendars: dict[str, Any] = {}
        for email in items:
            if email in self.unknown:
                calendars[email] = {
                    "errors": [{"domain": "global", "reason": "notFound"}],
                    "busy": [],
                }
            elif email in self.denied:
                calendars[email] = {
                    "errors": [{"domain": "global", "reason": "forbidden"}],
                    "busy": [],
                }
            else:
                calendars[email] = {"busy": [
                    {"start": s.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": e.strftime("%Y-%m-%dT%H:%M:%SZ")}
                    for s, e in self.busy_between(email, start, end)
                ]}  # fmt: skip
        return web.json_response({
            "kind": "calendar#freeBusy", "timeMin": body["timeMin"], "timeMax": body["timeMax"],
            "calendars": calendars,
        })  # fmt: skip


def _graph_time(value: dict[str, str]) -> datetime:
    assert value["timeZone"] == "UTC", value
    return datetime.fromisoformat(value["dateTime"]).replace(tzinfo=UTC)


def _rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@asynccontextmanager
async def serving(fake: FakeCalendarServer) -> AsyncIterator[str]:
    """Run a fake on 127.0.0.1; yields its base URL."""
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    try:
        yield fake.url
    finally:
        await server.close()
