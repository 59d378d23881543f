"""Deployment settings: every variable of DESIGN.md's contract table, read by pydantic-settings."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.loopback import is_loopback
from bot.domain.quiet_hours import QuietHours

SUPPORTED_LOCALES = ("fr", "en")
CommaList = Annotated[list[str], NoDecode]


class SettingsError(Exception):
    """A wrong setting: the message is one line that names the variable."""


def _env(name: str, default: Any = None) -> Any:
    return Field(default, validation_alias=AliasChoices(name, name.lower()))


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = _env("TANDEM_DATABASE_URL", "sqlite+aiosqlite:///./tandem.db")
    public_url: str = _env("TANDEM_PUBLIC_URL", "http://127.0.0.1:3978")
    secret_key: str | None = _env("TANDEM_SECRET_KEY")
    slack_bot_token: str | None = _env("SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = _env("SLACK_SIGNING_SECRET")
    slack_client_id: str | None = _env("SLACK_CLIENT_ID")
    slack_client_secret: str | None = _env("SLACK_CLIENT_SECRET")
    slack_app_token: str | None = _env("SLACK_APP_TOKEN")
    slack_api_url: str = _env("SLACK_API_URL", "https://slack.com/api/")
    slack_team_ids: CommaList = _env("TANDEM_SLACK_TEAM_IDS", [])
    teams_tenant_ids: CommaList = _env("TANDEM_TEAMS_TENANT_IDS", [])
    microsoft_app_id: str | None = _env("MICROSOFT_APP_ID")
    microsoft_app_password: str | None = _env("MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str | None = _env("MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: str = _env("MICROSOFT_APP_TYPE", "MultiTenant")
    teams_openid_metadata_url: str | None = _env("TANDEM_TEAMS_OPENID_METADATA_URL")
    admins: CommaList = _env("TANDEM_ADMINS", [])
    locale: str = _env("TANDEM_LOCALE", "fr")
    timezone: str = _env("TANDEM_TIMEZONE", "Europe/Paris")
    quiet_hours_text: str = _env("TANDEM_QUIET_HOURS", "20:00-08:00,sat,sun")
    console: bool | None = _env("TANDEM_CONSOLE")
    # Free/busy for session times (optional): Microsoft Graph with app-only credentials, and
    # Google Calendar with a service account acting as a delegate.
    graph_tenant_id: str | None = _env("TANDEM_GRAPH_TENANT_ID")
    graph_client_id: str | None = _env("TANDEM_GRAPH_CLIENT_ID")
    graph_client_secret: str | None = _env("TANDEM_GRAPH_CLIENT_SECRET")
    graph_login_url: str = _env("TANDEM_GRAPH_LOGIN_URL", "https://login.microsoftonline.com")
    graph_url: str = _env("TANDEM_GRAPH_URL", "https://graph.microsoft.com/v1.0")
    google_credentials: str | None = _env("TANDEM_GOOGLE_CREDENTIALS")
    google_delegate: str | None = _env("TANDEM_GOOGLE_DELEGATE")
    google_api_url: str = _env("TANDEM_GOOGLE_API_URL", "https://www.googleapis.com")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"{value!r} is not a database URL") from exc
        # Accept the URLs people copy from their provider and pick the async driver for them.
        drivers = {
            "sqlite": "sqlite+aiosqlite",
            "sqlite+aiosqlite": "sqlite+aiosqlite",
            "postgres": "postgresql+asyncpg",
            "postgresql": "postgresql+asyncpg",
            "postgresql+asyncpg": "postgresql+asyncpg",
        }
        if url.drivername not in drivers:
            raise ValueError(
                f"unsupported database {url.drivername!r} (use sqlite+aiosqlite or "
                "postgresql+asyncpg)"
            )
        return url.set(drivername=drivers[url.drivername]).render_as_string(hide_password=False)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        return _http_url(value).rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        return _http_url(value).rstrip("/") + "/"

    @field_validator("graph_login_url", "graph_url", "google_api_url")
    @classmethod
    def _provider_urls(cls, value: str) -> str:
        url = _http_url(value).rstrip("/")
        # Credentials go there: never over plain HTTP, except to a fake on this machine.
        if urlsplit(url).scheme != "https" and not is_loopback(urlsplit(url).hostname or ""):
            raise ValueError(f"{value!r} must use https (http only on a loopback address)")
        return url

    @field_validator("google_credentials")
    @classmethod
    def _google_credentials(cls, value: str | None) -> str | None:
        if not value:
            return None
        import json
        from pathlib import Path

        try:
            key = json.loads(Path(value).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read the service account key file {value!r}") from exc
        missing = [k for k in ("client_email", "private_key", "token_uri") if k not in key]
        if missing:
            raise ValueError(f"{value!r} is not a service account key file (no {missing[0]})")
        return value

    @model_validator(mode="after")
    def _calendar_providers(self) -> Settings:
        graph = (self.graph_tenant_id, self.graph_client_id, self.graph_client_secret)
        if any(graph) and not all(graph):
            raise ValueError(
                "TANDEM_GRAPH_TENANT_ID, TANDEM_GRAPH_CLIENT_ID and TANDEM_GRAPH_CLIENT_SECRET "
                "go together"
            )
        if self.google_credentials and not self.google_delegate:
            raise ValueError(
                "TANDEM_GOOGLE_DELEGATE names the Workspace user the service account acts as"
            )
        return self

    @field_validator("teams_openid_metadata_url")
    @classmethod
    def _teams_openid_metadata_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        url = _http_url(value)
        # The signing keys decide who may act as anyone in Teams: never over plain HTTP,
        # except to a fake issuer on this machine.
        if urlsplit(url).scheme != "https" and not is_loopback(urlsplit(url).hostname or ""):
            raise ValueError(f"{value!r} must use https (http only on a loopback address)")
        return url

    @field_validator("slack_team_ids", "teams_tenant_ids", "admins", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split_commas(value)

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in SUPPORTED_LOCALES:
            raise ValueError(
                f"unknown locale {value!r} (use one of {', '.join(SUPPORTED_LOCALES)})"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Paris)") from exc
        return value

    @field_validator("quiet_hours_text")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        QuietHours.parse(value)
        return value

    @field_validator("microsoft_app_type")
    @classmethod
    def _app_type(cls, value: str) -> str:
        kinds = {
            "multitenant": "MultiTenant",
            "singletenant": "SingleTenant",
            "userassignedmsi": "UserAssignedMSI",
        }
        if value.lower() not in kinds:
            raise ValueError(f"{value!r} is not one of {', '.join(kinds.values())}")
        return kinds[value.lower()]

    @property
    def quiet_hours(self) -> QuietHours | None:
        return QuietHours.parse(self.quiet_hours_text)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_client_id))

    @property
    def teams_authenticated(self) -> bool:
        return bool(self.microsoft_app_id)


def load_settings(**overrides: Any) -> Settings:
    """Read the environment; a wrong value raises SettingsError naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        info = Settings.model_fields.get(field)
        alias = info.validation_alias if info else None
        name = alias.choices[0] if isinstance(alias, AliasChoices) else field.upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        if not error["loc"]:  # a rule across variables names them itself
            raise SettingsError(message) from None
        raise SettingsError(f"{name}: {message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
