"""`tandem serve`, `demo` and `db upgrade` as an operator runs them."""

from __future__ import annotations

import signal
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import create_postgres_database, drop_postgres_database
from tests.support.cli import (
    TANDEM,
    clean_env,
    free_port,
    http_get,
    tandem,
    wait_until_serving,
)

# A server gets 60 s to answer and 30 s to stop: more than the suite's default.
pytestmark = pytest.mark.timeout(180)


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = tandem("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "demo", "db", "people", "due", "forget"):
        assert command in result.stdout


def test_a_wrong_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = tandem("serve", cwd=tmp_path, env=clean_env(TANDEM_TIMEZONE="Paris"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tandem: TANDEM_TIMEZONE: 'Paris' is not an IANA time zone (e.g. Europe/Paris)"
    ]


def test_serve_refuses_a_postgresql_database_that_is_not_migrated(tmp_path: Path) -> None:
    url = create_postgres_database()
    try:
        env = clean_env(TANDEM_DATABASE_URL=url)
        refused = tandem("serve", "--port", str(free_port()), cwd=tmp_path, env=env)
        assert refused.returncode == 3
        assert "run `tandem db upgrade`" in refused.stderr

        upgraded = tandem("db", "upgrade", cwd=tmp_path, env=env)
        assert upgraded.returncode == 0, upgraded.stderr
        assert "upgraded from empty to" in upgraded.stdout
        again = tandem("db", "upgrade", cwd=tmp_path, env=env)
        assert "already at" in again.stdout
    finally:
        drop_postgres_database(url)


def test_serve_upgrades_sqlite_and_stops_gracefully_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'prod.db'}")
    process = subprocess.Popen(
        [*TANDEM, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(process, f"http://127.0.0.1:{port}/readyz", timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert '"server.stopping"' in err  # JSON logs under serve
    assert "TANDEM_SECRET_KEY is not set" in err


def test_demo_serves_a_seeded_organisation_within_a_minute(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*TANDEM, "demo", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(process, f"http://127.0.0.1:{port}/healthz", timeout=60)
        assert http_get(f"http://127.0.0.1:{port}/readyz")[0] == 200
        status, metrics = http_get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "tandem_due_actions_pending" in metrics
        status, page = http_get(f"http://127.0.0.1:{port}/console")
        assert status == 200 and "<html" in page.lower()
        status, people = http_get(f"http://127.0.0.1:{port}/console/api/people")
        assert status == 200 and people.count('"id"') >= 40
    finally:
        process.send_signal(signal.SIGINT)
        out, _err = process.communicate(timeout=30)
    assert (tmp_path / "tandem-demo.db").exists()
    assert f"http://127.0.0.1:{port}/console" in out


def test_slack_with_an_empty_signing_secret_stops_start_up(tmp_path: Path) -> None:
    env = clean_env(
        TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 's.db'}",
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="",
    )
    result = tandem("serve", "--port", str(free_port()), cwd=tmp_path, env=env)
    assert result.returncode == 3
    assert "SLACK_SIGNING_SECRET is empty" in result.stderr


def test_teams_is_off_without_credentials_beyond_loopback(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    process = subprocess.Popen(
        [*TANDEM, "serve", "--host", "0.0.0.0", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(process, f"http://127.0.0.1:{port}/healthz", timeout=60)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/messages",
            data=b'{"type": "message", "text": "help"}',
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=5)
            status = 200
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status == 503
        assert http_get(f"http://127.0.0.1:{port}/console")[0] == 404  # never beyond loopback
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert "MICROSOFT_APP_ID is not set and the server listens beyond loopback" in err


def test_teams_package_names_the_bot(tmp_path: Path) -> None:
    import json
    import zipfile

    missing = tandem("teams-package", "--out", "t.zip", cwd=tmp_path)
    assert missing.returncode == 2 and "MICROSOFT_APP_ID" in missing.stderr
    env = clean_env(MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000abc")
    built = tandem("teams-package", "--out", "t.zip", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(tmp_path / "t.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == "00000000-0000-0000-0000-000000000abc"


def test_a_busy_port_is_one_line_and_exit_code_3(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        expected = [
            f"tandem: port {port} is already in use; choose another with --port {port + 1} "
            f"or TANDEM_PORT={port + 1}"
        ]
        for args, env in (
            (("demo", "--port", str(port)), clean_env()),
            (("serve", "--port", str(port)), clean_env()),
            (("demo",), clean_env(TANDEM_PORT=str(port))),
        ):
            result = tandem(*args, cwd=tmp_path, env=env)
            assert result.returncode == 3, (args, result.stderr)
            assert result.stderr.strip().splitlines() == expected, args
            assert "Traceback" not in result.stdout + result.stderr
