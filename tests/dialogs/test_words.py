"""Words and numbers as a reader expects them: plural forms, numbers written the reader's
way, names instead of codes, French typography, and a dry run whose counts agree."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from dialogs.core.i18n import Translator, load_catalogue
from dialogs.core.ui import TextField
from dialogs.matching.cards import SEND_ACTION
from dialogs.matching.flows import reason_form
from storage.db import Database
from storage.models import Person
from tests.dialogs.test_i18n import source_msgids
from tests.support.messages import buttons, words
from tests.support.people import add_program
from tests.support.world import World, add_member, admin, world

NNBSP = "\u202f"  # narrow no-break space: French puts it before : ; ! ? and inside « »

# Placeholders that hold a count: a message that puts a noun after one needs t.tn
COUNTS = "count|n|more|pairs|unmatched|sent|again|enrolled|served|mentees|mentors|capacity"
COUNT_THEN_NOUN = re.compile(
    r"\{(" + COUNTS + r"|active|paused|total|gap|days)\} (?!of\b)[a-z]{3,}"
)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ["Send 0 proposals", "Send 1 proposal", "Send 2 proposals", "Send 1,500 proposals"]),
        (
            "fr",
            [
                "Envoyer 0 proposition",  # French counts zero as singular
                "Envoyer 1 proposition",
                "Envoyer 2 propositions",
                f"Envoyer 1{NNBSP}500 propositions",
            ],
        ),
    ],
)
def test_counts_take_the_plural_form_of_the_reader_s_language(
    locale: str, expected: list[str]
) -> None:
    t = Translator(locale)
    said = [t.tn("Send {count} proposal", "Send {count} proposals", n) for n in (0, 1, 2, 1500)]
    assert said == expected


def test_no_message_puts_a_noun_after_a_count_without_plural_forms() -> None:
    """ "Send 1 proposals" came from a msgid with one form: counts go through t.tn."""
    offenders = sorted(m for m in source_msgids() if COUNT_THEN_NOUN.search(m))
    assert not offenders, f"use t.tn for {offenders}"


def test_numbers_are_written_the_reader_s_way() -> None:
    assert Translator("fr").number(5.654, 2) == "5,65"
    assert Translator("en").number(5.654, 2) == "5.65"
    assert Translator("fr").tn("{count} point", "{count} points", 1.5) == "1,5 point"
    assert Translator("en").tn("{count} point", "{count} points", 1.5) == "1.5 points"


def test_languages_and_time_zones_have_names() -> None:
    fr, en = Translator("fr"), Translator("en")
    assert fr.languages(["fr", "en"]) == "français, anglais"
    assert en.languages(["fr", "en"]) == "French, English"
    assert en.zone("America/Montreal") == "Eastern Time, Montreal"
    assert fr.zone("Europe/Paris") == "heure d’Europe centrale, Paris"
    assert fr.zone("Not/A_Zone") == "Not/A_Zone"  # nothing invented for an unknown zone


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_optional_is_said_once(locale: str) -> None:
    """The renderers say "(optional)" themselves: a label never carries it."""
    t = Translator(locale)
    form = reason_form(None, "t", "h", "s", "i", t)  # type: ignore[arg-type]
    labels = [f.label for f in form.fields if isinstance(f, TextField)]
    assert labels and not any("optional" in label or "facultatif" in label for label in labels), (
        labels
    )
    catalogue = load_catalogue(locale)
    assert not [m.id for m in catalogue if isinstance(m.string, str) and "(facultatif)" in m.string]


def _french_typography_faults(text: str) -> list[str]:
    faults = []
    if "'" in text:
        faults.append("straight apostrophe (use ’)")
    for match in re.finditer(r"[:;!?]", text):
        at, sign = match.start(), match.group()
        before, after = text[at - 1 : at], text[at + 1 : at + 2]
        if sign == ":" and (after == "/" or (before.isdigit() and after.isdigit())):
            continue  # https://, 10:30
        if sign == "?" and after and after not in " )»\u202f\n":
            continue  # ?query in an address
        if before != NNBSP:
            faults.append(f"no narrow no-break space before {sign!r} at {at}")
    if re.search(r"«(?!\u202f)|(?<!\u202f)»", text):
        faults.append("« » without narrow no-break spaces")
    return faults


def test_the_french_catalogue_follows_french_typography() -> None:
    """A colon that wraps to the start of a line on a phone, a mix of ’ and '."""
    faults = {}
    for message in load_catalogue("fr"):
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            found = _french_typography_faults(text or "")
            if found:
                faults[text] = found
    assert not faults, faults


