"""Language and time-zone names in the reader's language, from Babel's CLDR data.

One small module on purpose: the i18n helpers may grow the same functions, and these are
then unified with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from babel import Locale
from babel.dates import get_timezone_location, get_timezone_name

# Spoken languages people pair on (ISO 639-1); in a choice list each name stays in its own
# language, so that everyone finds theirs.
SPOKEN_LANGUAGES = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "de": "Deutsch",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "ar": "العربية",
    "zh": "中文",
    "ja": "日本語",
    "hi": "हिन्दी",
    "ms": "Bahasa Melayu",
}
NARROW_NBSP = "\u202f"


def language_name(code: str, locale: str) -> str:
    """``en`` read by a French reader: ``anglais``; an unknown code stays as it is."""
    name: str | None = Locale.parse(locale).languages.get(code)
    return name or code


def language_names(codes: Iterable[str], locale: str) -> str:
    return ", ".join(language_name(code, locale) for code in codes)


@cache
def zone_name(zone: str, locale: str) -> str:
    """``America/Montreal`` read in English: ``Eastern Time, Montreal`` (a comma, not
    parentheses: the name is often shown in parentheses itself)."""
    if "/" not in zone or zone.startswith("Etc/"):  # UTC, Etc/GMT+3: the id is the name
        return zone
    try:
        generic = str(get_timezone_name(zone, "long", locale=locale))
        english_city = str(get_timezone_location(zone, locale="en", return_city=True))
        city = str(get_timezone_location(zone, locale=locale, return_city=True))
    except LookupError:
        return zone
    own = zone.rsplit("/", 1)[-1].replace("_", " ")
    if english_city != own:  # CLDR folds some zones into another city (Montreal → Toronto)
        city = own
    name = generic if city in generic else f"{generic}, {city}"
    # CLDR's French writes "heure : Singapour" with a plain space; a phone wraps the colon.
    return name.replace(" :", f"{NARROW_NBSP}:")
