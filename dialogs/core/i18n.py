"""French and English, from Babel catalogues (``dialogs/core/locales/<lang>/LC_MESSAGES``).

A msgid is the English source text with ``{named}`` placeholders; the catalogues hold the
translations (the English one too, so that wording can change without touching code).
Flows call a ``Translator``; words kept in data are marked with ``N_`` for extraction.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALES = ("fr", "en")
DOMAIN = "tandem"
LOCALE_DIR = Path(__file__).parent / "locales"


def N_(msgid: str) -> str:
    """Mark a msgid kept in data; it is translated where it is shown."""
    return msgid


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def load_catalogue(locale: str) -> Catalog:
    with catalogue_path(locale).open("rb") as po:
        return read_po(po, locale=locale, domain=DOMAIN)


@cache
def _messages(locale: str) -> dict[str, str]:
    return {
        message.id: message.string
        for message in load_catalogue(locale)
        if isinstance(message.id, str)
        and isinstance(message.string, str)
        and message.id
        and message.string
        and not message.fuzzy
    }


def negotiate(candidates: Iterable[str | None], default: str) -> str:
    """The first supported language among a platform's hints (``fr-FR``, ``en_US`` …)."""
    preferred = [c.replace("-", "_") for c in candidates if c]
    return negotiate_locale(preferred, list(LOCALES), sep="_") or default


class Translator:
    def __init__(self, locale: str) -> None:
        if locale not in LOCALES:
            raise ValueError(f"unsupported locale {locale!r}")
        self.locale = locale

    def __call__(self, msgid: str, **params: Any) -> str:
        text = _messages(self.locale).get(msgid, msgid)
        return text.format(**params) if params else text
