"""``manifest.json`` asks for exactly what the code uses: no missing scope, no spare one.

The Web API methods are found by scanning ``handlers/slack/**/*.py`` for ``client.<method>(``,
the events from the ``@app.event(...)`` listeners, the command from ``@app.command``. Each
method or event maps to the bot scopes Slack documents for it (table below).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from handlers.slack.channel import SlackChannel
from handlers.slack.listeners.commands import COMMAND
from handlers.slack.oauth import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[2]
SLACK_CODE = ROOT / "handlers" / "slack"

# Web API method -> bot scopes (https://api.slack.com/methods, "Required scopes").
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "conversations.open": frozenset({"im:write"}),  # + mpim:write for several users, below
    "users.info": frozenset({"users:read"}),  # + users:read.email when the email is read
    "views.open": frozenset(),
    "views.update": frozenset(),
    "views.push": frozenset(),
    "views.publish": frozenset(),
    "chat.delete": frozenset({"chat:write"}),
    # files_upload_v2: files.getUploadURLExternal and files.completeUploadExternal
    "files.upload_v2": frozenset({"files:write"}),
    "files.delete": frozenset({"files:write"}),
}
# Listener event -> (manifest bot event, scopes). Our "message" listener serves DMs only.
EVENT_SUBSCRIPTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "message": ("message.im", frozenset({"im:history"})),
    "app_mention": ("app_mention", frozenset({"app_mentions:read"})),
    "app_home_opened": ("app_home_opened", frozenset()),
}


def manifest() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text())
    return result


def source() -> str:
    return "\n".join(path.read_text() for path in sorted(SLACK_CODE.rglob("*.py")))


def methods_called(code: str) -> set[str]:
    """``client.chat_postMessage(`` -> ``chat.postMessage``."""
    return {name.replace("_", ".", 1) for name in re.findall(r"\bclient\.([a-z]+_\w+)\(", code)}


def events_listened(code: str) -> set[str]:
    return set(re.findall(r"@app\.event\(\"([\w.]+)\"\)", code))


def scopes_used() -> set[str]:
    code = source()
    methods = methods_called(code)
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"add the scopes of {sorted(unknown)} to METHOD_SCOPES"
    scopes: set[str] = set().union(*(METHOD_SCOPES[m] for m in methods))
    if "conversations.open" in methods and hasattr(SlackChannel, "introduce"):
        scopes.add("mpim:write")  # introductions open one DM with several people
    if "users.info" in methods and re.search(r"\.get\(\"email\"\)", code):
        scopes.add("users:read.email")
    for event in events_listened(code):
        scopes |= EVENT_SUBSCRIPTIONS[event][1]
    if "@app.command(" in code:
        scopes.add("commands")
    return scopes


def test_the_scan_finds_what_the_code_does() -> None:
    code = source()
    assert {"chat.postMessage", "conversations.open", "users.info"} <= methods_called(code)
    assert events_listened(code) == set(EVENT_SUBSCRIPTIONS)


def test_bot_scopes_are_exactly_those_the_code_uses() -> None:
    declared = set(manifest()["oauth_config"]["scopes"]["bot"])
    used = scopes_used()
    assert used - declared == set(), "used but not declared"
    assert declared - used == set(), "declared but never used"
    assert set(BOT_SCOPES) == declared  # what the OAuth install asks for


def test_bot_events_are_exactly_those_listened_to() -> None:
    declared = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    listened = {EVENT_SUBSCRIPTIONS[event][0] for event in events_listened(source())}
    assert declared == listened


def test_the_command_and_interactivity_are_declared() -> None:
    features = manifest()["features"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    interactivity = manifest()["settings"]["interactivity"]
    code = source()
    assert interactivity["is_enabled"] == ("@app.action(" in code or "@app.view(" in code)
    assert ("message_menu_options_url" in interactivity) == ("@app.options(" in code)
