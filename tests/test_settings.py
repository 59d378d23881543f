"""Every contract variable is read, and a wrong value names the variable in one line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.quiet_hours import QuietHours
from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(("TANDEM_", "SLACK_", "MICROSOFT_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(str(tmp_path))  # no stray .env


def test_defaults_follow_the_contract_table() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./tandem.db"
    assert settings.public_url == "http://127.0.0.1:3978"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.locale == "fr" and settings.timezone == "Europe/Paris"
    assert str(settings.quiet_hours) == "20:00-08:00,sat,sun"
    assert settings.secret_key is None and settings.console is None
    assert settings.slack_team_ids == [] and settings.admins == []
    assert not settings.slack_enabled and not settings.teams_authenticated


def test_every_variable_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "TANDEM_DATABASE_URL": "postgresql://tandem@db.internal/tandem",
        "TANDEM_PUBLIC_URL": "https://tandem.example.com/",
        "TANDEM_SECRET_KEY": "k" * 44,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "cs",
        "SLACK_APP_TOKEN": "xapp-1",
        "SLACK_API_URL": "http://127.0.0.1:9999/api",
        "TANDEM_SLACK_TEAM_IDS": "T1, T2",
        "TANDEM_TEAMS_TENANT_IDS": "tenant-a",
        "MICROSOFT_APP_ID": "app-id",
        "MICROSOFT_APP_PASSWORD": "pw",
        "MICROSOFT_APP_TENANT_ID": "tenant-a",
        "MICROSOFT_APP_TYPE": "singletenant",
        "TANDEM_ADMINS": "rh@example.com,U123",
        "TANDEM_LOCALE": "EN",
        "TANDEM_TIMEZONE": "America/Montreal",
        "TANDEM_QUIET_HOURS": "off",
        "TANDEM_CONSOLE": "true",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    s = load_settings()
    assert s.database_url == "postgresql+asyncpg://tandem@db.internal/tandem"
    assert s.public_url == "https://tandem.example.com"
    assert s.secret_key == "k" * 44
    assert (s.slack_bot_token, s.slack_signing_secret) == ("xoxb-1", "s3cret")
    assert (s.slack_client_id, s.slack_client_secret, s.slack_app_token) == (
        "111.222",
        "cs",
        "xapp-1",
    )
    assert s.slack_api_url == "http://127.0.0.1:9999/api/"
    assert s.slack_team_ids == ["T1", "T2"] and s.teams_tenant_ids == ["tenant-a"]
    assert (s.microsoft_app_id, s.microsoft_app_password) == ("app-id", "pw")
    assert s.microsoft_app_tenant_id == "tenant-a" and s.microsoft_app_type == "SingleTenant"
    assert s.admins == ["rh@example.com", "U123"]
    assert s.locale == "en" and s.timezone == "America/Montreal"
    assert s.quiet_hours is None and s.console is True
    assert s.slack_enabled and s.teams_authenticated


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text("TANDEM_LOCALE=en\nTANDEM_TIMEZONE=Asia/Singapore\n")
    s = load_settings()
    assert (s.locale, s.timezone) == ("en", "Asia/Singapore")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TANDEM_DATABASE_URL", "mysql://x@y/z", "TANDEM_DATABASE_URL: unsupported database"),
        ("TANDEM_DATABASE_URL", "not a url", "TANDEM_DATABASE_URL:"),
        ("TANDEM_PUBLIC_URL", "tandem.example.com", "TANDEM_PUBLIC_URL: 'tandem.example.com'"),
        ("SLACK_API_URL", "ftp://x", "SLACK_API_URL:"),
        ("TANDEM_LOCALE", "de", "TANDEM_LOCALE: unknown locale 'de'"),
        ("TANDEM_TIMEZONE", "Mars/Olympus", "TANDEM_TIMEZONE: 'Mars/Olympus' is not an IANA"),
        ("TANDEM_QUIET_HOURS", "22h-7h", "TANDEM_QUIET_HOURS:"),
        ("TANDEM_QUIET_HOURS", "20:00-08:00,someday", "TANDEM_QUIET_HOURS: unknown day"),
        ("MICROSOFT_APP_TYPE", "Tenantless", "MICROSOFT_APP_TYPE:"),
        ("TANDEM_CONSOLE", "maybe", "TANDEM_CONSOLE:"),
    ],
)
def test_a_wrong_value_names_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_quiet_hours_wrap_midnight_and_skip_weekends() -> None:
    quiet = QuietHours.parse("20:00-08:00,sat,sun")
    assert quiet is not None
    friday_evening = datetime(2026, 11, 27, 20, 30, tzinfo=UTC)  # 21:30 in Paris
    assert quiet.is_quiet(friday_evening.astimezone(ZoneInfo("Europe/Paris")))
    # Friday 21:30 in Paris waits until Monday 08:00 Paris time (07:00 UTC in winter).
    assert quiet.next_allowed(friday_evening, "Europe/Paris") == datetime(
        2026, 11, 30, 7, 0, tzinfo=UTC
    )
    tuesday_noon = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert quiet.next_allowed(tuesday_noon, "Europe/Paris") == tuesday_noon
    # 06:00 in Singapore on a Wednesday waits until 08:00 local.
    early = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # Wed 06:00 in Singapore
    assert quiet.next_allowed(early, "Asia/Singapore") == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


def test_calendar_providers_are_set_up_whole_or_not_at_all(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TANDEM_GRAPH_TENANT_ID, TANDEM_GRAPH_CLIENT_ID"):
        load_settings(graph_tenant_id="contoso", graph_client_id="app")
    with pytest.raises(SettingsError, match=r"TANDEM_GRAPH_URL: .* must use https"):
        load_settings(graph_url="http://graph.example.com/v1.0")
    with pytest.raises(SettingsError, match="TANDEM_GOOGLE_CREDENTIALS: cannot read"):
        load_settings(google_credentials=str(tmp_path / "missing.json"))
    key = tmp_path / "key.json"
    key.write_text('{"client_email": "x@y.iam.gserviceaccount.com"}')
    with pytest.raises(SettingsError, match="not a service account key file"):
        load_settings(google_credentials=str(key))
    key.write_text('{"client_email": "x", "private_key": "k", "token_uri": "https://t"}')
    with pytest.raises(SettingsError, match="TANDEM_GOOGLE_DELEGATE"):
        load_settings(google_credentials=str(key))
    settings = load_settings(google_credentials=str(key), google_delegate="bot@acme.example")
    assert settings.google_credentials == str(key)
