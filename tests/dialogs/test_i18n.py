"""Everything the bot says exists in French and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from dialogs.core.commands import ADMIN_COMMANDS, PEOPLE_COMMANDS
from dialogs.core.i18n import LOCALES, Translator, load_catalogue, negotiate

DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"


KEYWORDS = {"N_": None, "t": None, "tn": (1, 2)}  # the Makefile's `messages` target's


def _extracted() -> list[str | tuple[str, ...]]:
    found = extract_from_dir(str(DIALOGS), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return [message for _file, _line, message, _comments, _context in found]


def source_msgids() -> set[str]:
    return {message for message in _extracted() if isinstance(message, str)}


def source_plurals() -> set[tuple[str, ...]]:
    """(singular, plural) of every ``t.tn`` call."""
    return {tuple(message) for message in _extracted() if isinstance(message, tuple)}


def test_the_source_marks_messages() -> None:
    assert len(source_msgids()) >= len(PEOPLE_COMMANDS) + len(ADMIN_COMMANDS)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    catalogue = load_catalogue(locale)
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = source_msgids() - set(translated)
    assert not missing, f"{locale}: untranslated {sorted(missing)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_plural_message_has_all_its_forms(locale: str) -> None:
    catalogue = load_catalogue(locale)
    forms = {
        m.id: m.string
        for m in catalogue
        if isinstance(m.id, tuple) and isinstance(m.string, tuple) and all(m.string)
    }
    assert source_plurals(), "no t.tn call found: the extraction keyword is wrong"
    missing = {ids for ids in source_plurals() if len(forms.get(ids, ())) != catalogue.num_plurals}
    assert not missing, f"{locale}: plural forms missing for {sorted(missing)}"


def test_help_summaries_in_both_languages() -> None:
    fr, en = Translator("fr"), Translator("en")
    join = next(spec for spec in PEOPLE_COMMANDS if spec.name == "join")
    assert fr(join.summary) == "Rejoindre un programme de mentorat inversé"
    assert en(join.summary) == "Join a reverse-mentoring program"


def test_placeholders_are_filled_and_unknown_msgids_fall_back_to_english() -> None:
    assert Translator("fr")("Hello {name}", name="Léa") == "Hello Léa"


@pytest.mark.parametrize(
    ("hints", "expected"),
    [
        (["fr-FR"], "fr"),
        (["en-US"], "en"),
        (["fr_CA"], "fr"),
        (["de-DE", "en-GB"], "en"),
        (["de-DE"], "fr"),
        ([None, ""], "fr"),
    ],
)
def test_locale_negotiation_from_platform_hints(hints: list[str | None], expected: str) -> None:
    assert negotiate(hints, default="fr") == expected
