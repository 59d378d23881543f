"""A file in a message on each platform: Slack uploads it (no block stands for it), Teams
and the console link to ``/files/{token}`` (and show an image inline), all escaped."""

from __future__ import annotations

import json

from dialogs.core.ui import Attachment, Message
from handlers.console.render import Viewer, render_message
from handlers.slack import render as slack_render
from handlers.slack.files import attachments_of
from handlers.teams.render import message_card
from tests.fakes.adaptive_cards import check_adaptive_card

URL = "https://tandem.example.com/files/abc_DEF-123"


def message(media_type: str, url: str = URL) -> Message:
    item = Attachment(7, 'mes "données".json', media_type, "Télécharger <b>vos</b> données", url)
    return Message((item,), summary="Vos données")


def test_slack_uploads_the_file_instead_of_drawing_it() -> None:
    shown = message("application/json")
    assert slack_render.blocks(shown) == []
    assert [a.file_id for a in attachments_of(shown)] == [7]


def test_teams_links_to_the_file_and_shows_an_image() -> None:
    card = message_card(message("application/json"))
    assert check_adaptive_card(card) == []
    [actions] = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert actions["actions"] == [
        {"type": "Action.OpenUrl", "title": "Télécharger <b>vos</b> données", "url": URL}
    ]
    image = message_card(message("image/png"))
    assert [e["type"] for e in image["body"]] == ["Image", "ActionSet"]
    unsigned = message_card(message("application/json", url=""))
    assert "Action.OpenUrl" not in json.dumps(unsigned)


def test_the_console_offers_a_download_escaped() -> None:
    html = render_message(message("image/png"), Viewer())
    assert f'href="{URL}"' in html and f'<img src="{URL}"' in html
    assert 'download="mes &quot;données&quot;.json"' in html
    assert "<b>" not in html and "&lt;b&gt;vos&lt;/b&gt;" in html
    forged = render_message(message("application/json", url="javascript:alert(1)"), Viewer())
    assert "javascript:" not in forged and "href" not in forged
