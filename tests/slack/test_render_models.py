"""The Block Kit dicts we build by hand are exactly what slack_sdk's models build.

handlers/slack/render.py and forms.py skip the models on the hot path; here every rendered
block and view is compared byte for byte with the models' own rendering (the reference in
tests/fakes/slack_model_render.py), parsed back through the models, validated, and turned
into a dict again unchanged. The inputs are every screen of the platform-limits test (every
flow step, every notification example, in every language) plus the edge cases below.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from dialogs.core.content import Link, Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.i18n import LOCALES
from dialogs.core.ui import (
    ActionRef,
    Actions,
    Attachment,
    Button,
    CheckboxesField,
    Confirm,
    DateField,
    Divider,
    Facts,
    Form,
    Header,
    Image,
    Message,
    Option,
    Section,
    SelectField,
    TextField,
    TimeField,
)
from handlers.slack import forms, render
from tests.fakes import slack_model_render as models
from tests.test_platform_limits import closing_screens, screens

REF = ActionRef("profile", "inst-1", "ask", 3)
LONG = "<!channel> *gras* & _it_ " * 200
NOTE = "Répondu <par> *vous* & d'autres"


def dumped(value: Any) -> str:
    # What goes on the wire: the same dicts with the same key order give the same bytes.
    return json.dumps(value, ensure_ascii=False)


def para(*parts: Any) -> Paragraph:
    return Paragraph(tuple(parts))


def buttons() -> tuple[Button, ...]:
    confirm = Confirm("Sûr ?", "Vraiment ?", "Oui", "Non")
    long_confirm = Confirm("T" * 150, "x" * 400, "o" * 40, "n" * 40)
    return (
        Button("Défaut", "plain", REF),
        Button("Oui", "accept", REF, value="42", style="primary"),
        Button("Non", "decline", REF, style="danger", confirm=confirm),
        Button("Sans ref", "noref", confirm=long_confirm),
        Button("Lien", "docs", url="https://example.com/docs", style="primary"),
        Button("Lien confirmé", "link", url="https://example.com/x", confirm=confirm),
        Button("L" * 120, "a" * 300, REF, value="v" * 500),
        Button("Ouvre", "reopen", REF, opens_form=True),
    )


def facts(count: int) -> Facts:
    """``count`` facts with labels to escape and values up to 1,200 characters."""
    return Facts(
        tuple(
            (f"Label {i} <{i}>" * 3, Paragraph.of(UserText(LONG[: 50 * i]))) for i in range(count)
        )
    )


def edge_messages() -> dict[str, Message]:
    every_kind = (
        Header("Bienvenue"),
        Section((para(Text("Bonjour "), UserText("<!channel>"), Text(" fort", strong=True)),)),
        Facts((("Rôle", Paragraph.of("mentor")), ("Équipe <R&D>", Paragraph.of("R&D")))),
        Divider(),
        Image("https://example.com/a.png", "chart"),
        Actions(buttons()),
        Attachment(1, "a.csv", "text/csv", "Télécharger", "https://example.com/f"),
    )
    inline = para(
        Link("https://example.com/a|b>c", "lien <x>"),
        PersonRef("p1", "Léa *M*"),
        Timestamp(datetime(2027, 3, 1, 15, 45, tzinfo=UTC), "datetime"),
        Timestamp(datetime(2027, 3, 1, 15, 45, tzinfo=UTC), "date"),
        Timestamp(datetime(2027, 3, 1, 15, 45, tzinfo=UTC), "time"),
    )
    return {
        "every kind": Message(every_kind, "s"),
        "inline nodes": Message((Section((inline, inline)),), "s"),
        "long user text splits": Message((Section((para(UserText(LONG * 3)),)),), "s"),
        "long own text splits": Message((Section((para(Text(LONG * 3, strong=True)),)),), "s"),
        "long link": Message((Section((para(Link("https://x/" + "y" * 5000, "l")),)),), "s"),
        "many paragraphs": Message(
            (Section(tuple(Paragraph.of(LONG[:900]) for _ in range(9))),), "s"
        ),
        "header cut": Message((Header("H" * 400),), "s"),
        "facts 0": Message((facts(0),), "s"),
        "facts 1": Message((facts(1),), "s"),
        "facts 10": Message((facts(10),), "s"),
        "facts 11": Message((facts(11),), "s"),
        "facts 25 long": Message((facts(25),), "s"),
        "no buttons": Message((Actions(()),), "s"),
        "30 buttons": Message(
            (Actions(tuple(Button(f"B{i}", f"b{i}", REF) for i in range(30))),), "s"
        ),
        "image without alt": Message((Image("https://example.com/i.png", ""),), "s"),
        "image long alt": Message((Image("https://example.com/i.png", "a" * 2500),), "s"),
        "image without url": Message((Image("", "alt"),), "s"),
        "over 100 blocks": Message(tuple(Divider() for _ in range(120)), "s"),
        "over 50 blocks": Message(
            tuple(Section((Paragraph.of(f"Bloc {i}"),)) for i in range(60)), "s"
        ),
        "only an attachment": Message((Attachment(1, "a", "image/png", "l"),), "s"),
    }


def edge_forms() -> dict[str, Form]:
    many = tuple(Option(f"s{i}", f"Skill <{i}>") for i in range(150))
    few = (Option("fr", "Français"), Option("en", "English"), Option("", "vide"))
    long_options = tuple(Option("v" * 200 + str(i), "L" * 100 + str(i)) for i in range(5))
    fields = (
        TextField("bio", "Bio", multiline=True, initial="hi", hint="court"),
        TextField("title", "Titre", required=False),
        TextField("big", "B" * 2500, max_length=5000, hint="h" * 2500),
        TextField("none", "Zéro", max_length=0),
        SelectField("team", "Équipe", few),
        SelectField("team2", "Équipe", few, initial=("en",), required=False),
        SelectField("team3", "Équipe", few, initial=("",)),
        SelectField("langs", "Langues", few, multi=True),
        SelectField("langs2", "Langues", few, multi=True, initial=("fr", "en")),
        SelectField("longopts", "Longues", long_options, initial=(long_options[1].value,)),
        SelectField("skill", "Compétence", many),
        SelectField("skill2", "Compétence", many, initial=("s1",)),
        SelectField("skills", "Compétences", many, multi=True),
        SelectField("skills2", "Compétences", many, multi=True, initial=("s1", "s140")),
        CheckboxesField("days", "Jours", (Option("mon", "Lundi"), Option("tue", "Mardi"))),
        CheckboxesField("days2", "Jours", (Option("mon", "Lundi"),), initial=("mon",)),
        DateField("start", "Début", initial=date(2025, 1, 2)),
        DateField("start2", "Début", required=False),
        TimeField("at", "Heure", initial=time(9, 30)),
        TimeField("at2", "Heure", hint="HH:MM"),
    )
    intro = (para(Text("Dites-nous "), UserText("<!here>")),)
    return {
        "every field kind": Form("Mon profil", REF, fields, "Enregistrer", intro),
        "no intro": Form("T", REF, fields[:1], "S" * 40),
        "24 character title": Form("Titre de 24 caractères!!", REF, fields[:2], "OK"),
        "intro only": Form("Lire", REF, (), "OK", intro),
        "long intro cut to 100 blocks": Form(
            "Long",
            REF,
            tuple(TextField(f"f{i}", f"F{i}") for i in range(95)),
            "OK",
            tuple(Paragraph.of(UserText(LONG)) for _ in range(10)),
        ),
        "100 fields": Form("Cent", REF, tuple(TextField(f"f{i}", "F") for i in range(100)), "OK"),
    }


@cache
def screens_of(locale: str) -> list[Message | Form]:
    return [*screens(locale), *closing_screens(locale)]


def all_messages() -> list[tuple[str, Message]]:
    shown = list(edge_messages().items())
    for locale in LOCALES:
        shown += [
            (f"{locale} screen {i}", s)
            for i, s in enumerate(screens_of(locale))
            if isinstance(s, Message)
        ]
    return shown


def all_forms() -> list[tuple[str, Form]]:
    shown = list(edge_forms().items())
    for locale in LOCALES:
        shown += [
            (f"{locale} screen {i}", s)
            for i, s in enumerate(screens_of(locale))
            if isinstance(s, Form)
        ]
    return shown


# Inputs the models rendered into blocks they cannot parse back (Slack refuses them too):
# an empty text loses its "text" key, an empty option list its "options". Only compared.
DEGENERATE_MESSAGES = {
    "empty texts": Message(
        (Header(""), Actions((Button("", "empty", REF),)), Image("https://x/i.png", "")), "s"
    ),
}
DEGENERATE_FORMS = {
    "empty texts": Form("T", REF, (TextField("a", ""),), ""),
    "no options": Form(
        "T",
        REF,
        (
            SelectField("one", "A", ()),
            SelectField("many", "B", (), multi=True),
            CheckboxesField("boxes", "C", ()),
        ),
        "OK",
    ),
}

MESSAGES = all_messages()
FORMS = all_forms()


def assert_blocks_round_trip(rendered: list[dict[str, Any]]) -> None:
    for raw in rendered:
        model = Block.parse(dict(raw))
        assert model is not None, raw
        model.validate_json()
        assert dumped(model.to_dict()) == dumped(raw)


def assert_view_round_trip(view: dict[str, Any]) -> None:
    model = View(**view)
    model.validate_json()
    assert dumped(model.to_dict()) == dumped(view)


@pytest.mark.parametrize(("name", "message"), MESSAGES, ids=[n for n, _ in MESSAGES])
def test_message_blocks_are_what_the_models_make(name: str, message: Message) -> None:
    rendered = render.blocks(message)
    assert dumped(rendered) == dumped(models.blocks(message))
    assert_blocks_round_trip(rendered)

    answered = render.answered(message, NOTE)
    assert dumped(answered) == dumped(models.blocks(message, answered_note=NOTE))
    assert_blocks_round_trip(answered)

    after_click = render.answered_blocks(rendered, NOTE)
    assert dumped(after_click) == dumped(models.answered_blocks(rendered, NOTE))
    assert_blocks_round_trip(after_click)

    if render.blocks(message, limit=render.MAX_VIEW_BLOCKS):
        home = render.home_view(message)
        assert dumped(home) == dumped(models.home_view(message))
        assert_view_round_trip(home)


@pytest.mark.parametrize(("name", "form"), FORMS, ids=[n for n, _ in FORMS])
def test_modals_are_what_the_models_make(name: str, form: Form) -> None:
    view = forms.modal(form)
    assert dumped(view) == dumped(models.modal(form))
    assert_view_round_trip(view)
    for searchable in forms.searchable_options(form).values():
        found = forms.suggestions(searchable, "1")
        assert dumped(found) == dumped(
            [models.option(o).to_dict() for o in searchable if "1" in o.label][:100]
        )


@pytest.mark.parametrize("name", sorted(DEGENERATE_MESSAGES))
def test_degenerate_messages_are_what_the_models_make(name: str) -> None:
    message = DEGENERATE_MESSAGES[name]
    assert dumped(render.blocks(message)) == dumped(models.blocks(message))
    # The models' View parsed these blocks back and failed; the home view now shows them.
    with pytest.raises(TypeError):
        models.home_view(message)
    assert render.home_view(message)["blocks"] == render.blocks(message, limit=100)


@pytest.mark.parametrize("name", sorted(DEGENERATE_FORMS))
def test_degenerate_forms_are_what_the_models_make(name: str) -> None:
    form = DEGENERATE_FORMS[name]
    assert dumped(forms.modal(form)) == dumped(models.modal(form))


def test_the_inputs_cover_every_block_and_field_kind() -> None:
    rendered = [b for _, m in MESSAGES for b in render.blocks(m)]
    assert {b["type"] for b in rendered} == {
        "header", "section", "context", "actions", "image", "divider"
    }  # fmt: skip
    elements = [e for b in rendered if b["type"] == "actions" for e in b["elements"]]
    assert {e.get("style") for e in elements} == {None, "primary", "danger"}
    assert any("url" in e for e in elements) and any("confirm" in e for e in elements)
    assert any(len(b.get("fields", ())) == 10 for b in rendered)
    inputs = [b for _, f in FORMS for b in forms.modal(f)["blocks"] if b["type"] == "input"]
    assert {b["element"]["type"] for b in inputs} == {
        "plain_text_input", "static_select", "multi_static_select", "external_select",
        "multi_external_select", "checkboxes", "datepicker", "timepicker",
    }  # fmt: skip
    assert len(MESSAGES) > 200 and len(FORMS) > 20


REFUSED_MESSAGES = {
    "button URL over 3000": Message(
        (Actions((Button("L", "l", url="https://" + "x" * 3000),)),), "s"
    ),
    "image URL over 3000": Message((Image("https://" + "x" * 3000, "a"),), "s"),
}


@pytest.mark.parametrize("name", sorted(REFUSED_MESSAGES))
def test_what_the_models_refused_is_still_refused(name: str) -> None:
    message = REFUSED_MESSAGES[name]
    with pytest.raises(SlackObjectFormationError):
        models.blocks(message)
    with pytest.raises(ValueError):
        render.blocks(message)


def test_views_the_models_refused_are_still_refused() -> None:
    empty = Message((Attachment(1, "a", "image/png", "l"),), "s")
    with pytest.raises(SlackObjectFormationError):
        models.home_view(empty)
    with pytest.raises(ValueError):
        render.home_view(empty)
    for form in (
        Form("", REF, (TextField("a", "A"),), "OK"),
        Form("Rien", REF, (), "OK"),
        Form("Nom long", REF, (TextField("n" * 256, "A"),), "OK"),
    ):
        with pytest.raises(SlackObjectFormationError):
            models.modal(form)
        with pytest.raises(ValueError):
            forms.modal(form)
