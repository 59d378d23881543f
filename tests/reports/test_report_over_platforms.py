"""``admin report`` through the whole server: Rose (deployment admin) in Slack in French,
Marc (the program's admin) in Teams in English, the same hand-computed program
(tests/reports/fixture.py) and the same hidden cells; people who run no program, or not
this one, are refused in their language and see no figure; a bad option gets a clear
answer."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from storage.models import Person
from tests.fakes.bot_connector import FakeBotConnector
from tests.reports.fixture import NOW, seed_report_program
from tests.sessions.test_nudges_over_platforms import everyone_says_hello
from tests.teams.cards import texts
from tests.test_matching_over_platforms import LEA, MARC_EMAIL, RH, Server, TeamsPerson, server

__all__ = ["server"]


def slack_text(call_args: dict[str, object]) -> str:
    """The words of a posted Slack message, entities put back (Slack shows them as < >)."""
    said = json.dumps(call_args, ensure_ascii=False)
    return said.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def world(server: tuple[Server, FakeBotConnector]) -> tuple[Server, TeamsPerson]:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await everyone_says_hello(srv, marc)
    async with srv.runtime.database.unit_of_work() as session:
        marc_id = await session.scalar(select(Person.id).where(Person.email == MARC_EMAIL))
        await seed_report_program(session, admin_id=marc_id)
    srv.runtime.clock.set(NOW)  # type: ignore[attr-defined]
    return srv, marc


def teams_text(card: dict[str, object]) -> str:
    """A card's words, Teams markdown escapes put back (Teams shows them plain)."""
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", texts(card))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def line(text: str, start: str) -> str:
    found = [x for x in re.split(r"\\n|\n|\"", text) if x.lstrip("*_ ").startswith(start)]
    assert found, (start, text)
    return found[-1]


async def test_admin_report_in_slack_in_french_and_in_teams_in_english(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, marc = await world(server)

    await srv.command(RH, "admin rapport bilan-2027 --by service")
    [card] = srv.posted_to(RH, "Bilan du programme")[-1:]
    said = slack_text(card.args)
    assert "Note moyenne des séances (sur 5)*\\n4,1" in said
    assert "Score de recommandation (NPS)*\\n+33" in said
    assert "Taux de réponse aux avis*\\n83\u202f%" in said
    assert "Témoignages citables*\\n< 10" in said
    finance = line(said, "Finance")
    assert "Inscrits < 5 · En binôme < 5 · Taux de réponse aux avis < 5 réponses" in finance
    it = line(said, "IT")
    assert "Inscrits masqué · En binôme < 5" in it
    marketing = line(said, "Marketing")
    assert "Inscrits 6 · En binôme 5 · Taux de réponse aux avis 83\u202f%" in marketing
    assert marketing.endswith("Objectifs atteints masqué")
    sales = line(said, "Sales")
    assert "Note 4,0 · NPS +40" in sales and sales.endswith("Objectifs atteints 60\u202f%")
    # What HR typed (the program's name) is shown inert.
    assert "<Mentorat>" not in json.dumps(card.args, ensure_ascii=False)

    await marc.says("admin report bilan-2027 --by department")
    [shown] = marc.cards("Program report")[-1:]
    text = teams_text(shown)
    assert "Average session rating (out of 5): 4.1" in text
    assert "Net promoter score: +33" in text
    assert "Feedback response rate: 83%" in text
    assert "Goals done: 71%" in text
    assert "Enrolled hidden · Matched" in line(text, "IT")
    assert line(text, "Marketing").endswith("Goals done hidden")
    assert line(text, "Sales").endswith("Goals done 60%")
    assert line(text, "Finance").startswith("Finance — Enrolled < 5 · Matched < 5 · Feedback")
    assert "Pulse response rate: < 5 answers" in text


async def test_the_charts_come_as_a_file_in_slack_and_a_signed_link_in_teams(
    server: tuple[Server, FakeBotConnector],
) -> None:
    """The PNG drawn from the same report: uploaded into Rose's Slack DM through the upload
    flow (checked against the spec by the fake), a link to ``/files/{token}`` for Marc."""
    srv, marc = await world(server)
    await srv.command(RH, "admin rapport bilan-2027 --by service")
    assert srv.posted_to(RH, "Graphiques")
    [started] = srv.slack.calls_to("files.getUploadURLExternal")
    assert srv.slack.calls_to("files.completeUploadExternal")
    slack_file = started.answer["file_id"] if started.answer else ""
    assert srv.slack.shared[slack_file] == "D" + RH.id[1:]
    assert srv.slack.uploads[slack_file].startswith(b"\x89PNG")

    await marc.says("admin report bilan-2027 --by department")
    [card] = marc.cards("Charts: ")
    urls = [
        n["url"] for n in _walk(card) if isinstance(n.get("url"), str) and "/files/" in n["url"]
    ]
    assert urls, card
    async with srv.http.get(f"{srv.url}{urlsplit(urls[0]).path}") as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert (await response.read()).startswith(b"\x89PNG")
    # A refused report draws nothing.
    await marc.says("admin report bilan-2027 --to 2026-12-02")
    assert len(marc.cards("Charts: ")) == 1


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


async def test_admin_report_is_refused_to_people_who_do_not_run_the_program(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, marc = await world(server)

    await srv.command(LEA, "admin report bilan-2027")
    [refused] = srv.posted_to(LEA, "réservée aux administrateurs")[-1:]
    assert "Inscrits" not in json.dumps(refused.args, ensure_ascii=False)
    await marc.says("admin report rm-2027")  # Marc runs bilan-2027 only
    assert marc.cards("You are not an admin of this program")
    assert not marc.cards("Program report")
    # Typed wrong: a clear answer, no figure.
    await srv.command(RH, "admin report bilan-2027 --by pointure")
    [bad] = srv.posted_to(RH, "Ventilez par")[-1:]
    assert "pointure" in json.dumps(bad.args, ensure_ascii=False)
    await marc.says("admin report bilan-2027 --from 2027-02-30")
    assert marc.cards("Write dates as YYYY-MM-DD")
    await marc.says("admin report bilan-2027 --to 2026-12-02")
    [refusal] = marc.cards("This period leaves out 3 people of the program")
    assert "Enrolled" not in texts(refusal)
