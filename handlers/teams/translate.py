"""Teams activities as the core's ``Inbound`` events."""

from __future__ import annotations

import re
from typing import Any

from dialogs.core.events import Actor, Inbound, InboundKind
from dialogs.core.ui import ActionRef, MessageRef
from handlers.teams.forms import FORM_VERB, submitted_values

ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
SHARED_CONVERSATIONS = frozenset({"channel", "groupChat"})


def _client_info(body: dict[str, Any]) -> dict[str, Any]:
    for entity in body.get("entities") or []:
        if entity.get("type") == "clientInfo":
            return dict(entity)
    return {}


def tenant_of(body: dict[str, Any]) -> str:
    tenant = ((body.get("channelData") or {}).get("tenant") or {}).get("id")
    tenant = tenant or (body.get("conversation") or {}).get("tenantId")
    return tenant if isinstance(tenant, str) else ""


def actor_of(body: dict[str, Any]) -> Actor:
    sender = body.get("from") or {}
    info = _client_info(body)
    locale = body.get("locale") or info.get("locale")
    timezone = info.get("timezone")
    name = sender.get("name")
    return Actor(
        platform="teams",
        tenant_id=tenant_of(body),
        user_id=str(sender.get("aadObjectId") or sender.get("id")),
        locale_hint=locale if isinstance(locale, str) else None,
        timezone=timezone if isinstance(timezone, str) else None,
        display_name=name if isinstance(name, str) else None,
    )


def team_of(body: dict[str, Any]) -> dict[str, Any]:
    """``channelData.team`` (id, name) of an activity in a team, else empty."""
    team = (body.get("channelData") or {}).get("team")
    return team if isinstance(team, dict) else {}


def channel_id_of(body: dict[str, Any]) -> str | None:
    """The team channel an activity came from (without a thread's ``;messageid=``)."""
    conversation = body.get("conversation") or {}
    if conversation.get("conversationType") != "channel" or not team_of(body).get("id"):
        return None
    conversation_id = conversation.get("id")
    return conversation_id.split(";")[0] if isinstance(conversation_id, str) else None


def is_personal(body: dict[str, Any]) -> bool:
    kind = (body.get("conversation") or {}).get("conversationType") or "personal"
    return bool(kind == "personal")


def _ref(data: dict[str, Any]) -> ActionRef | None:
    try:
        return ActionRef.decode(str(data.get("ref", "")))
    except ValueError:
        return None  # forged or missing: the core answers politely


def _card_data(body: dict[str, Any], data: dict[str, Any], verb: str | None) -> Inbound:
    actor = actor_of(body)
    conversation_id = (body.get("conversation") or {}).get("id", "")
    source = (
        MessageRef("teams", conversation_id, body["replyToId"]) if body.get("replyToId") else None
    )
    common: dict[str, Any] = {
        "ref": _ref(data),
        "in_channel": not is_personal(body),
        "source": source,
        "event_id": body.get("id"),
    }
    if verb == FORM_VERB or "multi" in data:
        return Inbound(actor, "submission", values=submitted_values(data), **common)
    value = data.get("value", "")
    return Inbound(actor, "action", action=verb, value=str(value), **common)


def inbound_of(body: dict[str, Any], bot_id: str) -> Inbound | None:
    """The core's event for one activity, or None for activities the bot ignores."""
    kind = body.get("type")
    actor = actor_of(body)
    in_channel = not is_personal(body)
    if kind == "message":
        value = body.get("value")
        if isinstance(value, dict):  # an Action.Submit
            verb = value.get("verb") or value.get("action")
            return _card_data(body, value, verb if isinstance(verb, str) else None)
        text = _MENTION.sub(" ", body.get("text") or "").strip()
        message_kind: InboundKind = "message"
        return Inbound(
            actor,
            message_kind,
            text=text,
            in_channel=in_channel,
            event_id=body.get("id"),
            channel_id=channel_id_of(body),
        )
    if kind == "invoke" and body.get("name") == ADAPTIVE_CARD_ACTION:
        action = (body.get("value") or {}).get("action")
        if not isinstance(action, dict):
            return None
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        verb = action.get("verb")
        return _card_data(body, data or {}, verb if isinstance(verb, str) else None)
    added = kind == "conversationUpdate" and any(
        isinstance(m, dict) and m.get("id") == bot_id for m in body.get("membersAdded") or []
    )
    installed = kind == "installationUpdate" and body.get("action") in {"add", None}
    if added or installed:
        return Inbound(actor, "installed", in_channel=in_channel, event_id=body.get("id"))
    return None
