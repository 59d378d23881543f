"""The Socket Mode side of the fake Slack: a WebSocket that sends envelopes and collects acks.

``apps.connections.open`` on the fake answers ``ws://127.0.0.1:PORT/socket?ticket=…``; on
connection the fake sends ``hello`` like Slack, then a test pushes envelopes
(``events_api``, ``slash_commands``, ``interactive``) and waits for the app's acks
``{"envelope_id": …, "payload": …}``.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.waiting import within

ENVELOPE_TYPES = frozenset({"events_api", "slash_commands", "interactive"})


class FakeSocketMode:
    """Socket Mode connections of the fake Slack, envelopes sent and acks received."""

    def __init__(self, app_id: str, violations: list[str]) -> None:
        self.app_id = app_id
        self.connections: list[web.WebSocketResponse] = []
        self.sent: list[dict[str, Any]] = []
        self.acks: list[dict[str, Any]] = []
        self._violations = violations
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = asyncio.Event()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        # autoping answers slack_sdk's "sdk-ping-pong" pings with the same payload.
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self.connections.append(socket)
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": len(self.connections),
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        self._connected.set()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._receive(message.data)
        finally:
            self.connections.remove(socket)
            if not self.connections:
                self._connected.clear()
        return socket

    def _receive(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            self._violations.append(f"socket mode: a message that is not JSON: {data[:200]!r}")
            return
        envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
        future = self._waiting.get(envelope_id) if isinstance(envelope_id, str) else None
        if future is None:
            self._violations.append(f"socket mode: ack for no pending envelope: {data[:200]!r}")
            return
        self.acks.append(ack)
        if future.done():
            self._violations.append(f"socket mode: envelope {envelope_id} acknowledged twice")
        else:
            future.set_result(ack)

    async def wait_connected(self, timeout: float = 5.0) -> None:
        """Until an app has connected and been sent ``hello``."""
        await within(self._connected.wait(), "a Socket Mode connection to the fake Slack", timeout)

    async def send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send one envelope to the newest connection; returns its envelope id."""
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {envelope_type!r}")
        if not self.connections:
            raise RuntimeError("no Socket Mode connection: await wait_connected() first")
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type != "events_api"
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        self._waiting[envelope_id] = asyncio.get_running_loop().create_future()
        self.sent.append(envelope)
        await self.connections[-1].send_json(envelope)
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """The app's ack of one envelope (Slack wants it within 3 seconds)."""
        return await within(
            asyncio.shield(self._waiting[envelope_id]),
            f"the app's ack of envelope {envelope_id}",
            timeout,
        )

    async def request(
        self, envelope_type: str, payload: dict[str, Any], timeout: float = 3.0
    ) -> dict[str, Any]:
        """Send an envelope and wait for its ack."""
        envelope_id = await self.send(envelope_type, payload)
        return await self.wait_ack(envelope_id, timeout)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does every few hours."""
        for socket in list(self.connections):
            await socket.send_json({"type": "disconnect", "reason": reason})

    async def close(self) -> None:
        for socket in list(self.connections):
            await socket.close()
        for future in self._waiting.values():
            future.cancel()
