"""The neutral UI model keeps platform limits and carries flow references safely."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs.core.content import Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.ui import (
    ActionRef,
    CheckboxesField,
    Form,
    Option,
    SelectField,
    TextField,
)

REF = ActionRef("enrollment", "f3a9c2", "skills", 4)


def test_action_refs_round_trip() -> None:
    assert ActionRef.decode(REF.encode()) == REF


@pytest.mark.parametrize(
    "forged",
    ["", "a|b|c", "a|b|c|four", "a||c|1", "a|b|c|1|extra", "x" * 300, "a|b|c|-1"],
)
def test_malformed_action_refs_are_refused(forged: str) -> None:
    with pytest.raises(ValueError):
        ActionRef.decode(forged)


def test_form_titles_fit_a_slack_modal() -> None:
    Form("Rejoindre le programme", REF, (TextField("goals", "Objectifs"),), "Suivant")
    with pytest.raises(ValueError, match="24"):
        Form("Rejoindre le programme Tandem", REF, (), "Suivant")


def test_two_fields_cannot_share_a_name() -> None:
    with pytest.raises(ValueError):
        Form("Profil", REF, (TextField("a", "A"), TextField("a", "B")), "OK")


def test_long_option_lists_become_searchable_and_checkboxes_stay_few() -> None:
    options = tuple(Option(str(i), f"Skill {i}") for i in range(101))
    assert SelectField("skills", "Skills", options).searchable
    assert not SelectField("skills", "Skills", options[:100]).searchable
    with pytest.raises(ValueError):
        CheckboxesField("days", "Days", options[:11])


def test_plain_text_of_a_paragraph() -> None:
    at = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
    paragraph = Paragraph.of(
        "Session with ", PersonRef("p1", "Léa"), " on ", Timestamp(at, "date"), ": ",
        UserText("<!channel> *SEO*"), Text("!"),
    )  # fmt: skip
    assert paragraph.plain() == "Session with Léa on 2027-01-15: <!channel> *SEO*!"
    with pytest.raises(ValueError):
        Timestamp(datetime(2027, 1, 15, 9, 30))
