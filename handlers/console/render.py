"""Neutral messages and forms as HTML for the console page, escaped here and only here.

Everything a person or the core wrote goes through ``html.escape`` (text and attributes);
the page inserts this HTML as is and sets any later text with ``textContent``. Links and
images keep only http(s) URLs. Timestamps are shown in the reader's own zone and language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_datetime_format

from dialogs.core.content import Inline, Link, Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.i18n import LOCALES, Translator
from dialogs.core.ui import (
    Actions,
    Attachment,
    Block,
    Button,
    CheckboxesField,
    DateField,
    Divider,
    Facts,
    Field,
    Form,
    Header,
    Image,
    Message,
    Section,
    SelectField,
    TextField,
    TimeField,
)


def _words(t: Translator) -> dict[str, str]:
    """The renderer's own words (the core's words arrive already localised)."""
    return {
        "cancel": t("Cancel"),
        "filter": t("Filter the list"),
        "choose": t("— Choose —"),
        "optional": t("optional"),
        "private": t("Only you can see this"),
    }


SELECT_ROWS = 8  # visible rows of a multi-select or searchable list


@dataclass(frozen=True)
class Viewer:
    """Who reads: their language (for our own words and dates) and their time zone."""

    locale: str = "fr"
    timezone: str = "Europe/Paris"

    @property
    def zone(self) -> tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def word(self, key: str) -> str:
        return _words(Translator(self.locale if self.locale in LOCALES else "en"))[key]


def _attr(value: str) -> str:
    return escape(value, quote=True)


def safe_url(url: str) -> str | None:
    """The URL if it is plain http(s) with a host; None for javascript:, data:, relative …"""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def render_timestamp(node: Timestamp, viewer: Viewer) -> str:
    local = node.at.astimezone(viewer.zone)
    if node.style == "date":
        shown = format_date(local.date(), format="long", locale=viewer.locale)
    elif node.style == "time":
        shown = format_time(local, format="short", locale=viewer.locale)
    else:
        # The locale's medium date with a short time: a session is at 16:30, not 16:30:00.
        shown = str(get_datetime_format("medium", locale=viewer.locale)).format(
            format_time(local, format="short", locale=viewer.locale),
            format_date(local.date(), format="medium", locale=viewer.locale),
        )
        shown += " " + (local.tzname() or "")
    return f'<time datetime="{_attr(node.at.isoformat())}">{escape(shown.strip())}</time>'


def render_inline(node: Inline, viewer: Viewer) -> str:
    match node:
        case Text(text=text, strong=True):
            return f"<strong>{escape(text)}</strong>"
        case Text(text=text):
            return escape(text)
        case UserText(text=text):
            return f'<span class="user-text">{escape(text)}</span>'
        case Link(url=url, label=label):
            href = safe_url(url)
            if href is None:
                return escape(label)
            return (
                f'<a href="{_attr(href)}" rel="noopener noreferrer" target="_blank">'
                f"{escape(label)}</a>"
            )
        case PersonRef(person_id=person_id, name=name):
            return f'<span class="person" data-person-id="{_attr(person_id)}">{escape(name)}</span>'
        case Timestamp():
            return render_timestamp(node, viewer)
    raise TypeError(f"not a content node: {node!r}")


def render_paragraph(paragraph: Paragraph, viewer: Viewer, tag: str = "p") -> str:
    inner = "".join(render_inline(part, viewer) for part in paragraph.parts)
    return f"<{tag}>{inner}</{tag}>" if tag else inner


def render_button(button: Button, *, disabled: bool) -> str:
    classes = f"button {button.style}"
    if button.url is not None:
        href = safe_url(button.url)
        if href is None:
            return f'<span class="{classes}">{escape(button.label)}</span>'
        return (
            f'<a class="{classes}" href="{_attr(href)}" rel="noopener noreferrer" '
            f'target="_blank">{escape(button.label)}</a>'
        )
    data = {
        "action": button.action,
        "ref": button.ref.encode() if button.ref else "",
        "value": button.value,
        "opens-form": "true" if button.opens_form else "false",
    }
    if button.confirm is not None:
        data |= {
            "confirm-title": button.confirm.title,
            "confirm-text": button.confirm.text,
            "confirm-yes": button.confirm.confirm_label,
            "confirm-no": button.confirm.deny_label,
        }
    attrs = " ".join(f'data-{k}="{_attr(v)}"' for k, v in data.items())
    state = " disabled" if disabled else ""
    return f'<button type="button" class="{classes}" {attrs}{state}>{escape(button.label)}</button>'


def render_block(block: Block, viewer: Viewer, *, disabled: bool) -> str:
    match block:
        case Header(text=text):
            return f"<h3>{escape(text)}</h3>"
        case Section(paragraphs=paragraphs):
            return "".join(render_paragraph(p, viewer) for p in paragraphs)
        case Facts(items=items):
            rows = "".join(
                f"<div><dt>{escape(label)}</dt><dd>{render_paragraph(value, viewer, '')}</dd></div>"
                for label, value in items
            )
            return f'<dl class="facts">{rows}</dl>'
        case Actions(buttons=buttons):
            inner = "".join(render_button(b, disabled=disabled) for b in buttons)
            return f'<div class="actions">{inner}</div>'
        case Image(url=url, alt=alt):
            src = safe_url(url)
            if src is None:
                return f'<p class="image-missing">{escape(alt)}</p>'
            return f'<img src="{_attr(src)}" alt="{_attr(alt)}" loading="lazy">'
        case Divider():
            return "<hr>"
        case Attachment():
            return render_file(block)
    raise TypeError(f"not a block: {block!r}")


def render_file(item: Attachment) -> str:
    """A stored file: a download link to ``/files/{token}`` (an image shown as well)."""
    href = safe_url(item.url)
    if href is None:
        return f'<p class="file">{escape(item.filename)}</p>'
    image = ""
    if item.is_image:
        image = f'<img src="{_attr(href)}" alt="{_attr(item.filename)}" loading="lazy">'
    link = (
        f'<a class="button file" href="{_attr(href)}" download="{_attr(item.filename)}" '
        f'rel="noopener noreferrer">{escape(item.label)}</a>'
    )
    return f'<div class="file">{image}{link}</div>'


def render_message(
    message: Message, viewer: Viewer, *, message_id: str = "", disabled: bool = False
) -> str:
    """A card. ``disabled``: the card was answered, its buttons no longer act."""
    blocks = "".join(render_block(b, viewer, disabled=disabled) for b in message.blocks)
    note = ""
    if message.visibility == "private":
        note = f'<p class="private-note">{escape(viewer.word("private"))}</p>'
    state = " answered" if disabled else ""
    opening = f'<article class="card{state}" data-message-id="{_attr(message_id)}">'
    return f"{opening}{blocks}{note}</article>"


def _field_id(field: Field) -> str:
    return "f-" + field.name


def _describedby(field: Field, error: str | None) -> str:
    ids = []
    if field.hint:
        ids.append(_field_id(field) + "-hint")
    if error:
        ids.append(_field_id(field) + "-error")
    return f' aria-describedby="{_attr(" ".join(ids))}"' if ids else ""


def _options(field: SelectField | CheckboxesField, viewer: Viewer) -> str:
    chosen = set(field.initial)
    if isinstance(field, CheckboxesField) or field.multi:
        return "".join(
            f'<label class="choice"><input type="checkbox" name="{_attr(field.name)}" '
            f'value="{_attr(o.value)}"{" checked" if o.value in chosen else ""}> '
            f"{escape(o.label)}</label>"
            for o in field.options
        )
    blank = ""
    if not field.multi and not chosen:
        blank = f'<option value="">{escape(viewer.word("choose"))}</option>'
    return blank + "".join(
        f'<option value="{_attr(o.value)}"{" selected" if o.value in chosen else ""}>'
        f"{escape(o.label)}</option>"
        for o in field.options
    )


def _filter(target_id: str, label: str, viewer: Viewer) -> str:
    """A search box that narrows the list ``target_id`` (a select or a box of checkboxes)."""
    return (
        f'<input type="search" class="filter" data-filter-for="{target_id}" '
        f'aria-label="{_attr(viewer.word("filter") + " : " + label)}" '
        f'placeholder="{_attr(viewer.word("filter"))}">'
    )


def _choices(field: SelectField | CheckboxesField, viewer: Viewer) -> str:
    """Checkboxes; a long list in a scrolling box, with a filter when it is searchable."""
    boxes = _options(field, viewer)
    if not isinstance(field, SelectField):
        return boxes
    box_id = _attr(_field_id(field) + "-choices")
    search = _filter(box_id, field.label, viewer) if field.searchable else ""
    return f'{search}<div class="choices" id="{box_id}">{boxes}</div>'


def _control(field: Field, viewer: Viewer, aria: str) -> tuple[str, str]:
    """The input element and the kind the page uses to read its value back."""
    fid, name = _attr(_field_id(field)), _attr(field.name)
    required = ' required aria-required="true"' if field.required else ""
    common = f'id="{fid}" name="{name}"{required}{aria}'
    match field:
        case TextField(multiline=True):
            return (
                f'<textarea {common} maxlength="{field.max_length}" rows="4">'
                f"{escape(field.initial)}</textarea>",
                "text",
            )
        case TextField():
            return (
                f'<input type="text" {common} maxlength="{field.max_length}" '
                f'value="{_attr(field.initial)}">',
                "text",
            )
        case SelectField():
            size = f' size="{SELECT_ROWS}"' if field.multi or field.searchable else ""
            multiple = " multiple" if field.multi else ""
            control = f"<select {common}{multiple}{size}>{_options(field, viewer)}</select>"
            if field.searchable:
                control = _filter(fid, field.label, viewer) + control
            return control, "multi" if field.multi else "select"
        case DateField():
            value = field.initial.isoformat() if field.initial else ""
            return f'<input type="date" {common} value="{_attr(value)}">', "date"
        case TimeField():
            value = field.initial.strftime("%H:%M") if field.initial else ""
            return f'<input type="time" {common} value="{_attr(value)}">', "time"
    raise TypeError(f"not a field: {field!r}")


def render_field(field: Field, viewer: Viewer, error: str | None = None) -> str:
    fid = _field_id(field)
    hint = f'<p class="hint" id="{_attr(fid)}-hint">{escape(field.hint)}</p>' if field.hint else ""
    shown = escape(error) if error else ""
    error_html = (
        f'<p class="field-error" id="{_attr(fid)}-error" role="alert"'
        f"{'' if error else ' hidden'}>{shown}</p>"
    )
    optional = (
        "" if field.required else f' <span class="optional">({viewer.word("optional")})</span>'
    )
    invalid = ' aria-invalid="true"' if error else ""
    label = escape(field.label) + optional
    if isinstance(field, CheckboxesField) or (isinstance(field, SelectField) and field.multi):
        # Several choices: checkboxes, as Slack and Teams show them (a <select multiple>
        # gives no hint that more than one option can be picked, nor how).
        return (
            f'<fieldset class="field" data-field="{_attr(field.name)}" data-kind="checkboxes"'
            f"{invalid}{_describedby(field, error)}><legend>{label}</legend>"
            f"{_choices(field, viewer)}{hint}{error_html}</fieldset>"
        )
    control, kind = _control(field, viewer, invalid + _describedby(field, error))
    return (
        f'<div class="field" data-field="{_attr(field.name)}" data-kind="{kind}">'
        f'<label for="{_attr(fid)}">{label}</label>{control}{hint}{error_html}</div>'
    )


def render_form(form: Form, viewer: Viewer, errors: Mapping[str, str] | None = None) -> str:
    """A form; ``errors`` (field name -> message) are shown next to their fields."""
    errors = errors or {}
    intro = "".join(render_paragraph(p, viewer) for p in form.intro)
    fields = "".join(render_field(f, viewer, errors.get(f.name)) for f in form.fields)
    back = ""
    if form.back_label:
        back = f'<button type="button" class="button" data-back>{escape(form.back_label)}</button>'
    return (
        f'<form class="card form" data-ref="{_attr(form.ref.encode())}" novalidate '
        f'aria-labelledby="form-title"><h3 id="form-title">{escape(form.title)}</h3>{intro}'
        f'{fields}<div class="actions">{back}<button type="submit" class="button primary">'
        f"{escape(form.submit_label)}</button>"
        f'<button type="button" class="button" data-cancel>{escape(viewer.word("cancel"))}'
        "</button></div></form>"
    )


def render_person_text(text: str, at: datetime, viewer: Viewer) -> str:
    """What the person typed, shown back inert."""
    when = render_timestamp(Timestamp(at, "time"), viewer)
    return f'<article class="bubble"><p class="user-text">{escape(text)}</p>{when}</article>'
