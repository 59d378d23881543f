"""The 30-second survey after a held session, through the whole server on loopback: Léa
mentors in Slack (French), Marc is her mentee in Teams (English). Signed Slack requests and
Bot Framework activities go through the real endpoints; the clock moves, the queue drains.

Both say the session happened; each gets the survey in their own words; two taps answer it
(a rating, then Done); chips and a comment for those who want; a second rating changes the
one answer; a double click counts once; someone outside the pair is refused; the reminder
comes once; after the next session has started the survey is closed and stores nothing;
nobody reads the other's answers.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.models import CheckIn, Feedback, FeedbackRequest, Person
from tests.enrollment.test_enrollment_over_http import submission
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import SlackCall
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import interactivity_request
from tests.sessions.test_series_over_platforms import START, move_to, plan_first_session
from tests.slack.test_cards import click_on
from tests.teams.cards import buttons, inputs, texts
from tests.test_matching_over_platforms import LEA, MARC_EMAIL, SECRET, TOM, Server, TeamsPerson
from tests.test_matching_over_platforms import server as server  # the fixture

pytestmark = pytest.mark.timeout(240)

AFTER = START + timedelta(minutes=45 + 60)  # "did it happen?" is asked an hour after the end
NEXT = START + timedelta(days=14)  # the next session of the series


async def held(srv: Server, marc: TeamsPerson) -> None:
    """Everyone talked to Tandem; the first session took place and both said so."""
    for person in (LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    await plan_first_session(srv)
    await srv.due()
    await move_to(srv, AFTER)
    [lea_question] = srv.posted_to(LEA, "Votre séance a-t-elle eu lieu")
    [marc_question] = marc.cards("Did your session happen?")
    await click(srv, LEA, lea_question, "Oui")
    await marc.clicks(marc_question, "Yes")
    await srv.due()


async def click(srv: Server, user: FakeUser, posted: SlackCall, label: str) -> None:
    await srv.slack_post(interactivity_request(SECRET, click_on(srv.slack, user.id, posted, label)))


def shown(srv: Server, posted: SlackCall) -> str:
    """The Slack message as it stands now (after its updates)."""
    assert posted.answer is not None
    return json.dumps(
        srv.slack.messages[(str(posted.answer["channel"]), str(posted.answer["ts"]))],
        ensure_ascii=False,
    )


async def answers(srv: Server) -> dict[str, Feedback]:
    async with srv.runtime.database.unit_of_work() as session:
        rows = (await session.scalars(select(Feedback))).all()
        people = {p.id: p.email for p in (await session.scalars(select(Person))).all()}
    return {people[r.person_id]: r for r in rows}


async def submit_modal(srv: Server, user: FakeUser, typed: dict[str, Any]) -> dict[str, Any]:
    [view] = [v for v in srv.slack.views.values() if v["type"] == "modal"][-1:]
    signed = interactivity_request(SECRET, submission(user.id, view, typed))
    async with srv.http.post(
        f"{srv.url}/slack/events", data=signed.body, headers=signed.headers
    ) as response:
        assert response.status == 200
        text = await response.text()
    await srv.settle()
    return dict(json.loads(text)) if text else {}


async def test_the_survey_in_two_taps_with_chips_a_comment_and_a_changed_answer(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await held(srv, marc)

    # Each in their own words: Léa taught, Marc learned.
    [lea_card] = srv.posted_to(LEA, "Comment s’est passée votre séance de mentor avec")
    [marc_card] = marc.cards("How much did you get out of your session with")
    assert [b["title"] for b in buttons(marc_card)] == ["1", "2", "3", "4", "5"]
    assert "your partner never sees it" in texts(marc_card)

    # Marc, in Teams: a rating; the card becomes the chips step inside the ack.
    chips = await marc.clicks(marc_card, "4")
    assert "What did you learn?" in texts(chips)
    titles = [b["title"] for b in buttons(chips)]
    assert "Search engine optimisation (SEO)" in titles and "Done" in titles and "Skip" in titles
    chips = await marc.clicks(chips, "Search engine optimisation (SEO)")
    assert "✓ Search engine optimisation (SEO)" in [b["title"] for b in buttons(chips)]
    form = await marc.clicks(chips, "Add a comment")
    assert "comment" in inputs(form)
    thanks = await marc.clicks(form, "Save", {"comment": "<!channel> *so* useful"})
    assert "Your comment is noted" in texts(thanks)

    # Léa, in Slack: a double click on 5 counts once; the card becomes the chips step.
    double = click_on(srv.slack, LEA.id, lea_card, "5")
    for n in range(2):
        double["actions"][0]["action_ts"] = f"{uuid.uuid4().hex}{n}"
        await srv.slack_post(interactivity_request(SECRET, double))
    assert "Qu’avez-vous transmis" in shown(srv, lea_card)
    assert "Référencement naturel (SEO)" in shown(srv, lea_card)
    assert (await answers(srv))[LEA.email].rating == 5
    # Answering again changes the one answer; a comment through Slack's modal; Done.
    await click(srv, LEA, lea_card, "3")
    assert "✓ 3" in shown(srv, lea_card)
    await click(srv, LEA, lea_card, "Ajouter un commentaire")
    ack = await submit_modal(srv, LEA, {"comment": "Il a posé de bonnes questions"})
    assert ack.get("response_action") in {"clear", "update", None}
    await click(srv, LEA, lea_card, "Terminé")
    assert srv.posted_to(LEA, "C’est noté, en toute confidentialité")

    stored = await answers(srv)
    assert (stored[MARC_EMAIL].rating, stored[MARC_EMAIL].skills) == (4, ["seo"])
    assert stored[MARC_EMAIL].comment == "<!channel> *so* useful"
    lea = stored[LEA.email]
    assert (lea.rating, lea.skills, lea.role) == (3, [], "mentor")
    assert lea.comment == "Il a posé de bonnes questions"
    async with srv.runtime.database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Feedback)) == 2
        assert await session.scalar(select(func.count()).select_from(FeedbackRequest)) == 2

    # Nobody reads the other's answers: no command shows them, no message carries them.
    for word in ("feedback", "avis", "sessions", "profile", "help"):
        await srv.command(LEA, word)
        await marc.says(word)
    everything_to_lea = json.dumps(
        [c.args for c in srv.slack.calls if "chat." in c.method], ensure_ascii=False
    )
    assert "so* useful" not in everything_to_lea and "useful" not in everything_to_lea
    everything_to_marc = json.dumps(connector.sent_to(marc.chat), ensure_ascii=False)
    assert "bonnes questions" not in everything_to_marc
    assert srv.posted_to(LEA, "Rien à répondre pour l’instant")


async def test_outsiders_expiry_the_one_reminder_and_the_feedback_command(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await held(srv, marc)
    [lea_card] = srv.posted_to(LEA, "Comment s’est passée votre séance")
    [marc_card] = marc.cards("How much did you get out of your session with")

    # Tom, outside the pair, sends a click on Léa's card from his own chat: refused.
    forged = click_on(srv.slack, TOM.id, lea_card, "1")
    tom_dm = f"D{TOM.id[1:]}"
    forged["container"]["channel_id"] = forged["channel"]["id"] = tom_dm
    forged["actions"][0]["action_ts"] = uuid.uuid4().hex
    await srv.slack_post(interactivity_request(SECRET, forged))
    assert srv.posted_to(TOM, "envoyé à quelqu’un d’autre") or srv.posted_to(
        TOM, "sent to someone else"
    )
    assert await answers(srv) == {}

    # The feedback command lists what waits, with a button that opens it again; Marc
    # answers from there in two taps (a rating, Done).
    await marc.says("feedback")
    [pending] = marc.cards("1 question waits for you")
    again = await marc.clicks(pending, "Answer")
    assert [b["title"] for b in buttons(again)] == ["1", "2", "3", "4", "5"]
    chips = await marc.clicks(again, "2")
    assert "Thank you" in texts(await marc.clicks(chips, "Done"))
    await srv.command(LEA, "retour")
    assert srv.posted_to(LEA, "1 question vous attend")

    # Two days later, one reminder, for Léa only (Marc has answered); never a second one.
    await move_to(srv, AFTER + timedelta(days=2, hours=1))
    assert len(srv.posted_to(LEA, "Un rappel")) == 1
    await move_to(srv, AFTER + timedelta(days=6))
    assert len(srv.posted_to(LEA, "Un rappel")) == 1
    assert marc.cards("A reminder: how was your session?") == []

    # The next session has started: the survey is closed, a late answer stores nothing.
    async with srv.runtime.database.unit_of_work() as session:
        following = (await session.scalars(select(CheckIn).order_by(CheckIn.id.desc()))).first()
        assert following is not None and following.scheduled_at == NEXT
    await move_to(srv, NEXT + timedelta(minutes=1))
    late = await marc.clicks(marc_card, "5")
    assert "This survey is closed" in texts(late)
    await click(srv, LEA, lea_card, "4")
    assert srv.posted_to(LEA, "Ce questionnaire est clos")
    stored = await answers(srv)
    assert list(stored) == [MARC_EMAIL] and stored[MARC_EMAIL].rating == 2
    await marc.says("feedback")
    assert "Nothing to answer right now" in json.dumps(connector.sent_to(marc.chat))
