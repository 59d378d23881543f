"""Check one Slack Web API call against Slack's OpenAPI spec and slack_sdk's Block Kit models.

The spec (2021) is read from ``tests/specs/slack/slack_web_openapi_v2.json``; newer methods
come from ``slack_spec_supplement.json`` beside this file. The checks verify that the method
exists, that required arguments are present and that arguments have the right type. Extra
arguments are allowed and the HTTP verb is not checked, because slack_sdk sends ``views.*``
as POST (the spec says GET) and adds arguments the spec does not list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from tests.fakes.specs import specs_dir

SUPPLEMENT_PATH = Path(__file__).with_name("slack_spec_supplement.json")

# DESIGN.md's platform limits.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MODAL_TITLE = 24
MAX_PRIVATE_METADATA = 3000

# Arguments whose value is JSON: a URL-encoded string in a form body, a native value in a
# JSON body.
JSON_ARGUMENTS: dict[str, type] = {
    "blocks": list,
    "attachments": list,
    "files": list,
    "view": dict,
    "metadata": dict,
}
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    type: str
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    parameters: dict[str, Parameter]
    source: str
    app_token: bool = False


def _methods_of(document: dict[str, Any], source: str) -> dict[str, MethodSpec]:
    methods: dict[str, MethodSpec] = {}
    for path, operations in document["paths"].items():
        name = path.lstrip("/")
        for operation in operations.values():
            parameters = {
                p["name"]: Parameter(
                    name=p["name"],
                    location=p.get("in", "formData"),
                    type=p.get("type", "string"),
                    required=bool(p.get("required", False)),
                )
                for p in operation.get("parameters", [])
            }
            app_token = any(p.get("x-token-type") == "app" for p in operation.get("parameters", []))
            methods[name] = MethodSpec(name, parameters, source, app_token)
    return methods


@cache
def method_specs() -> dict[str, MethodSpec]:
    """Every known method: the OpenAPI spec, overridden by the supplement."""
    spec_path = specs_dir() / "slack" / "slack_web_openapi_v2.json"
    with spec_path.open(encoding="utf-8") as spec_file:
        methods = _methods_of(json.load(spec_file), "openapi")
    methods.update(_methods_of(_supplement(), "supplement"))
    return methods


@cache
def _supplement() -> dict[str, Any]:
    with SUPPLEMENT_PATH.open(encoding="utf-8") as supplement_file:
        document: dict[str, Any] = json.load(supplement_file)
    return document


def retired_methods() -> dict[str, str]:
    """Methods Slack has switched off, with the replacement to use."""
    retired: dict[str, str] = _supplement()["retired"]
    return retired


def check_arguments(method: str, args: dict[str, Any], *, has_token: bool) -> list[str]:
    """Spec problems of one call; ``args`` are strings (form, query) or JSON values."""
    retired = retired_methods()
    if method in retired:
        return [f"{method} is retired: {retired[method]}"]
    spec = method_specs().get(method)
    if spec is None:
        return [f"{method} is not a Slack Web API method (neither in the spec nor the supplement)"]
    problems: list[str] = []
    for parameter in spec.parameters.values():
        if parameter.name == "token":
            if parameter.required and not has_token:
                problems.append(f"{method}: no token (Authorization header or token argument)")
            continue
        value = args.get(parameter.name)
        if value is None or value == "":
            if parameter.required:
                problems.append(f"{method}: required argument {parameter.name!r} is missing")
            continue
        problem = _type_problem(parameter, value)
        if problem:
            problems.append(f"{method}: argument {parameter.name!r} {problem}")
    return problems


def _type_problem(parameter: Parameter, value: Any) -> str | None:
    expected_json = JSON_ARGUMENTS.get(parameter.name)
    if expected_json is not None:
        decoded = value
        if isinstance(value, str):
            try:
                decoded = json.loads(value)
            except ValueError:
                return "is not valid JSON"
        if not isinstance(decoded, expected_json):
            kind = "array" if expected_json is list else "object"
            return f"must be a JSON {kind}, got {type(decoded).__name__}"
        return None
    if isinstance(value, (dict, list)):
        return f"must be a {parameter.type}, got a JSON {type(value).__name__}"
    text = value if isinstance(value, str) else None
    if parameter.type == "boolean":
        if isinstance(value, bool) or value in (0, 1):
            return None
        if text is not None and text.lower() in {"true", "false", "1", "0"}:
            return None
        return f"must be a boolean, got {value!r}"
    if parameter.type in {"number", "integer"}:
        if isinstance(value, bool):
            return f"must be {_article(parameter.type)}, got {value!r}"
        if parameter.type == "integer" and isinstance(value, float):
            return f"must be an integer, got {value!r}"
        try:
            int(value) if parameter.type == "integer" else float(value)
        except (TypeError, ValueError):
            return f"must be {_article(parameter.type)}, got {value!r}"
        return None
    if parameter.type == "string" and isinstance(value, bool):
        return f"must be a string, got {value!r}"
    return None


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def decode_json_argument(value: Any) -> Any:
    """The JSON value of a ``blocks``/``view`` argument, or ``None`` if it cannot be read."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def check_blocks(
    blocks: Any, *, limit: int = MAX_MESSAGE_BLOCKS, where: str = "blocks"
) -> list[str]:
    """Problems of a list of Block Kit blocks, per slack_sdk's models and DESIGN.md's limit."""
    if not isinstance(blocks, list):
        return [f"{where} must be a list of blocks"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{where} has {len(blocks)} blocks, more than the limit of {limit}")
    for index, raw in enumerate(blocks):
        if not isinstance(raw, dict):
            problems.append(f"{where}[{index}] is not an object")
            continue
        try:
            block = Block.parse(dict(raw))
            if block is None:
                problems.append(f"{where}[{index}] has an unknown block type {raw.get('type')!r}")
                continue
            # to_dict() runs validate_json() on the block and every nested element.
            block.validate_json()
            block.to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as error:
            problems.append(f"{where}[{index}] ({raw.get('type')}): {error}")
    return problems


def check_view(view: Any) -> list[str]:
    """Problems of a modal or App Home view, per slack_sdk's View model and DESIGN.md."""
    if not isinstance(view, dict):
        return ["view must be a JSON object"]
    problems: list[str] = []
    view_type = view.get("type")
    if view_type not in {"modal", "home"}:
        problems.append(f"view type must be 'modal' or 'home', got {view_type!r}")
    blocks = view.get("blocks", [])
    problems += check_blocks(blocks, limit=MAX_VIEW_BLOCKS, where="view.blocks")
    if view_type == "modal":
        title = view.get("title")
        title_text = title.get("text") if isinstance(title, dict) else title
        if not isinstance(title_text, str) or not title_text:
            problems.append("a modal needs a title")
        elif len(title_text) > MAX_MODAL_TITLE:
            problems.append(
                f"modal title {title_text!r} has {len(title_text)} characters, "
                f"more than {MAX_MODAL_TITLE}"
            )
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks or [])
        if has_input and not view.get("submit"):
            problems.append("a modal with input blocks needs a submit button")
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
        problems.append(
            f"private_metadata has {len(metadata)} characters, more than {MAX_PRIVATE_METADATA}"
        )
    try:
        model = View(**view)
        model.validate_json()
        model.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as error:
        problems.append(f"view: {error}")
    return problems


def check_call(method: str, args: dict[str, Any], *, has_token: bool) -> list[str]:
    """Every problem of one call: spec arguments, then its blocks and view."""
    problems = check_arguments(method, args, has_token=has_token)
    if "blocks" in args and method in MESSAGE_METHODS | {"files.completeUploadExternal"}:
        blocks = decode_json_argument(args["blocks"])
        if blocks is not None:
            problems += [f"{method}: {p}" for p in check_blocks(blocks)]
    if "view" in args and method in VIEW_METHODS:
        view = decode_json_argument(args["view"])
        if view is not None:
            problems += [f"{method}: {p}" for p in check_view(view)]
    if method in {"chat.postMessage", "chat.postEphemeral"} and not any(
        args.get(name) for name in ("text", "blocks", "attachments")
    ):
        problems.append(f"{method}: needs text, blocks or attachments (Slack answers no_text)")
    return problems
