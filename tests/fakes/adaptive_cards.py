"""Check Adaptive Cards against the official 1.5 schema (``tests/specs/teams``) and Teams' limits.

The schema (draft-06) compiles with Python's ``re``: its 20 patterns use no ``\\p{…}``
classes, so pattern checks stay on. Format checks are off (jsonschema's default), since the
schema uses formats only as hints.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from tests.fakes.specs import specs_dir

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
TEAMS_CARD_VERSION = (1, 5)
# Teams refuses messages over about 40 KB (https://learn.microsoft.com/microsoftteams/platform/
# bots/how-to/format-your-bot-messages); measured on the serialised activity.
MAX_MESSAGE_BYTES = 40 * 1024


@cache
def card_validator() -> jsonschema.protocols.Validator:
    path = specs_dir() / "teams" / "adaptive-card-1.5.0.schema.json"
    with path.open(encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


def _version(text: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return None


def _explain(error: ValidationError) -> ValidationError:
    """Descend into anyOf branches to the one whose ``type`` matched the element."""
    while error.context:
        branches: dict[object, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        matching = [
            subs
            for subs in branches.values()
            if not any(
                s.validator in {"enum", "const"} and list(s.relative_path) == ["type"] for s in subs
            )
        ]
        if len(matching) != 1:
            break
        error = best_match(matching[0])
    return error


def _without_teams_extensions(node: Any) -> Any:
    """Teams accepts ``"style": "filtered"`` on a 1.5 ``Input.ChoiceSet`` (a searchable list;
    the value entered the schema in 1.6): validate such a list as the compact one it falls
    back to elsewhere, and everything else as it is."""
    if isinstance(node, list):
        return [_without_teams_extensions(item) for item in node]
    if isinstance(node, dict):
        copy = {key: _without_teams_extensions(value) for key, value in node.items()}
        if copy.get("type") == "Input.ChoiceSet" and copy.get("style") == "filtered":
            copy["style"] = "compact"
        return copy
    return node


def check_adaptive_card(card: Any, *, where: str = "card") -> list[str]:
    """Problems of one Adaptive Card: the 1.5 schema, and a version Teams can show."""
    if not isinstance(card, dict):
        return [f"{where} is not a JSON object"]
    problems: list[str] = []
    version = _version(card.get("version"))
    if version is None:
        problems.append(f"{where}: version {card.get('version')!r} is not like '1.5'")
    elif version > TEAMS_CARD_VERSION:
        problems.append(f"{where}: version {card['version']} is newer than Teams' 1.5")
    errors = list(card_validator().iter_errors(_without_teams_extensions(card)))
    if errors:
        # The root is an anyOf, so the useful message is the deepest best match.
        error = _explain(best_match(errors))
        path = "/".join(str(part) for part in error.absolute_path) or "(root)"
        problems.append(f"{where} fails the Adaptive Cards 1.5 schema at {path}: {error.message}")
    return problems


def check_activity_cards(activity: dict[str, Any]) -> list[str]:
    """Problems of every Adaptive Card attached to one activity."""
    problems: list[str] = []
    attachments = activity.get("attachments") or []
    if not isinstance(attachments, list):
        return ["attachments is not a list"]
    for index, attachment in enumerate(attachments):
        if isinstance(attachment, dict) and attachment.get("contentType") == ADAPTIVE_CARD:
            problems += check_adaptive_card(
                attachment.get("content"), where=f"attachments[{index}]"
            )
    return problems
