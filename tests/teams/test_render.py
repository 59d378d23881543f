"""Neutral messages and forms render as valid Adaptive Cards 1.5, with typed text inert."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from dialogs.core.content import Link, Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.ui import (
    ActionRef,
    Actions,
    Button,
    CheckboxesField,
    Confirm,
    DateField,
    Divider,
    Done,
    Facts,
    FieldErrors,
    Form,
    Header,
    Image,
    Message,
    NextForm,
    Option,
    Section,
    SelectField,
    TextField,
    TimeField,
)
from handlers.teams.forms import FORM_VERB, answer_card, form_card, submitted_values
from handlers.teams.markup import escape, paragraph
from handlers.teams.render import CardTooLarge, message_activity, message_card
from tests.fakes.adaptive_cards import check_activity_cards, check_adaptive_card

REF = ActionRef("welcome", "inst-1", "start", 3)
HOSTILE = ["<!channel>", "<!here>", "<@U123>", "<https://evil|click>", "&", "<", ">"]


def texts(card: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for fact in node.get("facts", []):
                found.extend([fact["title"], fact["value"]])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def section(*parts: Any) -> Message:
    return Message((Section((Paragraph.of(*parts),)),), summary="s")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_typed_text_has_no_angle_bracket_or_bare_ampersand(hostile: str) -> None:
    rendered = escape(hostile)
    assert "<" not in rendered and ">" not in rendered
    assert "&" not in rendered.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


def test_hostile_text_in_a_card_is_escaped_and_valid() -> None:
    message = section("Vous avez écrit : ", *(UserText(h) for h in HOSTILE))
    card = message_card(message)
    [text] = texts(card)
    assert text == (
        "Vous avez écrit : &lt;!channel&gt;&lt;!here&gt;&lt;@U123&gt;"
        "&lt;https\\://evil\\|click&gt;&amp;&lt;&gt;"
    )
    assert check_adaptive_card(card) == []


def test_mentions_and_markdown_typed_by_a_person_are_inert() -> None:
    typed = (
        "<at>Bot</at> **gras** _it_ [x](https://evil) www.evil.com {{DATE(2027-01-15T09:30:00Z)}}"
    )
    typed += "\n# titre\n- point\n1. un"
    rendered = paragraph(Paragraph((UserText(typed),)))
    assert "<at>" not in rendered
    assert "**" not in rendered and "\\*\\*gras\\*\\*" in rendered
    assert "\\[x\\](https\\://evil)" in rendered and "www\\.evil.com" in rendered
    assert rendered.endswith("\n\\# titre\n\\- point\n1\\. un")
    assert "{{" not in rendered


def test_inline_nodes() -> None:
    at = datetime(2027, 1, 15, 10, 30, tzinfo=UTC)
    rendered = paragraph(
        Paragraph(
            (
                Text("Bonjour "),
                Text("Alice", strong=True),
                Text(", voici "),
                Link("https://example.com/a (b)", "le *guide*"),
                Text(" avec "),
                PersonRef("p1", "Bob_Smith"),
                Text(" le "),
                Timestamp(at, "datetime"),
            )
        )
    )
    assert rendered == (
        "Bonjour **Alice**, voici [le \\*guide\\*](https://example.com/a%20%28b%29) avec "
        "**Bob\\_Smith** le {{DATE(2027-01-15T10:30:00Z, SHORT)}} {{TIME(2027-01-15T10:30:00Z)}}"
    )
    assert paragraph(Paragraph((Timestamp(at, "date"),))) == "{{DATE(2027-01-15T10:30:00Z, SHORT)}}"
    assert paragraph(Paragraph((Timestamp(at, "time"),))) == "{{TIME(2027-01-15T10:30:00Z)}}"


def every_block_message() -> Message:
    return Message(
        (
            Header("Bienvenue <b>"),
            Section((Paragraph.of("Un ", Text("programme", strong=True)),)),
            Divider(),
            Facts((("Binôme", Paragraph.of(PersonRef("p2", "Bob"))),)),
            Image("https://example.com/chart.png", "Graphique"),
            Actions(
                (
                    Button("Rejoindre", "join", REF, value="42", style="primary"),
                    Button(
                        "Quitter",
                        "leave",
                        REF,
                        style="danger",
                        confirm=Confirm("Sûr ?", "Vous quittez", "Oui", "Non"),
                    ),
                    Button("Guide", "guide", url="https://example.com/guide"),
                )
            ),
        ),
        summary="Bienvenue",
    )


def test_every_block_renders_to_its_element() -> None:
    card = message_card(every_block_message())
    assert check_adaptive_card(card) == []
    body = card["body"]
    assert [e["type"] for e in body] == ["TextBlock", "TextBlock", "FactSet", "Image", "ActionSet"]
    assert body[0]["text"] == "Bienvenue &lt;b&gt;" and body[0]["weight"] == "Bolder"
    assert body[2]["separator"] is True  # the divider
    assert body[2]["facts"] == [{"title": "Binôme", "value": "**Bob**"}]
    assert body[3] == {
        "type": "Image",
        "url": "https://example.com/chart.png",
        "altText": "Graphique",
    }
    join, leave, guide = body[4]["actions"]
    assert join == {
        "type": "Action.Execute",
        "title": "Rejoindre",
        "verb": "join",
        "data": {"value": "42", "ref": "welcome|inst-1|start|3"},
        "style": "positive",
    }
    assert leave["type"] == "Action.ShowCard" and leave["title"] == "Quitter"
    [confirm] = leave["card"]["actions"]
    assert (confirm["verb"], confirm["title"], confirm["style"]) == ("leave", "Oui", "destructive")
    assert texts(leave["card"]) == ["Sûr ?", "Vous quittez"]
    assert guide == {"type": "Action.OpenUrl", "title": "Guide", "url": "https://example.com/guide"}
    assert card["fallbackText"] == "Bienvenue"


def test_message_activity_carries_the_card_and_summary() -> None:
    activity = message_activity(every_block_message())
    body = activity.serialize()
    assert body["summary"] == "Bienvenue"
    assert check_activity_cards(body) == []


def test_a_message_too_large_for_teams_is_refused() -> None:
    big = Message(tuple(Section((Paragraph.of("x" * 1000),)) for _ in range(45)), summary="s")
    with pytest.raises(CardTooLarge):
        message_card(big)


def many(n: int) -> tuple[Option, ...]:
    return tuple(Option(f"v{i}", f"Choix {i}") for i in range(n))


FORM = Form(
    title="Mon profil",
    ref=ActionRef("profile", "inst-2", "edit", 1),
    fields=(
        TextField("bio", "Présentation", multiline=True, initial="Bonjour", hint="Quelques mots"),
        TextField("title", "Poste", required=False),
        SelectField("stage", "Étape", many(5), initial=("v1",)),
        SelectField("langs", "Langues", many(3), multi=True, initial=("v0", "v2")),
        CheckboxesField("days", "Jours", many(5)),
        DateField("start", "Début", initial=date(2027, 1, 15)),
        TimeField("at", "Heure", initial=time(9, 30)),
    ),
    submit_label="Enregistrer",
    intro=(Paragraph.of("Parlez-nous de ", UserText("*vous*")),),
)


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


def test_form_fields_render_as_inputs() -> None:
    card = form_card(FORM)
    assert check_adaptive_card(card) == []
    fields = inputs(card)
    assert fields["bio"]["type"] == "Input.Text" and fields["bio"]["isMultiline"] is True
    assert fields["bio"]["value"] == "Bonjour" and fields["bio"]["placeholder"] == "Quelques mots"
    assert fields["title"]["isRequired"] is False and fields["title"]["isMultiline"] is False
    assert (fields["stage"]["style"], fields["stage"]["isMultiSelect"]) == ("compact", False)
    assert fields["stage"]["value"] == "v1"
    assert (fields["langs"]["isMultiSelect"], fields["langs"]["value"]) == (True, "v0,v2")
    assert (fields["days"]["style"], fields["days"]["isMultiSelect"]) == ("expanded", True)
    assert fields["start"] == {
        "type": "Input.Date",
        "id": "start",
        "label": "Début",
        "isRequired": True,
        "value": "2027-01-15",
    }
    assert fields["at"]["type"] == "Input.Time" and fields["at"]["value"] == "09:30"
    assert "Parlez-nous de \\*vous\\*" in texts(card)
    [submit] = card["actions"]
    assert submit["verb"] == FORM_VERB and submit["title"] == "Enregistrer"
    assert submit["data"] == {"ref": "profile|inst-2|edit|1", "multi": ["langs", "days"]}


def test_long_lists_use_teams_filtered_choice_set() -> None:
    form = Form("Compétences", REF, (SelectField("skill", "Compétence", many(150)),), "OK")
    card = form_card(form)
    [choice] = inputs(card).values()
    assert choice["style"] == "filtered" and len(choice["choices"]) == 150
    # Teams supports "filtered" on 1.5 cards (the schema learnt it in 1.6): the check knows.
    assert check_adaptive_card(card) == []


def test_field_errors_rerender_the_form_with_messages() -> None:
    answer = FieldErrors({"bio": "Trop court <3", "other": "Réessayez"})
    card = answer_card(answer, FORM, "Merci")
    assert check_adaptive_card(card) == []
    bio = inputs(card)["bio"]
    assert bio["errorMessage"] == "Trop court <3"
    assert "Trop court &lt;3" in texts(card) and "Réessayez" in texts(card)


def test_next_form_and_done_replace_the_card() -> None:
    following = Form("Disponibilités", REF, (TimeField("at", "Heure"),), "Suivant")
    assert inputs(answer_card(NextForm(following), FORM, "Merci")).keys() == {"at"}
    done = answer_card(Done(section("Profil enregistré")), FORM, "Merci")
    assert texts(done) == ["Profil enregistré"] and "actions" not in done
    assert texts(answer_card(Done(), FORM, "Merci")) == ["Merci"]
    for answered in (done, answer_card(Done(), FORM, "Merci")):
        assert check_adaptive_card(answered) == []


def test_submitted_values_split_multi_selects_only() -> None:
    data = {"ref": "x", "multi": ["langs"], "langs": "v0,v2", "bio": "a,b", "n": 3}
    assert submitted_values(data) == {"langs": ("v0", "v2"), "bio": "a,b"}


def test_card_json_is_compact_enough() -> None:
    assert len(json.dumps(form_card(FORM))) < 4000
