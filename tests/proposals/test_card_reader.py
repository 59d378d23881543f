"""A proposal card speaks to its reader: "you" where the reasons name them, and none of the
program team's caveats (a reporting line or a department to check, a pin, a swap), which
the admin's dry run still shows."""

from __future__ import annotations

from sqlalchemy import select, update

from dialogs.core.i18n import Translator
from dialogs.matching.reasons import describe_all, for_people
from storage.db import Database
from storage.models import Person, Proposal
from tests.proposals.test_workflow import sent, two_pairs
from tests.support.messages import words

CAVEATS = ("to check", "reporting line", "pinned", "swapped", "breaks a rule")


async def test_each_side_reads_you_and_no_caveat(database: Database) -> None:
    w, ids = await two_pairs(database)
    async with database.unit_of_work() as session:  # Lea's reporting line is unknown
        await session.execute(
            update(Person).where(Person.id == ids["marc"]).values(manager_id=w.admin_id)
        )
    await sent(w)
    async with database.unit_of_work() as session:  # the caveat is on record for admins
        reasons = (await session.scalars(select(Proposal.reasons))).all()
    assert any(r["code"] == "reporting_line_unknown" for rs in reasons for r in rs)
    lea = words(w.channel.to(ids["lea"])[-1:])
    marc = words(w.channel.to(ids["marc"])[-1:])
    assert (
        "You teach Search engine optimisation (SEO) and Social media advertising, which Marc Test wants"
        in lea
    )
    assert "Lea Test teaches" not in lea
    assert "Lea Test teaches" in marc and "which you want" in marc
    assert "which Marc Test wants" not in marc
    for card in (lea, marc):
        assert not any(caveat in card for caveat in CAVEATS), card


async def test_a_french_reader_reads_vous(database: Database) -> None:
    w, ids = await two_pairs(database)
    async with database.unit_of_work() as session:
        await session.execute(update(Person).where(Person.id == ids["lea"]).values(locale="fr"))
    await sent(w)
    lea = words(w.channel.to(ids["lea"])[-1:])
    assert "Vous enseignez" in lea and "que Marc Test veut apprendre" in lea
    assert "Lea Test enseigne" not in lea and "à vérifier" not in lea


def test_learning_back_and_pins_in_the_reader_s_words() -> None:
    reasons = [
        {"code": "learns_back", "topics": ["finance"]},
        {"code": "pinned"},
        {"code": "pin_breaks_rule", "rules": ["management_chain"]},
        {"code": "admin_swap"},
        {"code": "department_unknown"},
        {"code": "shared_hours", "minutes": 90},
    ]
    names = {"m1": "Tom Evans", "e1": "Anne Roy"}
    t = Translator("en")

    def read(reader: str | None) -> list[str]:
        shown = for_people(reasons) if reader else reasons
        return describe_all(
            shown, t, names=names, skill_labels={}, mentor="m1", mentee="e1", reader=reader
        )

    assert read("e1") == [
        "You offer finance in return, which Tom Evans wants to learn",
        "1 h 30 min of shared working time",
    ]
    assert read("m1")[0] == "Anne Roy offers finance in return, which you want to learn"
    admin = read(None)
    assert admin[0] == "Anne Roy offers finance in return, which Tom Evans wants to learn"
    assert len(admin) == len(reasons)  # the program team reads everything
