"""The Slack and Teams adapters side by side: the same role has the same module name on both,
and no adapter knows a capability (it sees only the core and the notifier)."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import dialogs
import handlers
import handlers.slack
import handlers.teams

# One module per role every chat platform has.
SHARED = {
    "app",  # wiring into the aiohttp application
    "channel",  # proactive delivery for the notifier
    "config",  # settings handed over by the entry module
    "deliver",  # an outcome back to the platform
    "forms",  # forms as the platform shows them, submissions back
    "guard",  # bad requests turned away before the SDK sees them
    "inbox",  # record before the ack, then process
    "markup",  # typed content in the platform's text markup
    "people",  # who is talking: what the platform tells of the sender
    "recovery",  # finishing what a dead process left behind
    "render",  # neutral messages as the platform's cards
    "translate",  # inbound payloads as the core's events
    "web_client",  # the client every outbound call goes through
}
# files: Slack takes the file itself (the upload flow); Teams and the console get a link.
SLACK_ONLY = {"files", "installation_store", "listeners", "oauth", "payload_shape", "socket_mode"}
TEAMS_ONLY = {
    "package",
    "private",
    "references",
    "retry",
    "signing_keys",
    "team_channels",
    "validated_tokens",
}
# Every package of dialogs/ but the core and the notifier is a capability.
CAPABILITIES = {info.name for info in pkgutil.iter_modules(dialogs.__path__) if info.ispkg} - {
    "core",
    "notify",
}


def modules(package_path: list[str]) -> set[str]:
    return {info.name for info in pkgutil.iter_modules(package_path)}


def test_the_same_role_has_the_same_module_name_on_slack_and_teams() -> None:
    assert modules(list(handlers.slack.__path__)) == SHARED | SLACK_ONLY
    assert modules(list(handlers.teams.__path__)) == SHARED | TEAMS_ONLY


def test_no_adapter_imports_a_capability() -> None:
    found = []
    for path in Path(next(iter(handlers.__path__))).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "dialogs" and len(parts) > 1 and parts[1] in CAPABILITIES:
                    found.append(f"{path.name}: {name}")
    assert found == []
