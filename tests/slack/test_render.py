"""Block Kit rendering: every node, inert user text, platform limits, Slack's own models."""

from __future__ import annotations

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
from handlers.slack import forms, markup, render
from tests.fakes.slack_spec import check_blocks, check_view

REF = ActionRef("profile", "inst-1", "ask", 3)
DANGEROUS = ["<!channel>", "<!here>", "<@U123>", "<https://evil|click>", "a & b", "1 < 2 > 0"]


def section_texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b)


def one_paragraph(*parts: Any) -> Message:
    return Message((Section((Paragraph(tuple(parts)),)),), summary="s")


@pytest.mark.parametrize("typed", DANGEROUS)
def test_user_text_is_inert(typed: str) -> None:
    rendered = render.blocks(one_paragraph(UserText(typed)))
    text = section_texts(rendered)
    assert "<" not in text and ">" not in text
    assert "&amp;" in text or "&lt;" in text
    assert check_blocks(rendered) == []


@pytest.mark.parametrize("marker", ["*bold*", "_it_", "~del~", "`code`"])
def test_user_text_markdown_is_neutralised(marker: str) -> None:
    text = section_texts(render.blocks(one_paragraph(UserText(marker))))
    # Each marker is fenced by zero-width spaces, so Slack sees no formatting pair.
    assert text != marker
    assert text.replace(markup.ZERO_WIDTH_SPACE, "") == marker


def test_our_text_strong_and_escaped() -> None:
    text = section_texts(render.blocks(one_paragraph(Text("Tom & Jerry", strong=True))))
    assert text == "*Tom &amp; Jerry*"


def test_link_label_escaped_and_url_kept() -> None:
    text = section_texts(
        render.blocks(one_paragraph(Link("https://example.com/a?b=1&c=2", "<!here> *x*")))
    )
    assert text.startswith("<https://example.com/a?b=1&amp;c=2|")
    assert "<!here>" not in text and "&lt;!here&gt;" in text


def test_person_ref_shows_the_name_inert() -> None:
    text = section_texts(render.blocks(one_paragraph(PersonRef("p1", "<@U999>"))))
    assert "<@" not in text and "&lt;@U999&gt;" in text


@pytest.mark.parametrize(
    ("style", "token"),
    [
        ("datetime", "{date_short_pretty} {time}"),
        ("date", "{date_short_pretty}"),
        ("time", "{time}"),
    ],
)
def test_timestamp_renders_natively(style: Any, token: str) -> None:
    at = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    text = section_texts(render.blocks(one_paragraph(Timestamp(at, style))))
    assert text.startswith(f"<!date^{int(at.timestamp())}^{token}|")
    assert text.endswith(">")


def test_every_block_kind_passes_slack_models() -> None:
    message = Message(
        (
            Header("Bienvenue"),
            Section((Paragraph.of("Bonjour ", UserText("<!channel>")),)),
            Facts((("Rôle", Paragraph.of("mentor")), ("Équipe", Paragraph.of("R&D")))),
            Divider(),
            Image("https://example.com/a.png", "chart"),
            Actions(
                (
                    Button("Oui", "accept", REF, value="42", style="primary"),
                    Button(
                        "Non",
                        "decline",
                        REF,
                        style="danger",
                        confirm=Confirm("Sûr ?", "Vraiment ?", "Oui", "Non"),
                    ),
                    Button("Docs", "docs", url="https://example.com/docs"),
                )
            ),
        ),
        summary="Bienvenue",
    )
    rendered = render.blocks(message)
    assert [b["type"] for b in rendered] == [
        "header",
        "section",
        "section",
        "divider",
        "image",
        "actions",
    ]
    assert check_blocks(rendered) == []
    buttons = rendered[-1]["elements"]
    assert buttons[1]["confirm"]["title"]["text"] == "Sûr ?"
    assert buttons[0]["style"] == "primary"
    click = render.decode_click(buttons[0]["action_id"], buttons[0]["value"])
    assert click == render.ClickedButton("accept", REF, "42")


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        ("tandem.0.accept", "not json"),
        ("tandem.0.accept", '{"r": "a|b"}'),
        ("tandem.0.accept", '["x"]'),
        ("someone.else", "{}"),
        ("tandem.0.accept", '{"r": "f|i|s|x"}'),
    ],
)
def test_forged_clicks_are_refused(action_id: str, value: str) -> None:
    with pytest.raises(ValueError):
        render.decode_click(action_id, value)


def test_answered_card_replaces_buttons_with_a_context_line() -> None:
    message = Message(
        (Section((Paragraph.of("Question ?"),)), Actions((Button("Oui", "yes", REF),))), "q"
    )
    rendered = render.answered(message, "Répondu : <oui>")
    assert [b["type"] for b in rendered] == ["section", "context"]
    assert rendered[1]["elements"][0]["text"] == "Répondu : &lt;oui&gt;"
    assert check_blocks(rendered) == []


