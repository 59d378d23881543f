"""Answered and closed proposal cards, through the whole server on loopback: Léa in Slack
(French), Marc in Teams (English), each with the first card and its reminder.

- Every copy of a card a person answered loses Accept / Decline on every platform (the
  clicked one and the reminder), and shows its state.
- One notice per event per person: when the other side declines or the proposal expires,
  every copy of the card is closed and ONE short message says what happened, in other
  words than the closed card.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from dialogs.core.content import Paragraph, Text
from dialogs.core.events import Inbound, Outcome
from dialogs.core.ui import Actions, Button, Message, Section
from dialogs.matching.cards import ACCEPT_ACTION
from dialogs.matching.jobs import proposal_cards
from dialogs.notify.notifier import DELIVER, Delivery
from storage.db import Database
from storage.enqueue import enqueue_due
from storage.models import Proposal
from tests.console.test_console_api import messages, post
from tests.enrollment.test_enrollment_over_http import submission
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import SlackCall
from tests.fakes.slack_signing import interactivity_request
from tests.proposals.test_workflow import sent, two_pairs
from tests.slack.test_cards import click_on
from tests.support.console import running_console, say, seed_people
from tests.support.messages import button, words
from tests.support.world import later
from tests.teams.cards import buttons, card_of, texts
from tests.test_matching_over_platforms import (
    LEA,
    SECRET,
    Server,
    TeamsPerson,
    proposals_sent,
    server,
)

__all__ = ["server"]  # the fixture, shared with the matching test over both platforms

Json = dict[str, Any]


async def reminded(
    server: tuple[Server, FakeBotConnector],
) -> tuple[Server, TeamsPerson, list[SlackCall]]:
    """Proposals sent, and four days later one reminder each: two copies of each card."""
    srv, marc = await proposals_sent(server)
    await srv.due(days=4)
    lea_copies = [
        *srv.posted_to(LEA, "Un binôme de mentorat inversé pour vous"),
        *srv.posted_to(LEA, "Rappel"),
    ]
    assert len(lea_copies) == 2
    assert len(marc_copies(marc)) == 2
    return srv, marc, lea_copies


def marc_copies(marc: TeamsPerson) -> list[str]:
    """The activity ids of Marc's proposal cards (the first and the reminder)."""
    return [
        a["id"] for a in marc.connector.sent_to(marc.chat)
        if a["operation"] == "send" and a.get("attachments")
        and "reverse-mentoring partner for you" in texts(card_of(a))
    ]  # fmt: skip


def slack_now(srv: Server, posted: SlackCall) -> str:
    """A Slack message as Léa's client shows it now (after any update)."""
    assert posted.answer is not None
    shown = srv.slack.messages[(str(posted.answer["channel"]), str(posted.answer["ts"]))]
    return json.dumps(shown, ensure_ascii=False)


def slack_live(srv: Server, posted: SlackCall) -> bool:
    assert posted.answer is not None
    shown = srv.slack.messages[(str(posted.answer["channel"]), str(posted.answer["ts"]))]
    return any(block["type"] == "actions" for block in shown.get("blocks", ()))


def teams_now(marc: TeamsPerson, activity_id: str) -> Json:
    return card_of(marc.connector.messages[(marc.chat, activity_id)])


def teams_text(marc: TeamsPerson, activity_id: str) -> str:
    return texts(teams_now(marc, activity_id)).replace("**", "")  # names are in bold


def teams_live(marc: TeamsPerson, activity_id: str) -> bool:
    return any(b["title"] in ("Accept", "Decline") for b in buttons(teams_now(marc, activity_id)))


def marc_messages_since(marc: TeamsPerson, count: int) -> list[str]:
    """The texts of what was sent (not updated) to Marc after the first ``count``."""
    sent = [a for a in marc.connector.sent_to(marc.chat) if a["operation"] == "send"]
    return [texts(card_of(a)) if a.get("attachments") else str(a.get("text")) for a in sent[count:]]


