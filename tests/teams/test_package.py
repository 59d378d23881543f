"""The Teams manifest template is valid once filled in, and the package holds what Teams needs."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import jsonschema

from dialogs.core.commands import PEOPLE_COMMANDS, available
from handlers.teams.package import MAX_COMMANDS, TEAMS_DIR, build_package, filled_manifest
from tests.fakes.specs import specs_dir

APP_ID = "00000000-0000-0000-0000-00000000a11c"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_filled_manifest_passes_the_teams_schema_and_mirrors_the_commands() -> None:
    schema = json.loads(
        (specs_dir() / "teams" / "MicrosoftTeams.schema.v1.16.json").read_text("utf-8")
    )
    manifest = filled_manifest(APP_ID)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(manifest)
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and set(bot["scopes"]) == {"personal", "team"}
    words = [c["title"] for c in bot["commandLists"][0]["commands"]]
    # Teams shows at most 10 suggestions per list: the first ones of the grammar's order.
    assert words == [c.name for c in available(PEOPLE_COMMANDS)][:MAX_COMMANDS]
    assert len(available(PEOPLE_COMMANDS)) <= MAX_COMMANDS or len(words) == MAX_COMMANDS


def test_package_zips_manifest_and_icons(tmp_path: Path) -> None:
    out = build_package(APP_ID, tmp_path / "tandem.zip")
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(package.read("manifest.json"))["id"] == APP_ID
        assert png_size(package.read("color.png")) == (192, 192)
        assert png_size(package.read("outline.png")) == (32, 32)
    assert "{{MICROSOFT_APP_ID}}" in (TEAMS_DIR / "manifest.json").read_text("utf-8")
