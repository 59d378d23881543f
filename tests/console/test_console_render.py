"""Cards and forms as HTML: every node type, and nothing a person typed ever becomes markup."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from dialogs.core.content import Link, Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.ui import (
    ActionRef,
    Actions,
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
from handlers.console.codec import decode, decode_message, encode, encode_message
from handlers.console.render import Viewer, render_form, render_inline, render_message

REF = ActionRef("pairing", "inst", "answer", 3)
HOSTILE = '<script>alert(1)</script> <!channel> <@U123> <https://evil|click> & **bold** "q"'
PARIS, NEW_YORK = Viewer("fr", "Europe/Paris"), Viewer("en", "America/New_York")


def test_user_text_is_inert() -> None:
    html = render_inline(UserText(HOSTILE), PARIS)
    assert "<script" not in html and "<@" not in html and "<!channel" not in html
    assert "&lt;script&gt;" in html and "&lt;!channel&gt;" in html and "&amp;" in html
    assert "**bold**" in html and "<strong>" not in html and "&quot;q&quot;" in html


def test_inline_nodes() -> None:
    assert render_inline(Text("Yes & no", strong=True), PARIS) == "<strong>Yes &amp; no</strong>"
    link = render_inline(Link("https://example.com/a?b=1&c=2", "<docs>"), PARIS)
    assert 'href="https://example.com/a?b=1&amp;c=2"' in link
    assert 'rel="noopener noreferrer"' in link and "&lt;docs&gt;" in link
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "https:nohost"):
        assert render_inline(Link(bad, "label"), PARIS) == "label"
    person = render_inline(PersonRef("p1", "<Zoé>"), PARIS)
    assert "&lt;Zoé&gt;" in person and 'data-person-id="p1"' in person


def test_timestamps_in_the_readers_zone_and_language() -> None:
    noon_utc = Timestamp(datetime(2025, 1, 15, 12, 0, tzinfo=UTC), "time")
    assert ">13:00<" in render_inline(noon_utc, PARIS)
    assert "7:00" in render_inline(noon_utc, NEW_YORK) and "AM" in render_inline(noon_utc, NEW_YORK)
    day = Timestamp(datetime(2025, 1, 15, 23, 30, tzinfo=UTC), "date")
    assert "16 janvier 2025" in render_inline(day, PARIS)  # already the 16th in Paris
    assert "January 15, 2025" in render_inline(day, NEW_YORK)
    assert 'datetime="2025-01-15T23:30:00+00:00"' in render_inline(day, PARIS)


def test_a_session_time_reads_as_people_say_it_without_seconds() -> None:
    # A reminder's "on 29 mars 2027, 02:30:00 EDT" read like a log line: no seconds.
    session = Timestamp(datetime(2027, 3, 29, 14, 30, tzinfo=UTC), "datetime")
    assert ">29 mars 2027, 16:30 CEST<" in render_inline(session, PARIS)
    assert ">Mar 29, 2027, 10:30\u202fAM EDT<" in render_inline(session, NEW_YORK)


def card() -> Message:
    return Message(
        (
            Header("Proposal <1>"),
            Section((Paragraph((Text("Meet "), PersonRef("p2", "Zoé"), UserText(" <b>hi</b>"))),)),
            Facts((("Skill", Paragraph.of("SEO & ads")),)),
            Image("https://example.com/chart.png", 'chart "2025"'),
            Image("javascript:alert(1)", "no chart"),
            Divider(),
            Actions(
                (
                    Button("Accept", "accept", REF, value="p2", style="primary"),
                    Button(
                        "Decline",
                        "decline",
                        REF,
                        style="danger",
                        confirm=Confirm("Sure?", "It <cannot> be undone", "Decline", "Back"),
                    ),
                    Button("Guide", "guide", url="https://example.com/guide"),
                    Button("Bad", "bad", url="javascript:alert(1)"),
                )
            ),
        ),
        summary="Proposal",
        visibility="private",
    )


def test_a_card_with_every_block() -> None:
    html = render_message(card(), PARIS, message_id="m1")
    assert '<article class="card" data-message-id="m1">' in html
    assert "<h3>Proposal &lt;1&gt;</h3>" in html and "&lt;b&gt;hi&lt;/b&gt;" in html
    assert "<dt>Skill</dt><dd>SEO &amp; ads</dd>" in html
    assert '<img src="https://example.com/chart.png" alt="chart &quot;2025&quot;"' in html
    assert '<p class="image-missing">no chart</p>' in html and "<hr>" in html
    assert 'data-ref="pairing|inst|answer|3"' in html and 'data-value="p2"' in html
    assert 'data-confirm-text="It &lt;cannot&gt; be undone"' in html
    assert (
        '<a class="button default" href="https://example.com/guide" rel="noopener noreferrer"'
        in html
    )
    assert "javascript:" not in html and "disabled" not in html
    assert "Visible par vous seul·e" in html  # private to the reader
    answered = render_message(card(), PARIS, message_id="m1", disabled=True)
    assert answered.count(" disabled>") == 2 and 'class="card answered"' in answered


def profile_form() -> Form:
    skills = tuple(Option(f"s{i}", f"Skill {i} <x>") for i in range(150))
    return Form(
        "Profile",
        REF,
        (
            TextField("title", "Job title", initial='Head of "data"', hint="As on your badge"),
            TextField("bio", "About you", multiline=True, required=False),
            SelectField(
                "stage", "Career stage", (Option("junior", "Junior"), Option("senior", "Senior"))
            ),
            SelectField(
                "langs",
                "Languages",
                (Option("fr", "French"), Option("en", "English")),
                multi=True,
                initial=("fr",),
            ),
            SelectField("skill", "Skill", skills),
            CheckboxesField(
                "days",
                "Days",
                (Option("mon", "Monday"), Option("tue", "Tuesday")),
                initial=("tue",),
            ),
            DateField("start", "Start", initial=date(2025, 3, 1)),
            TimeField("at", "Time", initial=time(9, 30)),
        ),
        submit_label="Save",
        intro=(Paragraph((UserText("<i>typed</i>"),)),),
    )


def test_a_form_with_every_field_and_its_errors() -> None:
    html = render_form(profile_form(), Viewer("en"), errors={"stage": "Choose <one>"})
    assert 'data-ref="pairing|inst|answer|3"' in html and "&lt;i&gt;typed&lt;/i&gt;" in html
    assert 'value="Head of &quot;data&quot;"' in html and 'aria-describedby="f-title-hint"' in html
    assert '<textarea id="f-bio" name="bio"' in html and "(optional)" in html
    # Several choices are checkboxes (a hint a <select multiple> never gave).
    langs = html[html.index('data-field="langs"') : html.index('data-field="skill"')]
    assert "<fieldset" in html and "multiple" not in html and 'data-kind="checkboxes"' in langs
    assert 'type="checkbox" name="langs" value="fr" checked> French' in langs
    assert 'type="checkbox" name="langs" value="en"> English' in langs
    # A long list gets a filter box tied to its select.
    assert 'data-filter-for="f-skill"' in html and "Skill 149 &lt;x&gt;" in html
    assert html.count('data-filter-for="') == 1
    assert 'type="checkbox" name="days" value="tue" checked' in html
    assert 'type="date" id="f-start"' in html and 'value="2025-03-01"' in html
    assert 'type="time" id="f-at"' in html and 'value="09:30"' in html
    # The error sits inside its own field, announced and linked to the control.
    stage = html[html.index('data-field="stage"') : html.index('data-field="langs"')]
    assert 'role="alert">Choose &lt;one&gt;</p>' in stage and 'aria-invalid="true"' in stage
    assert "f-stage-error" in stage
    assert html.count('aria-invalid="true"') == 1
    assert "Annuler" in render_form(profile_form(), PARIS)


def test_messages_and_forms_survive_storage() -> None:
    message = card()
    assert decode_message(encode_message(message)) == message
    form = profile_form()
    assert decode(encode(form)) == form
    when = Message((Section((Paragraph((Timestamp(datetime(2025, 1, 1, tzinfo=UTC)),)),)),), "t")
    assert decode_message(encode_message(when)) == when