def told_lea(srv: Server, posts_before: int) -> list[str]:
    """What was posted (not updated) to Léa after the first ``posts_before`` posts."""
    new_posts = srv.slack.calls_to("chat.postMessage")[posts_before:]
    return [
        json.dumps(c.args, ensure_ascii=False)
        for c in new_posts
        if str(c.args.get("channel", "")).endswith(LEA.id[1:])
    ]


def marc_sent(marc: TeamsPerson) -> int:
    return sum(a["operation"] == "send" for a in marc.connector.sent_to(marc.chat))


async def test_every_copy_of_an_answered_card_loses_its_buttons_on_both_platforms(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, marc, lea_copies = await reminded(server)
    reminder = lea_copies[1]

    # Léa accepts on the reminder: both of her copies close, the first one too.
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, reminder, "Accepter"))
    )
    await srv.due()
    for copy in lea_copies:
        assert not slack_live(srv, copy), slack_now(srv, copy)
        assert "Vous avez accepté" in slack_now(srv, copy)
    assert all(teams_live(marc, c) for c in marc_copies(marc))  # Marc has not answered

    # Marc accepts on the first card: the answer replaces it at once, then the reminder too.
    [marc_first, marc_reminder] = marc_copies(marc)
    answered = await marc.clicks(teams_now(marc, marc_first), "Accept")
    assert "You both accepted" in texts(answered)
    assert not [b for b in buttons(answered) if b["title"] in ("Accept", "Decline")]
    await srv.due()
    for copy in (marc_first, marc_reminder):
        assert not teams_live(marc, copy)
        assert "Your pairing with Léa Martin has started" in teams_text(marc, copy)
    for copy in lea_copies:  # and Léa's cards now say the pairing started
        assert "a commencé" in slack_now(srv, copy)


async def test_a_decline_in_teams_closes_every_card_and_tells_the_other_once(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, marc, lea_copies = await reminded(server)
    posts_before = len(srv.slack.calls_to("chat.postMessage"))
    [marc_first, marc_reminder] = marc_copies(marc)

    form = await marc.clicks(teams_now(marc, marc_reminder), "Decline")
    done = await marc.clicks(form, "Decline", {"reason": "We already work together"})
    assert "you declined the proposal" in texts(done)
    sent_to_marc = marc_sent(marc)
    await srv.due()

    # Marc: both his cards closed as declined, and no further message (he knows).
    for copy in (marc_first, marc_reminder):
        assert not teams_live(marc, copy)
        assert "You declined" in teams_text(marc, copy)
    assert marc_sent(marc) == sent_to_marc
    # Léa: both her cards closed, and one message, in other words than the cards.
    [message] = told_lea(srv, posts_before)
    assert "ne se fera pas cette fois-ci" in message and "vivier" in message
    assert "already work" not in message
    for copy in lea_copies:
        shown = slack_now(srv, copy)
        assert not slack_live(srv, copy) and "Cette proposition ne se fera pas" in shown
        assert "Fermée" in shown and "vivier" not in shown and "cette fois-ci" not in shown
    assert "Fermée" not in message


async def test_a_decline_in_slack_closes_every_card_and_tells_the_other_once(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, marc, lea_copies = await reminded(server)
    first = lea_copies[0]
    sent_to_marc = marc_sent(marc)

    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, first, "Refuser"))
    )
    [view] = [v for v in srv.slack.views.values() if v["type"] == "modal"]
    await srv.slack_post(
        interactivity_request(SECRET, submission(LEA.id, view, {"reason": "Trop proche"}))
    )
    await srv.due()

    for copy in lea_copies:  # the reminder Léa did not click closes too
        assert not slack_live(srv, copy) and "Vous avez décliné" in slack_now(srv, copy)
    told = marc_messages_since(marc, sent_to_marc)
    assert len(told) == 1, told
    assert "will not go ahead this time" in told[0] and "back in the pool" in told[0]
    assert "Trop proche" not in told[0]
    for copy in marc_copies(marc):
        shown = teams_text(marc, copy)
        assert not teams_live(marc, copy) and "This proposal will not go ahead" in shown
        assert "nothing left to answer" in shown and "back in the pool" not in shown
    assert "nothing left to answer" not in told[0]


