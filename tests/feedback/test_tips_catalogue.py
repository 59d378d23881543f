"""The seeded "try it this week" catalogue (migration 0013): two or three tips for every
skill of the taxonomy, in French and English, short enough to act on, French typography."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.domain.feedback.tips import tip_problem
from storage.db import Database
from storage.models import Skill, Tip
from tests.dialogs.test_words import _french_typography_faults


async def test_every_skill_has_two_or_three_tips_in_both_languages(database: Database) -> None:
    async with database.unit_of_work() as session:
        skills = {s.key for s in await session.scalars(select(Skill))}
        tips = list(await session.scalars(select(Tip).where(Tip.created_by.is_(None))))
    per_skill = Counter(t.skill_key for t in tips)
    assert set(per_skill) == skills
    assert all(2 <= n <= 3 for n in per_skill.values()), per_skill
    for tip in tips:
        assert tip.active
        assert tip_problem(tip.text_fr) is None and tip_problem(tip.text_en) is None, tip.id
        assert _french_typography_faults(tip.text_fr) == [], tip.text_fr
        assert tip.text_fr != tip.text_en
