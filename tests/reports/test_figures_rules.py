"""The figures as rules, from facts written by hand (no database): testimonials need ten
people, a period holds whole batches, groups are named in the reader's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.reports.facts import (
    NOT_STATED,
    FeedbackFact,
    GoalCheckFact,
    Period,
    PersonFact,
    ProgramFacts,
    RequestFact,
)
from bot.domain.reports.figures import Cell, Report, build_report
from bot.domain.reports.privacy import Thresholds
from dialogs.core.i18n import Translator
from dialogs.reports.card import report_card
from dialogs.reports.charts import MAX_BARS, PNG_MAGIC, charts_of, draw
from dialogs.reports.words import group_words
from tests.support.messages import words

T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


def people(n: int) -> list[PersonFact]:
    return [PersonFact(f"p{i}", T0, {"role": "mentee", "stage": NOT_STATED}) for i in range(n)]


def closing(n: int, *, start: int = 0, hours: float = 0) -> list[FeedbackFact]:
    return [
        FeedbackFact(i + 1, f"p{i}", "closing", T0 + timedelta(hours=hours + i), nps=10,
                     quote=f"p{i} <b>merci</b>")
        for i in range(start, start + n)
    ]  # fmt: skip


def test_testimonials_need_ten_people() -> None:
    nine = build_report(ProgramFacts(T0, people(12), closing(10)[:9]), Thresholds())
    assert nine.totals["testimonials"].hidden == "few" and nine.quotes == ()
    ten = build_report(ProgramFacts(T0, people(12), closing(10)), Thresholds())
    assert ten.totals["testimonials"].value == 10
    assert len(ten.quotes) == 10
    card = words(report_card(Translator("en"), "P", ten, period="all", stages={}))
    assert "In their words:" in card and "p0 <b>merci</b>" in card
    assert card.count("merci") == 3  # the card shows three; the text and CSV export more


def test_a_period_holds_the_batches_that_closed_in_it() -> None:
    # Batch 1 (p0-p4) closes at hour 4, batch 2 (p5-p9) at hour 9 + 100.
    answers = closing(5) + closing(5, start=5, hours=100)
    facts = ProgramFacts(T0, people(10), answers)
    whole = build_report(facts, Thresholds())
    assert whole.totals["nps"].people == 10
    later = build_report(facts, Thresholds(), period=Period(T0 + timedelta(hours=50), None))
    assert later.refusal is None and later.totals["nps"].people == 5
    earlier = build_report(facts, Thresholds(), period=Period(None, T0 + timedelta(hours=50)))
    assert earlier.totals["nps"].people == 5
    assert earlier.answers_until == T0 + timedelta(hours=4)


def test_groups_are_named_in_the_reader_s_words() -> None:
    fr, en = Translator("fr"), Translator("en")
    stages = {"junior": {"fr": "Junior", "en": "Early career"}}
    assert group_words(en, "stage", "junior", stages) == "Early career"
    assert group_words(fr, "stage", "junior", stages) == "Junior"
    assert group_words(fr, "stage", NOT_STATED, stages) == "non renseigné"
    assert group_words(en, "role", "mentee", {}) == "Mentees"
    assert group_words(fr, "role", "both", {}) == "Mentors et mentorés"
    assert group_words(en, "department", "R&D <x>", {}) == "R&D <x>"


def test_charts_of_many_groups_stop_at_24_and_draw_text_as_written() -> None:
    person = [PersonFact(f"p{i}", T0, {"department": f"R$D {i % 30} $x^2$"}) for i in range(300)]
    report = build_report(ProgramFacts(T0, person), Thresholds(), by="department")
    assert report.refusal is None and len(report.groups) == 30
    charts = charts_of(Translator("en"), "$P$", report, {})
    assert len(charts) == 7 and [len(c.bars) for c in charts[2:]] == [MAX_BARS] * 5
    png = draw(charts)  # in this process: the drawing itself, no pool
    assert png.startswith(PNG_MAGIC)


def test_a_period_keeps_every_group_so_that_the_cells_add_up_to_the_total() -> None:
    # Ten people in A enrolled early, ten in B later; all twenty answered before the period
    # ends. A period from the later date keeps B's ten enrolled, and A's cell stays (0
    # enrolled, its answers counted) rather than vanish and leave total - B = A's answers.
    early = [PersonFact(f"p{i}", T0, {"department": "A"}) for i in range(10)]
    late = [PersonFact(f"p{i}", T0 + timedelta(days=10), {"department": "B"})
            for i in range(10, 20)]  # fmt: skip
    facts = ProgramFacts(T0, early + late, closing(20, hours=24 * 20))
    report = build_report(facts, Thresholds(), period=Period(T0 + timedelta(days=5), None),
                          by="department")  # fmt: skip
    assert report.refusal is None and report.groups == ("A", "B")
    assert report.cell("enrolled", "A").value == 0 and report.cell("enrolled", "B").value == 10
    assert report.cell("nps", "A").people + report.cell("nps", "B").people == 20
    assert report.totals["nps"].people == 20


def split_program(*answered: tuple[str, int]) -> ProgramFacts:
    """Ten people in A (a0-a9) and ten in B (b0-b9), each asked for a session review before
    T0; each (person, rating) in ``answered``, in order one hour apart, is the answer (a
    rating) and a goal check (done when the rating is 5)."""
    who = [PersonFact(f"{g}{i}", T0, {"department": g.upper()}) for g in "ab" for i in range(10)]
    at = [T0 + timedelta(hours=n) for n in range(len(answered))]
    ref = {p: n for n, (p, _) in enumerate(answered)}
    return ProgramFacts(
        T0 + timedelta(days=30), who,
        [FeedbackFact(n, p, "session", at[n], rating=r) for n, (p, r) in enumerate(answered)],
        [RequestFact(p.person_id, "session", T0 - timedelta(hours=1), ref.get(p.person_id))
         for p in who],
        [GoalCheckFact(n, p, n, at[n], r == 5) for n, (p, r) in enumerate(answered)],
    )  # fmt: skip


CELL_FIGURES = ("average_rating", "nps", "feedback_response_rate", "goals_done")


def shown(report: Report, group: str) -> dict[str, Cell]:
    return {key: report.cell(key, group) for key in CELL_FIGURES}


def test_a_batch_split_four_and_one_across_groups_leaves_the_one_answer_group_unchanged() -> None:
    first = [(f"a{i}", 4) for i in range(5)] + [(f"b{i}", 4) for i in range(5)]
    split = [(f"a{i}", 4) for i in range(5, 9)] + [("b5", 1)]  # the program's next batch
    before = build_report(split_program(*first), Thresholds(), by="department")
    after = build_report(split_program(*first, *split), Thresholds(), by="department")
    # The program's batch closed: the totals move (15 + 4 + 1 answers)...
    assert before.totals["average_rating"].people == 10
    assert after.totals["average_rating"].people == 15
    assert after.totals["average_rating"].value == (14 * 4 + 1) / 15
    # ...but neither group has five new people of its own: b5's 1 shows nowhere in B.
    assert shown(after, "B") == shown(before, "B")
    assert after.cell("average_rating", "B") == Cell(4.0, 5)
    assert after.cell("feedback_response_rate", "B") == Cell(5 / 10, 5)
    assert shown(after, "A") == shown(before, "A")
    # Four more people of B answer: with b5 they are five new people of B, and B moves.
    more = [(f"b{i}", 5) for i in range(6, 10)]
    closed = build_report(split_program(*first, *split, *more), Thresholds(), by="department")
    assert closed.cell("average_rating", "B") == Cell((5 * 4 + 1 + 4 * 5) / 10, 10)
    assert closed.cell("goals_done", "B") == Cell(4 / 10, 10)
    assert closed.cell("feedback_response_rate", "B") == Cell(1.0, 10)
    assert shown(closed, "A") == shown(before, "A")  # a5-a8: still four new people in A
