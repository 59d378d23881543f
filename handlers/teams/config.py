"""The Teams channel's settings, given by the entry module (handlers never import ``bot``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botframework.connector.auth import AuthenticationConstants, GovernmentConstants

from bot.domain.loopback import is_loopback

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class TeamsConfig:
    """``MICROSOFT_APP_*`` settings, the listening host (the loopback rule) and test hooks.

    Without ``app_id`` the bot answers unauthenticated activities only while the server
    listens on a loopback address. ``openid_metadata_url`` (``TANDEM_TEAMS_OPENID_METADATA_URL``)
    is where the channel's signing keys are published: Microsoft's public cloud by default,
    US Government's when set to its address (the other endpoints then follow that cloud), a
    fake issuer in tests. ``token_issuer`` overrides the issuer tokens must name (tests);
    ``credentials_factory`` replaces botbuilder's (a ``ServiceClientCredentialsFactory``).
    """

    app_id: str = ""
    app_password: str = ""
    app_tenant_id: str = ""
    app_type: str = "MultiTenant"
    listen_host: str = "127.0.0.1"
    tenant_ids: tuple[str, ...] = ()
    openid_metadata_url: str | None = None
    token_issuer: str | None = None
    credentials_factory: Any = None
    max_body_bytes: int = MAX_BODY_BYTES
    done_text: str = "✓"

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    @property
    def on_loopback(self) -> bool:
        return is_loopback(self.listen_host)

    @property
    def enabled(self) -> bool:
        """Teams answers when authenticated, or unauthenticated on a loopback bind only."""
        return self.authenticated or self.on_loopback

    @property
    def metadata_url(self) -> str:
        """The OpenID metadata address the channel's tokens are checked against."""
        return self.openid_metadata_url or str(
            AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
        )

    @property
    def government(self) -> bool:
        """US Government cloud: its own login, scope, issuer and caller id too."""
        return self.metadata_url == str(GovernmentConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)

    @property
    def channel_token_issuer(self) -> str:
        if self.token_issuer:
            return self.token_issuer
        constants = GovernmentConstants if self.government else AuthenticationConstants
        return str(constants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER)
