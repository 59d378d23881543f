"""Reading Adaptive Cards the way a Teams client would: texts, buttons, inputs, clicks."""

from __future__ import annotations

from typing import Any

from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.teams.conftest import APP_ID, activity

Json = dict[str, Any]


def bearer(issuer: FakeOpenIdIssuer, connector: FakeBotConnector) -> dict[str, str]:
    return {"Authorization": issuer.authorization(app_id=APP_ID, service_url=connector.service_url)}


def card_of(sent: Json) -> Json:
    content: Json = sent["attachments"][0]["content"]
    return content


def _walk(node: Any) -> list[Json]:
    found: list[Json] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def texts(card: Json) -> str:
    """Everything a reader sees as text, one line per TextBlock or fact."""
    lines = []
    for node in _walk(card.get("body", [])):
        if node.get("type") == "TextBlock":
            lines.append(node["text"])
        elif node.get("type") == "FactSet":
            lines += [f"{f['title']}: {f['value']}" for f in node["facts"]]
    return "\n".join(lines)


def buttons(card: Json) -> list[Json]:
    """Buttons that call the bot back (``Action.Execute``), wherever they are in the card."""
    return [n for n in _walk(card) if n.get("type") == "Action.Execute"]


def button(card: Json, title: str) -> Json:
    [found] = [b for b in buttons(card) if b["title"] == title]
    return found


def inputs(card: Json) -> dict[str, Json]:
    return {
        n["id"]: n for n in _walk(card.get("body", [])) if str(n.get("type")).startswith("Input.")
    }


def click(
    service_url: str, pressed: Json, typed: dict[str, str] | None = None, **fields: Any
) -> Json:
    """The ``adaptiveCard/action`` invoke Teams sends for a click (inputs merged in data)."""
    return activity(
        service_url,
        type="invoke",
        name="adaptiveCard/action",
        replyToId=fields.pop("replyToId", "1:1"),
        value={
            "action": {
                "type": "Action.Execute",
                "verb": pressed["verb"],
                "data": {**pressed.get("data", {}), **(typed or {})},
            },
            "trigger": "manual",
        },
        **fields,
    )
