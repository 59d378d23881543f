"""No Docker engine runs here: check that the container files say what they must."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import AliasChoices

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def contract_variables() -> set[str]:
    names = set()
    for info in Settings.model_fields.values():
        alias = info.validation_alias
        assert isinstance(alias, AliasChoices)
        names.add(str(alias.choices[0]))
    return names


def test_settings_cover_the_design_contract_table() -> None:
    assert contract_variables() == {
        "TANDEM_DATABASE_URL", "TANDEM_PUBLIC_URL", "TANDEM_SECRET_KEY", "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN",
        "SLACK_API_URL", "TANDEM_SLACK_TEAM_IDS", "TANDEM_TEAMS_TENANT_IDS", "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TYPE",
        "TANDEM_TEAMS_OPENID_METADATA_URL", "TANDEM_ADMINS", "TANDEM_LOCALE", "TANDEM_TIMEZONE", "TANDEM_QUIET_HOURS",
        "TANDEM_CONSOLE", "TANDEM_GRAPH_TENANT_ID", "TANDEM_GRAPH_CLIENT_ID",
        "TANDEM_GRAPH_CLIENT_SECRET", "TANDEM_GRAPH_LOGIN_URL", "TANDEM_GRAPH_URL",
        "TANDEM_GOOGLE_CREDENTIALS", "TANDEM_GOOGLE_DELEGATE", "TANDEM_GOOGLE_API_URL",
    }  # fmt: skip


def test_compose_runs_postgres_16_migrations_once_then_the_server() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:16"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert set(compose["volumes"]) == {"postgres-data"}
    assert services["migrate"]["command"] == ["tandem", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["tandem"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    for name in ("migrate", "tandem"):
        env = services[name]["environment"]
        # Every contract variable except the console, which never runs in a container.
        assert contract_variables() - {"TANDEM_CONSOLE"} <= set(env), name
        assert env["TANDEM_DATABASE_URL"].startswith("postgresql+asyncpg://")


def test_dockerfile_runs_serve_as_a_non_root_user_with_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    final = stages[-1]
    assert final.startswith("python:3.11-slim")
    assert re.search(r"^USER (?!root)\w+", final, flags=re.M)
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", final, flags=re.M)
    assert 'CMD ["tandem", "serve", "--host", "0.0.0.0", "--port", "3978"]' in final
    for build_tool in ("gcc", "build-essential", "apt-get install"):
        assert build_tool not in final


def test_readme_documents_every_variable_and_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in contract_variables():
        assert f"`{name}`" in readme, name
    assert "make demo" in readme and "make test" in readme
