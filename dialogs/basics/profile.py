"""Edit your profile basics: title, time zone, languages spoken.

basics --submit--> done        (errors keep the step)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from babel.core import get_global

from bot.domain.enrollment import MAX_TITLE
from dialogs.basics.names import SPOKEN_LANGUAGES
from dialogs.basics.profile_view import profile_of
from dialogs.core.flow import Flow, FlowContext, Step, Transition, list_value, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import ActionRef, FieldValue, Form, Option, SelectField, TextField

CONTINENTS = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe"}
CONTINENTS |= {"Indian", "Pacific", "Arctic"}


@cache
def known_zones() -> frozenset[str]:
    """Zones a person may hold (the options list shows one zone per city)."""
    return frozenset(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


@cache
def time_zone_options(locale: str) -> tuple[Option, ...]:
    """Every zone by its city in the reader's language ("Londres"), sorted by city.

    The city alone keeps the list within a Teams card (about 500 zones); the chosen zone is
    then shown by its full name ("British Time, London")."""
    t = Translator(locale)
    zones = (z for z in available_timezones() if z.split("/")[0] in CONTINENTS)
    by_city: dict[str, str] = {}
    for zone in sorted(zones, key=lambda z: z in get_global("zone_aliases")):
        by_city.setdefault(t.city(zone), zone)  # a canonical zone before its aliases
    return tuple(Option(zone, city) for city, zone in sorted(by_city.items()))


def basics_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t, person = ctx.t, ctx.person
    return Form(
        title=t("Your profile"),
        ref=ref,
        fields=(
            TextField(
                "title",
                t("Job title"),
                required=False,
                initial=person.title or "",
                max_length=MAX_TITLE,
                hint=t("Seen by your partner and the program team."),
            ),
            SelectField(
                "timezone",
                t("Time zone"),
                time_zone_options(t.locale),
                initial=(person.timezone,) if person.timezone else (),
                hint=t("Sessions and reminders use it."),
            ),
            SelectField(
                "languages",
                t("Languages you can mentor in"),
                tuple(Option(code, name) for code, name in SPOKEN_LANGUAGES.items()),
                multi=True,
                initial=tuple(person.languages or ()),
            ),
        ),
        submit_label=t("Save"),
    )


async def submit_basics(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    title = text_value(values, "title")
    zone = text_value(values, "timezone")
    languages = list_value(values, "languages")
    errors: dict[str, str] = {}
    if len(title) > MAX_TITLE:
        errors["title"] = t.tn(
            "At most {count} character.", "At most {count} characters.", MAX_TITLE
        )
    if zone not in known_zones():
        errors["timezone"] = t("Choose a time zone from the list.")
    if not languages or any(code not in SPOKEN_LANGUAGES for code in languages):
        errors["languages"] = t("Choose at least one language from the list.")
    if errors:
        return Transition(errors=errors)
    person = ctx.person
    person.title = title or None
    person.timezone = zone
    person.languages = list(languages)
    return Transition(message=await profile_of(ctx))


PROFILE_FLOW = Flow(
    name="profile",
    first_step="basics",
    steps={"basics": Step("basics", form=basics_form, submit=submit_basics)},
)
