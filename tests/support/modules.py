"""Import every product module (so that every declaration in them, e.g. each DueKind, exists)."""

from __future__ import annotations

import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("bot", "dialogs", "handlers", "storage")


def import_everything(packages: tuple[str, ...] = PACKAGES) -> None:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            dotted = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
            importlib.import_module(dotted.removesuffix(".__init__"))
