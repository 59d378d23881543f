"""The Slack channel's configuration, handed over by the entry module (handlers never read
settings themselves)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_API_URL = "https://slack.com/api/"


class SlackConfigError(ValueError):
    """Slack is configured in a way that cannot work; start-up must stop."""


@dataclass(frozen=True)
class SlackConfig:
    signing_secret: str
    bot_token: str = ""  # single workspace
    client_id: str = ""  # multi-workspace OAuth install
    client_secret: str = ""
    app_token: str = ""  # Socket Mode
    api_url: str = DEFAULT_API_URL
    public_url: str = "http://127.0.0.1:3978"
    secret_key: str = ""  # encrypts stored tokens (Fernet key derived from it)
    team_ids: tuple[str, ...] = ()  # allow-list; empty: any team
    user_cache_seconds: float = 3600.0

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def check(self) -> None:
        """Raise a clear error for a configuration that would accept forged requests."""
        if not self.signing_secret.strip() and not self.socket_mode:
            raise SlackConfigError(
                "SLACK_SIGNING_SECRET is empty: Slack requests could not be verified. "
                "Set it to the signing secret of your Slack app (Basic Information page)."
            )
        if not self.bot_token and not self.oauth:
            raise SlackConfigError(
                "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (install into several workspaces)."
            )
        if self.oauth and not self.secret_key:
            raise SlackConfigError("Slack OAuth stores tokens encrypted: set TANDEM_SECRET_KEY.")

    def allows(self, team_id: str | None) -> bool:
        return not self.team_ids or (team_id or "") in self.team_ids
