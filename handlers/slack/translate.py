"""Slack payloads -> ``Inbound`` + where to answer + the dedupe key.

Anything Slack sends is untrusted: missing fields give empty strings, and a reference we did
not write (forged or corrupted) becomes ``ref=None`` for the core to answer politely.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from dialogs.core.events import Actor, Inbound
from dialogs.core.ui import ActionRef, MessageRef
from handlers.slack import forms, render
from handlers.slack.deliver import Origin

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Slack wraps what it recognises: <mailto:a@b.c|a@b.c>, <https://x|x>, <#C123|general>.
# Emails and links go back to what the person typed; channel references stay (announce).
MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")
LINK = re.compile(r"<((?:https?|ftp)://[^|>]+)(?:\|[^>]*)?>")


def typed_text(text: str) -> str:
    """The words as typed, from Slack's escaped form of a message or command (Slack also
    turns the person's own &, < and > into entities)."""
    text = LINK.sub(r"\1", MAILTO.sub(r"\1", text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


@dataclass(frozen=True)
class Translated:
    inbound: Inbound
    origin: Origin
    key: str  # unique per delivery of the same interaction (dedupe)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def team_of(body: dict[str, Any]) -> str:
    return _str(body.get("team_id")) or _str(_dict(body.get("team")).get("id"))


def _actor(team_id: str, user_id: str) -> Actor:
    return Actor(platform="slack", tenant_id=team_id, user_id=user_id)


def command(body: dict[str, Any]) -> Translated:
    team, user, channel = team_of(body), _str(body.get("user_id")), _str(body.get("channel_id"))
    trigger = _str(body.get("trigger_id"))
    in_channel = bool(channel) and not channel.startswith("D")
    inbound = Inbound(
        actor=_actor(team, user),
        kind="command",
        text=typed_text(_str(body.get("text"))),
        in_channel=in_channel,
        can_open_form=bool(trigger),
        event_id=f"command:{trigger}",
    )
    origin = Origin(team, user, channel or None, in_channel, False, trigger or None)
    return Translated(inbound, origin, f"command:{trigger}")


def message_event(body: dict[str, Any], *, mention: bool) -> Translated:
    event = _dict(body.get("event"))
    team = team_of(body) or _str(event.get("team"))
    user, channel = _str(event.get("user")), _str(event.get("channel"))
    text = MENTION.sub("", _str(event.get("text"))).strip() if mention else _str(event.get("text"))
    in_channel = mention and not channel.startswith("D")
    event_id = _str(body.get("event_id"))
    inbound = Inbound(
        actor=_actor(team, user),
        kind="message",
        text=typed_text(text),
        in_channel=in_channel,
        can_open_form=False,
        event_id=event_id,
    )
    origin = Origin(team, user, channel or None, in_channel, bot_dm=not in_channel)
    return Translated(inbound, origin, f"event:{event_id}")


def home_opened(body: dict[str, Any]) -> Translated:
    event = _dict(body.get("event"))
    team, user = team_of(body), _str(event.get("user"))
    event_id = _str(body.get("event_id"))
    inbound = Inbound(
        actor=_actor(team, user), kind="home_opened", can_open_form=False, event_id=event_id
    )
    return Translated(inbound, Origin(team, user), f"event:{event_id}")


def _decode_ref(text: str) -> ActionRef | None:
    try:
        return ActionRef.decode(text)
    except ValueError:
        return None


def block_action(body: dict[str, Any]) -> Translated | None:
    """A click on one of our buttons, or None for an action that is not ours."""
    actions = body.get("actions")
    action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
    team, user = team_of(body), _str(_dict(body.get("user")).get("id"))
    action_id = _str(action.get("action_id"))
    if not action_id.startswith(render.ACTION_PREFIX):
        return None
    try:
        click = render.decode_click(action_id, _str(action.get("value")))
        name, ref, value = click.action, click.ref, click.value
    except ValueError:
        name, ref, value = action_id.rpartition(".")[2], None, ""
    container = _dict(body.get("container"))
    channel = _str(_dict(body.get("channel")).get("id")) or _str(container.get("channel_id"))
    message_ts = _str(container.get("message_ts"))
    ephemeral = bool(container.get("is_ephemeral"))
    source = (
        MessageRef("slack", channel, message_ts)
        if channel and message_ts and not ephemeral
        else None
    )
    trigger = _str(body.get("trigger_id"))
    in_channel = bool(channel) and not channel.startswith("D")
    key = f"action:{_str(action.get('action_ts'))}:{trigger}"
    inbound = Inbound(
        actor=_actor(team, user),
        kind="action",
        action=name,
        ref=ref,
        value=value,
        in_channel=in_channel,
        can_open_form=bool(trigger),
        source=source,
        event_id=key,
    )
    message = _dict(body.get("message"))
    shown = message.get("blocks")
    origin = Origin(
        team,
        user,
        channel or None,
        in_channel,
        False,
        trigger or None,
        source=source,
        source_blocks=tuple(b for b in shown if isinstance(b, dict))
        if isinstance(shown, list)
        else (),
        source_text=_str(message.get("text")),
    )
    return Translated(inbound, origin, key)


def view_submission(body: dict[str, Any]) -> Translated:
    view = _dict(body.get("view"))
    team, user = team_of(body), _str(_dict(body.get("user")).get("id"))
    # The view's id and hash alone do not tell a corrected resubmission (after
    # ``response_action: errors`` the view, and so its hash, is unchanged) from a double
    # click on Submit: what was typed does.
    typed = json.dumps(_dict(view.get("state")), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(typed.encode()).hexdigest()[:16]
    key = f"view:{_str(view.get('id'))}:{_str(view.get('hash'))}:{digest}"
    inbound = Inbound(
        actor=_actor(team, user),
        kind="submission",
        ref=_decode_ref(_str(view.get("private_metadata"))),
        values=forms.submitted_values(view),
        can_open_form=False,
        event_id=key,
    )
    return Translated(inbound, Origin(team, user), key)


def from_body(body: dict[str, Any]) -> Translated | None:
    """A recorded payload translated again (recovery); None for a kind we do not handle."""
    if isinstance(body.get("command"), str):
        return command(body)
    match _str(body.get("type")):
        case "event_callback":
            match _str(_dict(body.get("event")).get("type")):
                case "message":
                    return message_event(body, mention=False)
                case "app_mention":
                    return message_event(body, mention=True)
                case "app_home_opened":
                    return home_opened(body)
        case "block_actions":
            return block_action(body)
        case "view_submission":
            return view_submission(body)
    return None
