"""A fake Bot Framework token issuer: OpenID metadata and JWKS in another thread, and tokens.

botbuilder fetches the metadata and keys with blocking ``requests`` calls from inside the
event loop, so this server runs in its own thread (a plain ``http.server``); in the test's
own loop it would deadlock. Point ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL`` at
``issuer.metadata_url`` and ``TO_BOT_FROM_CHANNEL_TOKEN_ISSUER`` at ``issuer.issuer``.

Outbound calls from the bot get their token from ``StaticTokenCredentialsFactory``, a
``ServiceClientCredentialsFactory`` (botbuilder's extension point for credentials).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any, Self

import jwt
from botframework.connector.auth import (  # type: ignore[import-untyped, unused-ignore]
    AppCredentials,
    ServiceClientCredentialsFactory,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
# The Bot Framework's own audience when the bot calls the connector.
TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = "https://api.botframework.com"
CLOCK_TOLERANCE_SECONDS = 300  # botbuilder's leeway on exp/nbf


class FakeOpenIdIssuer:
    """Publishes one RSA test key endorsed for ``msteams``: ``with FakeOpenIdIssuer() as i:``."""

    def __init__(
        self,
        *,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        endorsements: tuple[str, ...] = ("msteams",),
        port: int = 0,
    ) -> None:
        self.issuer = issuer
        self.port = port  # 0: any free port; a fixed one lets a test start it after the bot
        self.endorsements = list(endorsements)
        self.key_id = f"fake-{uuid.uuid4().hex[:12]}"
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- server --------------------------------------------------------------------------------
    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                document = fake._document(self.path)
                body = json.dumps(document).encode() if document is not None else b"{}"
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-openid-issuer", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the issuer first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/keys"

    def _document(self, path: str) -> dict[str, Any] | None:
        if path == "/v1/.well-known/openidconfiguration":
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.base_url}/v1/.well-known/auth",
                "jwks_uri": self.jwks_url,
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        if path == "/v1/.well-known/keys":
            return {"keys": [self.public_jwk()]}
        return None

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self._private_key.public_key()))
        jwk.update({"kid": self.key_id, "use": "sig", "endorsements": self.endorsements})
        return jwk

    # -- tokens --------------------------------------------------------------------------------
    def mint(
        self,
        *,
        app_id: str,
        service_url: str,
        issuer: str | None = None,
        audience: str | None = None,
        expires_in: int = 3600,
        not_before_offset: int = -60,
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        """A channel-to-bot token; override issuer, audience, service_url or times to break it.

        ``expires_in=-301`` gives a token expired beyond botbuilder's 300 s leeway.
        """
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer if issuer is None else issuer,
            "aud": app_id if audience is None else audience,
            "serviceurl": service_url,
            "iat": now + min(0, not_before_offset, expires_in),
            "nbf": now + not_before_offset,
            "exp": now + expires_in,
            **(extra_claims or {}),
        }
        return jwt.encode(
            claims, self._private_key, algorithm="RS256", headers={"kid": self.key_id}
        )

    def authorization(self, **claims: Any) -> str:
        """``Bearer <token>`` for ``process_activity``; same arguments as ``mint``."""
        return f"Bearer {self.mint(**claims)}"

    def botbuilder_configuration(self, app_id: str) -> SimpleNamespace:
        """The configuration object ``ConfigurationBotFrameworkAuthentication`` reads."""
        return SimpleNamespace(
            APP_ID=app_id,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=self.issuer,
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=self.metadata_url,
            TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        )


class StaticTokenCredentials(AppCredentials):  # type: ignore[misc]
    """Credentials that always present one fixed token to the connector."""

    def __init__(self, app_id: str, token: str, oauth_scope: str | None = None) -> None:
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)
        self._token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self._token


class StaticTokenCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """Accepts exactly ``app_id``; gives the bot a static outbound token (no AAD call)."""

    def __init__(self, app_id: str, token: str = "fake-outbound-token") -> None:
        self.app_id = app_id
        self.token = token

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return not self.app_id

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> StaticTokenCredentials:
        return StaticTokenCredentials(app_id, self.token, oauth_scope)
