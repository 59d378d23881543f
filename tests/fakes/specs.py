"""The official specs the fakes and tests check against, vendored in ``tests/specs``.

They are read from the source tree (never installed as package data, never looked for
outside the repository); ``tests/specs/SOURCES.md`` gives each file's origin and licence.
"""

from __future__ import annotations

from pathlib import Path

SPECS_DIR = Path(__file__).resolve().parents[1] / "specs"


def specs_dir() -> Path:
    """``tests/specs`` in this checkout."""
    return SPECS_DIR
