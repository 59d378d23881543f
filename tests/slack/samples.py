"""Slack's own sample payloads, vendored in tests/specs/slack/samples (see tests/specs/SOURCES.md).

Each comes back as the parsed body bolt would see: a JSON event, the JSON inside an
interaction's ``payload=`` form field, or a slash command's form fields.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

SAMPLES = Path(__file__).parents[1] / "specs" / "slack" / "samples"


def parse(text: str, suffix: str) -> dict[str, Any]:
    if suffix == ".json":
        value: dict[str, Any] = json.loads(text)
        return value
    if text.startswith("payload%3D"):  # opsdroid stores its view_submission encoded twice
        text = unquote(text)
    fields = dict(parse_qsl(text.strip(), keep_blank_values=True))
    if "payload" in fields:
        payload: dict[str, Any] = json.loads(fields["payload"])
        return payload
    return fields


def samples() -> dict[str, dict[str, Any]]:
    """File name -> parsed body, for every vendored sample."""
    return {
        path.name: parse(path.read_text(encoding="utf-8"), path.suffix)
        for path in sorted(SAMPLES.iterdir())
    }
