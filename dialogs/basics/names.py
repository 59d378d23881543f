"""The spoken languages people pair on. Their names in the reader's language come from
``t.language`` / ``t.languages`` (and time zones' from ``t.zone``) in ``dialogs.core.i18n``.
"""

from __future__ import annotations

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
