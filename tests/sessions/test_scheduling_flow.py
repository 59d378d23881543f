"""Scheduling a first session through the conversation core, on SQLite and PostgreSQL:
slot cards in each reader's zone and words, pick → confirm, both picking at once, other
slots, a typed time, "we'll organise it ourselves", an assistant acting for a leader, a
mentor with several mentees, and pairings already active when scheduling shipped."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select

from dialogs.core.ui import Form
from dialogs.sessions.scheduling_cards import (
    CONFIRM_ACTION,
    NONE_ACTION,
    OTHER_ACTION,
    PICK_ACTION,
)
from storage.db import Database
from storage.models import DueAction, Pairing
from tests.proposals.test_workflow import sent, two_pairs
from tests.sessions.scheduling_world import (
    a_pair,
    backfill,
    check_ins,
    last_with,
    set_person,
    slot_cards,
)
from tests.support.messages import button, buttons, done_message, field_errors, words
from tests.support.world import later

MONTREAL, PARIS = ZoneInfo("America/Montreal"), ZoneInfo("Europe/Paris")


def slot_of(value: str) -> datetime:
    return datetime.fromisoformat(value.split("|", 1)[1])


async def test_an_active_pairing_gets_its_first_card_once_in_each_readers_zone(
    database: Database,
) -> None:
    p = await a_pair(database, marc_locale="fr")
    await backfill(p.w)
    await backfill(p.w, hours=1)  # a second pass (another replica, a restart) changes nothing
    [lea_card], [marc_card] = slot_cards(p.w, p.lea), slot_cards(p.w, p.marc)
    assert "Pick a time for your first session with Marc Test" in words([lea_card])
    assert "Choisissez un horaire pour votre première séance avec Lea Test" in words([marc_card])
    lea_slots = [b for b in buttons(lea_card) if b.action == PICK_ACTION]
    assert 3 <= len(lea_slots) <= 5
    for lea_button, marc_button in zip(
        lea_slots, [b for b in buttons(marc_card) if b.action == PICK_ACTION], strict=True
    ):
        at = slot_of(lea_button.value)
        assert lea_button.value == marc_button.value
        assert lea_button.label == format_datetime(at.astimezone(PARIS), "EEE d MMM, HH:mm",
                                                   locale="en")  # fmt: skip
        assert marc_button.label == format_datetime(at.astimezone(MONTREAL), "EEE d MMM, HH:mm",
                                                    locale="fr")  # fmt: skip
        assert at.astimezone(MONTREAL).hour >= 9 and at.astimezone(PARIS).hour < 18
    [check_in] = await check_ins(database)
    assert check_in.status == "proposed" and len(check_in.slots) == len(lea_slots)


async def test_pick_then_confirm_plans_it_in_the_leaders_zone_and_tells_both(
    database: Database,
) -> None:
    p = await a_pair(database, marc_locale="fr")
    await backfill(p.w)
    choice = [b for b in buttons(slot_cards(p.w, p.lea)[0]) if b.action == PICK_ACTION][1]
    picked = await p.w.click("ULEA", choice)
    assert picked.close_source and "I asked Marc Test to confirm" in words(picked.messages)
    await p.w.drain()
    ask = last_with(p.w, p.marc, "Confirmez votre première séance")
    assert "Lea Test a choisi" in words([ask])
    done = await p.w.click("UMARC", button(ask, CONFIRM_ACTION))
    assert done.close_source and "Votre première séance est planifiée" in words(done.messages)
    await p.w.drain()
    [check_in] = await check_ins(database)
    at = slot_of(choice.value)
    assert check_in.status == "planned" and check_in.scheduled_at == at
    assert check_in.zone == "America/Montreal"
    assert check_in.local_start == at.astimezone(MONTREAL).time()
    assert check_in.confirmed_by == p.marc and check_in.slots == []
    assert "Your first session is planned" in words(p.w.channel.to(p.lea)[-1:])
    assert p.w.channel.updated(p.lea), "Lea's slot card lost its buttons"
    again = await p.w.click("UMARC", button(ask, CONFIRM_ACTION))
    assert "Already settled" in words(again.messages) or "déjà réglé" in words(again.messages)


async def test_both_pick_different_slots_at_once_exactly_one_is_confirmed(
    database: Database,
) -> None:
    p = await a_pair(database)
    await backfill(p.w)
    lea_slots = [b for b in buttons(slot_cards(p.w, p.lea)[0]) if b.action == PICK_ACTION]
    marc_slots = [b for b in buttons(slot_cards(p.w, p.marc)[0]) if b.action == PICK_ACTION]
    first, second = await asyncio.gather(
        p.w.click("ULEA", lea_slots[0]), p.w.click("UMARC", marc_slots[-1])
    )
    await p.w.drain()
    [check_in] = await check_ins(database)
    assert check_in.status == "planned"
    assert check_in.scheduled_at in (slot_of(lea_slots[0].value), slot_of(marc_slots[-1].value))
    texts = [words(first.messages), words(second.messages)]
    told = [t for t in texts if "had already picked another time" in t]
    assert len(told) == 1, texts  # the second clicker is told which time holds
    # and nobody is asked to confirm a session that is already planned
    planned = sum("Your first session is planned" in words([m])
                  for m in p.w.channel.to(p.lea) + p.w.channel.to(p.marc))  # fmt: skip
    assert planned == 1


async def test_other_slots_never_repeat_the_ones_shown(database: Database) -> None:
    p = await a_pair(database)
    await backfill(p.w)
    await p.w.click("ULEA", button(slot_cards(p.w, p.lea)[0], PICK_ACTION))
    await p.w.drain()
    shown = {
        slot_of(b.value) for b in buttons(slot_cards(p.w, p.lea)[0]) if b.action == PICK_ACTION
    }
    ask = last_with(p.w, p.marc, "Confirm your first session")
    answer = await p.w.click("UMARC", button(ask, OTHER_ACTION))
    assert "new times to both of you" in words(answer.messages)
    await p.w.drain()
    fresh = slot_cards(p.w, p.lea)[-1]
    assert "Other times for your first session" in words([fresh])
    new = {slot_of(b.value) for b in buttons(fresh) if b.action == PICK_ACTION}
    assert new and not new & shown
    stale = await p.w.click("ULEA", button(slot_cards(p.w, p.lea)[0], PICK_ACTION))
    assert "These times have changed" in words(stale.messages)
    [check_in] = await check_ins(database)
    assert check_in.status == "proposed" and check_in.picked_by is None


async def test_a_typed_time_past_outside_or_malformed_changes_nothing(
    database: Database,
) -> None:
    p = await a_pair(database, marc_locale="fr")
    await backfill(p.w)
    opened = await p.w.click("UMARC", button(slot_cards(p.w, p.marc)[0], NONE_ACTION))
    assert isinstance(opened.form, Form)
    form = opened.form
    past = await p.w.submit("UMARC", form, {"how": "time", "day": "2026-11-30", "time": "10:00"})
    assert "déjà passé" in field_errors(past)["day"]
    night = await p.w.submit("UMARC", form, {"how": "time", "day": "2026-12-03", "time": "02:00"})
    assert "en dehors de vos horaires" in field_errors(night)["time"]
    bad = await p.w.submit("UMARC", form, {"how": "time", "day": "2026-12-03", "time": "25:99"})
    assert "Je ne sais pas lire" in field_errors(bad)["time"]
    empty = await p.w.submit("UMARC", form, {"how": "time", "day": "", "time": ""})
    assert "day" in field_errors(empty)
    await p.w.drain()
    [check_in] = await check_ins(database)
    assert check_in.status == "proposed" and check_in.picked_by is None
    assert not [m for m in p.w.channel.to(p.lea) if "Confirm your first session" in words([m])]
    # 11:00 in Montréal is 17:00 in Paris: Lea is asked to confirm it
    ok = await p.w.submit("UMARC", form, {"how": "time", "day": "2026-12-03", "time": "11:00"})
    assert "J’ai demandé à Lea Test de confirmer" in words([done_message(ok)])
    await p.w.drain()
    ask = last_with(p.w, p.lea, "Confirm your first session")
    assert "Marc Test proposes" in words([ask])
    await p.w.click("ULEA", button(ask, CONFIRM_ACTION))
    [check_in] = await check_ins(database)
    assert check_in.scheduled_at == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


async def test_organise_it_ourselves_then_the_date_is_asked(database: Database) -> None:
    p = await a_pair(database)
    await backfill(p.w)
    opened = await p.w.click("ULEA", button(slot_cards(p.w, p.lea)[0], NONE_ACTION))
    assert isinstance(opened.form, Form)
    done = await p.w.submit("ULEA", opened.form, {"how": "ourselves"})
    assert "agree on a time together" in words([done_message(done)])
    await p.w.drain()
    assert "Lea Test will agree on a time with you directly" in words(p.w.channel.to(p.marc)[-1:])
    await p.w.drain(later(4))
    question = last_with(p.w, p.marc, "When is your first session?")
    assert last_with(p.w, p.lea, "When is your first session?")
    form = (await p.w.click("UMARC", button(question, NONE_ACTION))).form
    assert isinstance(form, Form)
    answer = await p.w.submit("UMARC", form, {"how": "time", "day": "2026-12-08", "time": "10:30"})
    assert "Your first session is planned" in words([done_message(answer)])
    [check_in] = await check_ins(database)
    assert check_in.status == "planned" and check_in.self_organised
    assert check_in.scheduled_at == datetime(2026, 12, 8, 15, 30, tzinfo=UTC)


async def test_an_assistant_schedules_for_the_leader_who_is_copied_once(
    database: Database,
) -> None:
    p = await a_pair(database)
    from tests.support.world import add_member

    eva = await add_member(p.w, "UEVA", first="Eva", role="mentor", stage="junior",
                           department="Office", email="eva@acme.example")  # fmt: skip
    await set_person(database, p.marc, assistant_id=eva)
    await backfill(p.w)
    assert not slot_cards(p.w, p.marc), "the leader's cards go to the assistant"
    [card] = slot_cards(p.w, eva)
    assert "You receive this as the assistant of Marc Test" in words([card])
    await p.w.click("ULEA", button(slot_cards(p.w, p.lea)[0], PICK_ACTION))
    await p.w.drain()
    ask = last_with(p.w, eva, "Confirm your first session")
    assert not [m for m in p.w.channel.to(p.marc) if "Confirm" in words([m])]
    # someone else entirely may not confirm
    stranger = await p.w.click("UNOBODY", button(ask, CONFIRM_ACTION))
    assert "not yours" in words(stranger.messages)
    done = await p.w.click("UEVA", button(ask, CONFIRM_ACTION))
    assert "Your first session is planned" in words(done.messages)
    await p.w.drain()
    copies = [m for m in p.w.channel.to(p.marc) if "is planned" in words([m])]
    assert len(copies) == 1 and "Arranged by your assistant Eva Test" in words(copies)
    [check_in] = await check_ins(database)
    assert check_in.status == "planned" and check_in.confirmed_by == p.marc


async def test_a_mentor_with_two_mentees_is_never_offered_one_slot_twice(
    database: Database,
) -> None:
    first = await a_pair(database, marc_zone="Europe/Paris")
    await backfill(first.w)
    second = await a_pair(database, marc_zone="Europe/Paris", w=first.w, mentor=first.lea, n=2)
    await backfill(first.w, hours=1)
    cards = slot_cards(first.w, first.lea)
    assert len(cards) == 2
    offered = [{slot_of(b.value) for b in buttons(c) if b.action == PICK_ACTION} for c in cards]
    for a in offered[0]:
        assert all(abs(a - b) >= timedelta(minutes=45) for b in offered[1])
    assert second.pairing_id != first.pairing_id


async def test_a_pairing_that_starts_queues_its_first_slots(database: Database) -> None:
    w, ids = await two_pairs(database)
    await sent(w)
    from dialogs.matching.cards import ACCEPT_ACTION

    await w.click("UMARC", button(w.channel.to(ids["marc"])[-1], ACCEPT_ACTION))
    await w.click("ULEA", button(w.channel.to(ids["lea"])[-1], ACCEPT_ACTION))
    async with database.unit_of_work() as session:
        pairing = await session.scalar(select(Pairing))
        assert pairing is not None
        kinds = (await session.scalars(select(DueAction.idempotency_key).where(
            DueAction.kind == "sessions.offer_slots"))).all()  # fmt: skip
    assert kinds == [f"pairing:{pairing.id}:first_slots"]


async def test_hours_that_never_meet_offer_the_nearest_times_or_writing(
    database: Database,
) -> None:
    p = await a_pair(database, marc_zone="Asia/Singapore")
    await set_person(database, p.lea, timezone="America/Montreal")
    await backfill(p.w)
    [card] = slot_cards(p.w, p.marc)
    text = words([card])
    assert "never overlap" in text and "outside the hours of" in text
    slots = [b for b in buttons(card) if b.action == PICK_ACTION]
    assert slots, "never nothing"
    writing = [b for b in buttons(card) if b.label == "Exchange in writing"]
    answer = await p.w.click("UMARC", writing[0])
    assert "exchange in writing" in words(answer.messages) and answer.close_source
    await p.w.drain()
    assert "suggests exchanging in writing" in words(p.w.channel.to(p.lea)[-1:])
    [check_in] = await check_ins(database)
    assert check_in.self_organised and check_in.status == "proposed"


async def test_malformed_or_foreign_clicks_change_nothing(database: Database) -> None:
    p = await a_pair(database)
    await backfill(p.w)
    slot = button(slot_cards(p.w, p.lea)[0], PICK_ACTION)
    forged = replace(slot, value="abc|<!channel>")
    assert "no longer being scheduled" in words((await p.w.click("ULEA", forged)).messages)
    other_slot = replace(slot, value=slot.value.split("|")[0] + "|2026-12-02T03:00:00+00:00")
    assert "have changed" in words((await p.w.click("ULEA", other_slot)).messages)
    assert "not yours" in words((await p.w.click("UNOBODY", slot)).messages)
    await p.w.drain()
    [check_in] = await check_ins(database)
    assert check_in.status == "proposed" and check_in.picked_by is None
    assert not [m for m in p.w.channel.to(p.marc) if "Confirm your first session" in words([m])]


async def test_a_slot_card_opened_after_its_times_have_passed_offers_new_ones(
    database: Database,
) -> None:
    """A leader opens the card a week late and clicks its first time: nothing is picked,
    and both get new times, all still to come; a pick whose time passes before the partner
    confirms is not planned either."""
    p = await a_pair(database, marc_locale="fr")
    await backfill(p.w)
    first = next(b for b in buttons(slot_cards(p.w, p.marc)[0]) if b.action == PICK_ACTION)
    p.w.clock.set(slot_of(first.value) + timedelta(hours=1))
    late = await p.w.click("UMARC", first)
    assert "Cet horaire est déjà passé. J’envoie de nouveaux horaires" in words(late.messages)
    await p.w.drain()
    [check_in] = await check_ins(database)
    assert check_in.status == "proposed" and not check_in.picked_by
    assert all(slot_of(f"x|{s}") > p.w.clock.now() for s in check_in.slots)
    fresh = [b for b in buttons(slot_cards(p.w, p.lea)[-1]) if b.action == PICK_ACTION]
    assert fresh and all(slot_of(b.value) > p.w.clock.now() for b in fresh)
    # Léa picks one of the new times; it passes before Marc confirms.
    await p.w.click("ULEA", fresh[0])
    await p.w.drain()
    ask = last_with(p.w, p.marc, "Confirmez votre première séance")
    p.w.clock.set(slot_of(fresh[0].value) + timedelta(minutes=5))
    stale = await p.w.click("UMARC", button(ask, CONFIRM_ACTION))
    assert "L’horaire choisi est déjà passé." in words(stale.messages)
    [check_in] = await check_ins(database)
    assert check_in.status == "proposed"
