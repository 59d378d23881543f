"""The Teams app package: the manifest template with the app id filled in, and two icons."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from dialogs.core.commands import PEOPLE_COMMANDS, available

TEAMS_DIR = Path(__file__).resolve().parents[2] / "teams"
APP_ID_PLACEHOLDER = "{{MICROSOFT_APP_ID}}"
MAX_COMMANDS = 10  # per command list, in the manifest schema


def manifest_commands() -> list[dict[str, str]]:
    """The people's command words (English), as the grammar in dialogs/core/commands.py has them;
    planned ones stay out, as in help."""
    commands = [{"title": c.name, "description": c.summary} for c in available(PEOPLE_COMMANDS)]
    return commands[:MAX_COMMANDS]


def filled_manifest(app_id: str, template: Path = TEAMS_DIR / "manifest.json") -> dict[str, Any]:
    text = template.read_text(encoding="utf-8").replace(APP_ID_PLACEHOLDER, app_id)
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def build_package(app_id: str, out_path: Path) -> Path:
    """Write the zip Teams admins upload: manifest.json, color.png, outline.png."""
    if not app_id:
        raise ValueError("MICROSOFT_APP_ID is needed to build the Teams package")
    manifest = filled_manifest(app_id)
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ("color.png", "outline.png"):
            package.write(TEAMS_DIR / icon, icon)
    return out_path