def test_the_typography_check_catches_what_it_should() -> None:
    assert _french_typography_faults("Bonjour : l'équipe !")
    assert _french_typography_faults(f"Bonjour{NNBSP}: l’équipe{NNBSP}!") == []
    assert _french_typography_faults("https://acme.example/a?b=1 à 10:30") == []


async def lea_and_marc(database: Database, locale: str) -> tuple[World, str]:
    """A mentor who offers SEO and a leader who wants it; the admin reads ``locale``."""
    w = await world(database)
    w.program_id = await add_program(database)
    admin_id = await admin(w)
    async with database.unit_of_work() as session:
        await session.execute(update(Person).where(Person.id == admin_id).values(locale=locale))
    await add_member(w, "ULEA", first="Lea", role="mentor", stage="junior",
                     department="Marketing", offers=["seo"])  # fmt: skip
    marc = await add_member(w, "UMARC", first="Marc", role="mentee", stage="director",
                            department="Finance", wants=["seo"])  # fmt: skip
    return w, marc


async def test_dry_run_counts_agree_and_name_who_is_left_without_a_partner(
    database: Database,
) -> None:
    w, _ = await lea_and_marc(database, "en")
    await add_member(w, "UANNE", first="Anne", role="mentee", stage="executive",
                     department="Sales", wants=["seo"])  # fmt: skip
    report = await w.say("UADMIN", "admin match")
    text = words(report)
    assert "1 mentee of 2 has a partner" in text  # was "2 of 2 mentees" beside "1 mentees…"
    left_out = next(line for line in text.splitlines() if "without a partner: " in line)
    assert left_out in (
        "1 mentee without a partner: Marc Test.",
        "1 mentee without a partner: Anne Test.",
    )
    assert [b.label for b in buttons(report) if b.action == SEND_ACTION] == ["Send 1 proposal"]
    assert re.search(r"Average score: \d\.\d\d", text)

    removed = words(await w.say("UADMIN", "admin match remove 1"))
    assert "0 mentees of 2 have a partner" in removed
    assert "2 mentees without a partner: " in removed and "and 1 other." in removed


async def test_the_dry_run_in_french_writes_numbers_and_words_the_french_way(
    database: Database,
) -> None:
    w, marc = await lea_and_marc(database, "fr")
    report = await w.say("UADMIN", "admin match")
    text = words(report)
    assert "1 mentoré sur 1 a un binôme" in text
    assert re.search(r"Score moyen: \d,\d\d", text)  # "5,65", not "5.65"
    assert [b.label for b in buttons(report) if b.action == SEND_ACTION] == [
        "Envoyer 1 proposition"
    ]
    assert f"que Marc Test veut apprendre{NNBSP}; " in text  # the reasons' separator too
    await w.say("UADMIN", "admin match send")
    await w.drain()
    card = words(w.channel.to(marc))
    assert "Languages: French, English" in card  # names, never "fr, en"


async def test_the_program_card_names_career_stages_and_the_time_zone(database: Database) -> None:
    w = await world(database)
    eligibility = {"mentor": ["apprentice", "junior"]}
    w.program_id = await add_program(database, eligibility=eligibility)
    await admin(w)
    text = words(await w.say("UADMIN", "admin program show rm-2027"))
    assert "can mentor: Apprentice or intern, Junior (under 2 years)" in text  # not the keys
    assert "2027-12-31 (Central European Time, Paris)" in text and "Europe/Paris" not in text
