"""A report's figures and hidden cells in words: the one place the card, the text and the
CSV take them from, so that a cell hidden in one is hidden, with the same marker, in all."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.reports.facts import NOT_STATED
from bot.domain.reports.figures import SPECS, Cell, Report
from bot.domain.reports.privacy import Refusal
from dialogs.core.i18n import N_, Translator

LABELS: Mapping[str, str] = {
    "enrolled": N_("Enrolled"),
    "matched": N_("Matched"),
    "proposals_sent": N_("Proposals sent"),
    "proposals_accepted": N_("Proposals accepted"),
    "days_to_first_session": N_("Days to the first session (median)"),
    "sessions_planned": N_("Sessions planned"),
    "sessions_held": N_("Sessions held"),
    "feedback_response_rate": N_("Feedback response rate"),
    "pulse_response_rate": N_("Pulse response rate"),
    "average_rating": N_("Average session rating (out of 5)"),
    "nps": N_("Net promoter score"),
    "skill_before": N_("Skill level before (at enrollment)"),
    "skill_after": N_("Skill level after (closing review)"),
    "skill_retrospective": N_("Skill level before, looking back"),
    "goals_done": N_("Goals done"),
    "testimonials": N_("Testimonials that may be quoted"),
    "at_risk_pairs": N_("Pairs at risk"),
    "unreachable": N_("People unreachable"),
}
BREAKDOWN_LABELS: Mapping[str, str] = {
    "department": N_("By department"),
    "stage": N_("By career stage"),
    "location": N_("By location"),
    "role": N_("By role"),
}
ROLE_LABELS: Mapping[str, str] = {
    "mentor": N_("Mentors"),
    "mentee": N_("Mentees"),
    "both": N_("Mentors and mentees"),
}


def hidden_word(t: Translator, report: Report, figure: str, cell: Cell) -> str | None:
    """The marker of a hidden cell ("< 5", "< 5 answers", "hidden"), None when shown."""
    if cell.hidden is None:
        return None
    if cell.hidden == "secondary":
        return t("hidden")
    spec = SPECS[figure]
    limits = report.thresholds
    if spec.source == "answers":
        return t("< {threshold} answers", threshold=limits.answers)
    if spec.source == "comments":
        return f"< {limits.comments}"
    return f"< {limits.people}"


def plain_value(figure: str, cell: Cell) -> str:
    """The value as a machine reads it (CSV): dot decimals, shares in percent."""
    if cell.value is None:
        return ""
    kind = SPECS[figure].kind
    if kind == "count":
        return str(round(cell.value))
    if kind == "share":
        return str(round(100 * cell.value))
    if kind == "score":
        return f"{round(cell.value):+d}"
    return f"{cell.value:.1f}"


def value_words(t: Translator, report: Report, figure: str, cell: Cell) -> str:
    """The cell as a person reads it: its value, or its hidden marker, or "—" (none)."""
    hidden = hidden_word(t, report, figure, cell)
    if hidden is not None:
        return hidden
    if cell.value is None:
        return "—"
    kind = SPECS[figure].kind
    if kind == "count":
        return t.number(round(cell.value))
    if kind == "share":
        return t("{value}%", value=t.number(round(100 * cell.value)))
    if kind == "score":
        score = round(cell.value)
        return ("+" if score > 0 else "") + t.number(score)
    return t.number(cell.value, 1)


def group_words(t: Translator, by: str, group: str, stages: Mapping[str, Mapping[str, str]]) -> str:
    """A breakdown group as a reader names it (departments and locations as stored)."""
    if group == NOT_STATED:
        return t("not stated")
    if by == "role":
        return t(ROLE_LABELS[group]) if group in ROLE_LABELS else group
    if by == "stage":
        return t.labels(stages).get(group, group)
    return group


def refusal_words(t: Translator, refusal: Refusal) -> str:
    if refusal.reason == "small_remainder":
        return t.tn(
            "This period leaves out {count} person of the program, fewer than {threshold}: "
            "comparing it with the whole program would single them out. Choose a wider "
            "period.",
            "This period leaves out {count} people of the program, fewer than {threshold}: "
            "comparing it with the whole program would single them out. Choose a wider "
            "period.",
            refusal.left_out,
            threshold=refusal.threshold,
        )
    return t(
        "This breakdown would hide every group (too few people in each, or one would give "
        "another away): choose another breakdown, or none.",
    )


def privacy_note(t: Translator, report: Report) -> str:
    limits = report.thresholds
    return t(
        "Figures from answers need {answers} people who answered, testimonials {comments}; "
        "groups under {people} people show as < {people}, and the next-smallest group is "
        "hidden with them. Answers are counted in batches of {answers} new people.",
        answers=limits.answers,
        comments=limits.comments,
        people=limits.people,
    )
