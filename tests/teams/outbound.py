"""Catching outbound calls the bot must never make, and tokens it must refuse.

botbuilder fetches signing keys with ``requests``, which honours ``HTTP(S)_PROXY``: pointing
those at ``RecordingProxy`` makes any such call (to Microsoft or anywhere else) visible to a
test, offline, without touching botbuilder. The proxy records the request line and answers
502, so a call that slips through fails at once instead of hanging. It runs in its own thread:
a blocking call made on the test's event loop would otherwise deadlock against it.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import jwt
import pytest

from tests.fakes.openid_issuer import FakeOpenIdIssuer

EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"


class RecordingProxy:
    """``with RecordingProxy() as proxy: proxy.install(monkeypatch)``; then ``proxy.requests``."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _refuse(self) -> None:
                proxy.requests.append(f"{self.command} {self.path}")
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_CONNECT = do_GET = do_POST = do_PUT = do_DELETE = _refuse

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="recording-proxy", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Route every ``requests`` call of this process through the proxy (undone after)."""
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, self.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)


def free_port() -> int:
    """A loopback port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def forged_tokens(issuer: FakeOpenIdIssuer, app_id: str, service_url: str) -> dict[str, str]:
    """Tokens a local caller can make, by name: none of them may be accepted or checked
    against anything outside this process when no app id is configured."""
    now = int(time.time())
    claims = {
        "iss": issuer.issuer,
        "aud": app_id,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
    }
    kid = {"kid": issuer.key_id}
    return {
        "garbage": "not-a-jwt",
        "alg-none": jwt.encode(claims, None, algorithm="none", headers=kid),
        "hs256": jwt.encode(claims, "a-secret-anyone-can-pick-32-bytes", "HS256", headers=kid),
        "rs256": issuer.mint(app_id=app_id, service_url=service_url),
        "rs256-emulator": issuer.mint(
            app_id=app_id,
            service_url=service_url,
            issuer=EMULATOR_ISSUER,
            extra_claims={"ver": "1.0", "appid": app_id},
        ),
        "rs256-skill": issuer.mint(
            app_id=app_id,
            service_url=service_url,
            extra_claims={"ver": "1.0", "appid": "another-bot"},
        ),
    }