def test_long_text_is_split_and_block_limit_kept() -> None:
    long = Paragraph.of(UserText("<x> " * 2000))
    many = tuple(Section((long,)) for _ in range(30))
    rendered = render.blocks(Message(many, "long"))
    assert len(rendered) == 50
    assert all(len(b["text"]["text"]) <= 3000 for b in rendered if b["type"] == "section")
    assert check_blocks(rendered) == []
    joined = "".join(b["text"]["text"] for b in render.blocks(Message((Section((long,)),), "x")))
    assert joined == markup.inert("<x> " * 2000)


def test_home_view() -> None:
    view = render.home_view(Message((Header("Accueil"),), "home"))
    assert view["type"] == "home"
    assert check_view(view) == []


def full_form(options: int = 5) -> Form:
    return Form(
        title="Mon profil",
        ref=REF,
        intro=(Paragraph.of("Dites-nous ", UserText("<!here>")),),
        fields=(
            TextField("bio", "Bio", multiline=True, initial="hi", hint="court"),
            TextField("title", "Titre", required=False),
            SelectField("team", "Équipe", tuple(Option(f"t{i}", f"Team {i}") for i in range(5))),
            SelectField(
                "langs", "Langues", (Option("fr", "Français"), Option("en", "English")), multi=True
            ),
            SelectField(
                "skill",
                "Compétence",
                tuple(Option(f"s{i}", f"Skill {i}") for i in range(options)),
                initial=("s1",),
            ),
            CheckboxesField("days", "Jours", (Option("mon", "Lundi"), Option("tue", "Mardi"))),
            DateField("start", "Début", initial=date(2025, 1, 2)),
            TimeField("at", "Heure", initial=time(9, 30)),
        ),
        submit_label="Enregistrer",
    )


def test_form_becomes_a_modal_with_every_field_kind() -> None:
    view = forms.modal(full_form(150))
    assert check_view(view) == []
    assert view["private_metadata"] == REF.encode()
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds == {
        "bio": "plain_text_input",
        "title": "plain_text_input",
        "team": "static_select",
        "langs": "multi_static_select",
        "skill": "external_select",
        "days": "checkboxes",
        "start": "datepicker",
        "at": "timepicker",
    }
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["bio"]["element"]["multiline"] is True
    assert inputs["title"]["optional"] is True
    assert inputs["skill"]["element"]["initial_option"]["value"] == "s1"
    assert "<!here>" not in view["blocks"][0]["text"]["text"]
    assert set(forms.searchable_options(full_form(150))) == {"skill"}
    found = forms.suggestions(forms.searchable_options(full_form(150))["skill"], "skill 14")
    assert [o["value"] for o in found] == ["s14"] + [f"s{i}" for i in range(140, 150)]


def test_small_select_stays_static() -> None:
    view = forms.modal(full_form(100))
    assert check_view(view) == []
    assert forms.searchable_options(full_form(100)) == {}


def test_submitted_values_read_from_view_state() -> None:
    state = {
        "values": {
            "bio": {"value": {"type": "plain_text_input", "value": "<!channel>"}},
            "team": {"value": {"type": "static_select", "selected_option": {"value": "t1"}}},
            "langs": {
                "value": {"type": "multi_static_select", "selected_options": [{"value": "fr"}]}
            },
            "skill": {"value": {"type": "external_select", "selected_option": None}},
            "days": {"value": {"type": "checkboxes", "selected_options": []}},
            "start": {"value": {"type": "datepicker", "selected_date": "2025-01-02"}},
            "at": {"value": {"type": "timepicker", "selected_time": "09:30"}},
            "junk": "nope",
        }
    }
    assert forms.submitted_values({"state": state}) == {
        "bio": "<!channel>",
        "team": "t1",
        "langs": ("fr",),
        "skill": None,
        "days": (),
        "start": "2025-01-02",
        "at": "09:30",
    }
    assert forms.submitted_values({"state": "junk"}) == {}


def test_form_answers() -> None:
    errors = forms.form_answer(FieldErrors({"bio": "Trop long"}))
    assert errors == {"response_action": "errors", "errors": {"bio": "Trop long"}}
    update = forms.form_answer(NextForm(full_form()))
    assert update["response_action"] == "update" and check_view(update["view"]) == []
    assert forms.pushed(full_form())["response_action"] == "push"
    assert forms.form_answer(Done()) == {"response_action": "clear"}


def test_typed_text_undoes_slacks_escaping_but_keeps_channel_references() -> None:
    from handlers.slack.translate import typed_text

    escaped = (
        "admin invite <mailto:lea@acme.example|lea@acme.example> R&amp;D &lt;3 "
        "<https://intranet.example/page|intranet.example/page> <#C0GENERAL|general>"
    )
    assert typed_text(escaped) == (
        "admin invite lea@acme.example R&D <3 https://intranet.example/page <#C0GENERAL|general>"
    )
