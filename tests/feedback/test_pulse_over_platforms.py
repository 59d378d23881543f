"""The monthly pulse through the whole server, Slack and Teams side by side on loopback.

Léa (junior mentor, Slack, French) and Marc (leader, Teams, English) have been paired for
two weeks when the daily routine fires: each gets the month's question on their own
platform, in their own words. Léa answers "a concern" with signed Slack interactions and
adds a comment in a modal; the program team (Rose, Slack, French) is alerted with her
words shown inert, Marc never hears of it. Clicking again changes the answer; Tom's click
on Léa's card is refused; Marc answers in Teams, comments in a card, and a click after the
month's end is refused on both platforms, storing nothing.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.domain.feedback.pulse import PULSE_ROUTINE
from dialogs.feedback.pulse import ALERT_DELAY
from storage.models import Feedback
from storage.queue import DueQueue
from storage.routines import enqueue_fire
from tests.enrollment.test_enrollment_over_http import submission
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_signing import interactivity_request
from tests.sessions.test_nudges_over_platforms import paired
from tests.slack.test_cards import click_on
from tests.support.clock import T0
from tests.teams.cards import inputs, texts
from tests.test_matching_over_platforms import LEA, RH, SECRET, TOM, Server, server

__all__ = ["server"]  # the running server with Slack and Teams fakes, and its seeded program
QUESTION_FR = "Comment ça se passe\u202f?"
ALERT_FR = "Un point du mois demande un suivi"


async def routine(srv: Server, days: float) -> None:
    """The server's clock ``days`` after T0; the daily routine fires as the scheduler would."""
    at = T0 + timedelta(days=days)
    srv.runtime.clock.set(at)  # type: ignore[attr-defined]
    [found] = [r for r in srv.runtime.all_routines() if r.name == PULSE_ROUTINE]
    if found.kind not in srv.runtime.handlers:  # the server's Ticker registers it; none runs
        srv.runtime.handlers.register(found.kind)(found.fn)
    await enqueue_fire(DueQueue(srv.runtime.database), found, at)
    await srv.due()


async def moved(srv: Server, delta: timedelta) -> None:
    srv.runtime.clock.set(srv.runtime.clock.now() + delta)  # type: ignore[attr-defined]
    await srv.due()


async def stored(srv: Server) -> list[tuple[str | None, str | None]]:
    async with srv.runtime.database.unit_of_work() as session:
        rows = await session.scalars(select(Feedback).order_by(Feedback.id))
        return [(f.pulse, f.comment) for f in rows]


def said(call: Any) -> str:
    return json.dumps(call.args, ensure_ascii=False)


async def slack_click(srv: Server, user: str, card: Any, label: str) -> None:
    await srv.slack_post(interactivity_request(SECRET, click_on(srv.slack, user, card, label)))


async def test_a_junior_s_concern_in_slack_reaches_the_team_never_the_leader(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, _, marc, _ = await paired(server, "lea")
    await routine(srv, 13)
    assert srv.posted_to(LEA, QUESTION_FR) == []
    await routine(srv, 14)
    [card] = srv.posted_to(LEA, QUESTION_FR)
    shown = said(card)
    assert "Comment cela se passe-t-il avec *Marc Durand*" in shown
    for label in ("Ça va bien", "Une inquiétude", "J’aimerais en parler"):
        assert label in shown
    [marc_card] = marc.cards("Your reverse mentoring this month")
    assert "Léa Martin" in texts(marc_card)

    # Clicks made on the card as Slack showed it before her first answer closed it.
    second = click_on(srv.slack, LEA.id, card, "J’aimerais en parler")
    toms = click_on(srv.slack, TOM.id, card, "Ça va bien")  # Tom, with Léa's card in hand
    await slack_click(srv, LEA.id, card, "Une inquiétude")
    assert srv.posted_to(LEA, "Merci, c’est noté\u202f: Une inquiétude.")
    [noted] = srv.posted_to(LEA, "Quelque chose à ajouter")
    closed = [c for c in srv.slack.calls_to("chat.update") if c.args.get("ts") == card.answer["ts"]]
    assert closed and "J’aimerais en parler" not in said(closed[-1])

    await slack_click(srv, LEA.id, noted, "Ajouter un commentaire")
    [opened] = srv.slack.calls_to("views.open")
    view = opened.args["view"]
    view = view if isinstance(view, dict) else json.loads(view)
    assert view["title"]["text"] == "Votre point du mois"
    [held] = [v for v in srv.slack.views.values() if v["type"] == "modal"]
    typed = "<!channel> Il annule *toujours* au dernier moment"
    signed = interactivity_request(SECRET, submission(LEA.id, held, {"comment": typed}))
    async with srv.http.post(
        f"{srv.url}/slack/events", data=signed.body, headers=signed.headers
    ) as response:
        assert response.status == 200
    await srv.settle()
    assert await stored(srv) == [("concern", typed)]

    await moved(srv, ALERT_DELAY + timedelta(minutes=1))
    [alert] = srv.posted_to(RH, ALERT_FR)
    text = said(alert)
    assert "Léa Martin" in text and "une inquiétude" in text
    assert "Il annule" in text and "<!channel>" not in text  # her words, inert
    assert marc.cards("follow-up") == [] and marc.cards("Il annule") == []

    # Clicking the first card again changes the one answer; Tom's click changes nothing.
    await srv.slack_post(interactivity_request(SECRET, second))
    assert srv.posted_to(LEA, "Votre réponse est mise à jour\u202f: J’aimerais en parler.")
    updates = len(srv.slack.calls_to("chat.update"))
    await srv.slack_post(interactivity_request(SECRET, toms))
    refused = [c for c in srv.slack.calls_to("chat.postMessage") if "not for you" in said(c)]
    assert refused and "This question was not for you: nothing was recorded." in said(refused[0])
    assert len(srv.slack.calls_to("chat.update")) == updates  # her card is left as it was
    assert await stored(srv) == [("talk", typed)]


async def test_a_leader_answers_in_teams_and_a_late_answer_is_refused_everywhere(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, _, marc, _ = await paired(server, "lea")
    await routine(srv, 14)
    [marc_card] = marc.cards("Your reverse mentoring this month")
    assert "How is your reverse mentoring with **Léa Martin** going?" in texts(marc_card)
    assert "your mentor never sees it" in texts(marc_card)

    answer = await marc.clicks(marc_card, "A point of attention")  # the card gives way
    assert "Thank you, noted: A point of attention." in texts(answer)
    [offer] = marc.cards("Anything to add?")
    form = await marc.clicks(offer, "Add a comment")
    assert set(inputs(form)) >= {"answer", "comment"}
    done = await marc.clicks(form, "Send", {"answer": "fine", "comment": "All good after all"})
    assert "your answer and your comment are with the program team" in texts(done)
    assert await stored(srv) == [("fine", "All good after all")]
    await moved(srv, ALERT_DELAY + timedelta(minutes=1))
    # A concern changed to "fine" within minutes: nobody is alerted.
    assert srv.posted_to(RH, ALERT_FR) == []

    # 1 January, 01:00 in Paris: December's pulse is closed.
    [lea_card] = srv.posted_to(LEA, QUESTION_FR)
    await moved(srv, timedelta(days=16, hours=13))
    late = await marc.clicks(marc_card, "I would welcome a word")
    assert "This month's pulse is closed, so your answer was not recorded." in texts(late)
    await slack_click(srv, LEA.id, lea_card, "Une inquiétude")
    assert srv.posted_to(LEA, "Le point du mois est clos, votre réponse n’a donc pas")
    assert await stored(srv) == [("fine", "All good after all")]