async def test_an_expired_proposal_closes_every_card_and_tells_each_side_once(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, marc, lea_copies = await reminded(server)
    posts_before = len(srv.slack.calls_to("chat.postMessage"))
    sent_to_marc = marc_sent(marc)
    await srv.due(days=8)

    [message] = told_lea(srv, posts_before)
    assert "a expiré sans les deux réponses" in message and "Fermée" not in message
    for copy in lea_copies:
        shown = slack_now(srv, copy)
        assert not slack_live(srv, copy) and "Cette proposition a expiré" in shown
        assert "Fermée" in shown and "sans les deux réponses" not in shown

    told_marc = marc_messages_since(marc, sent_to_marc)
    assert len(told_marc) == 1, told_marc
    assert "expired without both answers" in told_marc[0]
    assert "nothing left to answer" not in told_marc[0]
    for copy in marc_copies(marc):
        shown = teams_text(marc, copy)
        assert not teams_live(marc, copy) and "This proposal has expired" in shown
        assert "nothing left to answer" in shown and "without both answers" not in shown


class AcceptCore:
    """A core whose card has an Accept button without a flow reference (as a proposal card
    has); the click closes the card it came from."""

    async def handle(self, inbound: Inbound) -> Outcome:
        if inbound.kind == "action":
            return Outcome("en", messages=(say(Text("You accepted")),), close_source=True)
        offer = (
            Section((Paragraph.of("A partner for you"),)),
            Actions((Button("Accept", "x", value="1"),)),
        )
        card = Message(offer, summary="A partner for you")
        return Outcome("en", messages=(card,))


async def test_the_console_closes_a_card_the_core_closes(database: Database) -> None:
    people = await seed_people(database)
    async with running_console(database, AcceptCore()) as console, aiohttp.ClientSession() as http:
        api = f"{console.url}/console/api"
        sent = await post(http, f"{api}/send", {"person_id": people.ada, "text": "hello"})
        assert sent[0] == 200, sent
        shown = await messages(http, console.url, people.ada)
        card = next(m for m in shown["messages"] if m["author"] == "bot")
        assert "disabled" not in card["html"]
        body = {"person_id": people.ada, "message_id": card["id"], "action": "x", "value": "1"}
        status, _ = await post(http, f"{api}/action", body)
        assert status == 200
        after = {m["id"]: m for m in (await messages(http, console.url, people.ada))["messages"]}
        assert "disabled" in after[card["id"]]["html"]  # Accept no longer acts


async def test_a_reminder_held_by_quiet_hours_is_not_sent_once_answered(
    database: Database,
) -> None:
    """Quiet hours hold a reminder card; the person answers the first card meanwhile: the
    reminder would offer Accept / Decline again, so it is not sent."""
    w, ids = await two_pairs(database)
    proposals = await sent(w)
    marc_card = w.channel.to(ids["marc"])[-1]
    async with database.unit_of_work() as session:
        proposal = await session.get(Proposal, proposals[ids["marc"]])
        assert proposal is not None
        cards = await proposal_cards(session, proposal, reminder=True)
        for person_id, card in cards.items():  # queued for the morning
            payload = Delivery(person_id, card.to_payload())
            await enqueue_due(session, DELIVER, payload, later(1), key=f"held:{person_id}")
    await w.click("UMARC", button(marc_card, ACCEPT_ACTION))
    before = {who: len(w.channel.to(ids[who])) for who in ("marc", "lea")}
    await w.drain(later(1))
    assert len(w.channel.to(ids["marc"])) == before["marc"]  # answered: no reminder
    reminded = w.channel.to(ids["lea"])[before["lea"] :]
    assert len(reminded) == 1 and "Reminder:" in words(reminded)  # Lea has not answered
