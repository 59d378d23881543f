"""French and English, from Babel catalogues (``dialogs/core/locales/<lang>/LC_MESSAGES``).

A msgid is the English source text with ``{named}`` placeholders; the catalogues hold the
translations (the English one too, so that wording can change without touching code).
Flows call a ``Translator``; words kept in data are marked with ``N_`` for extraction.
Counts go through ``t.tn`` (the catalogue's plural forms), decimals through ``t.number``,
languages and time zones through ``t.language`` and ``t.zone`` (Babel's names in the
reader's locale): a reader sees words and numbers of their own language, never codes.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError, get_global, negotiate_locale
from babel.dates import get_timezone, get_timezone_location, get_timezone_name
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

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


@cache
def _plurals(locale: str) -> dict[str, tuple[str, ...]]:
    """Plural entries by their singular msgid: one string per plural form."""
    return {
        message.id[0]: tuple(message.string)
        for message in load_catalogue(locale)
        if isinstance(message.id, tuple)
        and isinstance(message.string, tuple)
        and all(message.string)
        and not message.fuzzy
    }


@cache
def _plural_index(locale: str) -> Callable[[int], int]:
    """The catalogue's own ``Plural-Forms`` rule (French counts 0 and 1 as singular)."""
    return gettext.c2py(load_catalogue(locale).plural_expr)


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

    def tn(self, singular: str, plural: str, n: float, **params: Any) -> str:
        """A message about ``n`` things, in the plural form the reader's language wants.

        ``{count}`` is ``n`` written for the reader (``1 234`` in French) unless given."""
        forms = _plurals(self.locale).get(singular) or (singular, plural)
        params.setdefault("count", self.number(n))
        return forms[min(self._form(n), len(forms) - 1)].format(**params)

    def _form(self, n: float) -> int:
        if float(n).is_integer():
            return _plural_index(self.locale)(int(n))
        # gettext's rules take integers; CLDR's say "1,5 point" but "1.5 points"
        return 0 if Locale.parse(self.locale).plural_form(n) == "one" else 1

    def number(self, value: float, digits: int | None = None) -> str:
        """A number as the reader writes it: ``5,65`` in French, ``5.65`` in English."""
        if digits is None:
            return format_decimal(value, locale=self.locale)
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(value, format=pattern, locale=self.locale)

    def labels(self, labels: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        """Admin-defined labels (skills, career stages) in the reader's language, else
        English, else the key."""
        return {k: v.get(self.locale) or v.get("en") or k for k, v in labels.items()}

    def language(self, code: str) -> str:
        """A language's name in the reader's language (``fr`` → « français » / "French")."""
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(self.locale)
        except (ValueError, UnknownLocaleError):
            return code
        return name or code

    def languages(self, codes: Iterable[str]) -> str:
        return ", ".join(self.language(code) for code in codes)

    def zone(self, zone_id: str) -> str:
        """A time zone as a reader names it: "Eastern Time, Montreal", « heure de l’Est
        nord-américain, Montreal » (a comma: the name is often shown in parentheses)."""
        return _zone_name(zone_id, self.locale)

    def city(self, zone_id: str) -> str:
        """The city a zone is named after, in the reader's language ("Londres")."""
        return _zone_city(zone_id, self.locale)


@cache
def _zone_name(zone_id: str, locale: str) -> str:
    if "/" not in zone_id or zone_id.startswith("Etc/"):  # UTC, Etc/GMT+3: the id is the name
        return zone_id
    try:
        name = str(get_timezone_name(get_timezone(zone_id), locale=locale))
    except (LookupError, ValueError):
        return zone_id
    city = _zone_city(zone_id, locale)
    if city and city not in name:
        name = f"{name}, {city}"
    return french_spaces(name) if locale == "fr" else name


@cache
def _zone_city(zone_id: str, locale: str) -> str:
    if zone_id in get_global("zone_aliases"):
        # Babel names an alias by its canonical zone's city (Montreal → Toronto)
        return zone_id.rsplit("/", 1)[-1].replace("_", " ")
    try:
        return str(get_timezone_location(get_timezone(zone_id), locale=locale, return_city=True))
    except (LookupError, ValueError):
        return zone_id


def french_spaces(text: str) -> str:
    """A narrow no-break space before ``: ; ! ?`` (Babel's French data has plain ones)."""
    return re.sub(r"[ \u00a0]([:;!?])", "\u202f\\1", text)
