"""Matching reasons in words: why a pair, why a mentee is left without one, whom to recruit,
and what the admin should check (``bot.matching`` emits them as codes with parameters).

The result is plain text that mixes our words with people's and admins' words (names,
skill labels, departments, places): callers show it as ``UserText``. Pair reasons name the
two people when the caller says who they are (``mentor=`` / ``mentee=`` person ids, or the
same keys inside the reason); otherwise they say "the mentor" and "the mentee". Given the
``reader=`` (a person id), a reason speaks to that person as "you"; what the program team
must check or did by hand (``ADMIN_ONLY_CODES``) is for admins only (``for_people``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal

from babel import Locale
from babel.lists import format_list

from dialogs.core.i18n import Translator

Reason = Mapping[str, Any]
ListStyle = Literal["standard", "or"]

PAIR_CODES = (
    "teaches_wanted_skills",
    "learns_back",
    "shared_hours",
    "meets_remotely",
    "same_location",
    "cross_department",
    "career_stage_gap",
    "reporting_line_unknown",
    "department_unknown",
    "pinned",
    "admin_swap",
)
UNMATCHED_CODES = (
    "no_mentors_in_program",
    "no_mentor_speaks",
    "no_mentor_offers",
    "no_eligible_mentor",
    "mentors_at_capacity",
)
HINT_CODES = ("recruit_mentors_for", "recruit_mentors_speaking")
WARNING_CODES = ("management_cycle", "pin_dropped")
KNOWN_CODES = frozenset((*PAIR_CODES, *UNMATCHED_CODES, *HINT_CODES, *WARNING_CODES))
# Caveats and manual edits: the program team reads them, the two people never do.
ADMIN_ONLY_CODES = frozenset(
    (
        "reporting_line_unknown",
        "department_unknown",
        "pinned",
        "pin_breaks_rule",
        "pin_dropped",
        "admin_swap",
    )
)


def for_people(reasons: Iterable[Reason]) -> list[Reason]:
    """The reasons a mentor or mentee may read about their own proposal."""
    return [r for r in reasons if r.get("code") not in ADMIN_ONLY_CODES]


class _Words:
    """What every wording needs: the translator, labels, and the two people of a pair."""

    def __init__(
        self,
        t: Translator,
        names: Mapping[str, str],
        skill_labels: Mapping[str, str],
        stage_labels: Mapping[str, str],
        mentor: str | None,
        mentee: str | None,
        reader: str | None = None,
    ) -> None:
        self.t, self.names, self.skills, self.stages = t, names, skill_labels, stage_labels
        self.mentor_id, self.mentee_id, self.reader = mentor, mentee, reader

    def reads(self, reason: Reason, role: str) -> bool:
        """Whether the reader is the pair's ``role`` (then the reason says "you")."""
        person_id = (self.mentor_id if role == "mentor" else self.mentee_id) or reason.get(role)
        return self.reader is not None and str(person_id) == self.reader

    def person(self, person_id: Any) -> str:
        return self.names.get(str(person_id)) or self.t("someone (no longer on record)")

    def who(self, reason: Reason, role: str, unnamed: str) -> str:
        """The pair's mentor or mentee by name, or ``unnamed`` ("the mentor") when unknown."""
        person_id = self.mentor_id if role == "mentor" else self.mentee_id
        person_id = person_id or reason.get(role)
        return self.person(person_id) if person_id else unnamed

    def join(self, items: Sequence[str], style: ListStyle = "standard") -> str:
        return _format_list(tuple(items), style, self.t.locale) if items else ""

    def skill_list(self, keys: Iterable[Any], style: ListStyle = "standard") -> str:
        return self.join([self.skills.get(str(k)) or _humane(str(k)) for k in keys], style)

    def languages(self, codes: Iterable[Any]) -> str:
        names = Locale.parse(self.t.locale).languages
        return self.join([names.get(str(c), str(c)) for c in codes], "or")

    def stage(self, key: Any) -> str:
        return self.stages.get(str(key)) or _humane(str(key))


@lru_cache(maxsize=8192)
def _format_list(items: tuple[str, ...], style: ListStyle, locale: str) -> str:
    # the same few skill lists recur across thousands of pairs (a CSV of 10,000 rows)
    return format_list(list(items), style=style, locale=locale)


def _humane(key: str) -> str:
    """A key shown to a person (synthetic data and skills without a label use keys)."""
    return key.replace("_", " ")


def duration(minutes: int, t: Translator) -> str:
    hours, rest = divmod(max(0, int(minutes)), 60)
    if hours and rest:
        return t("{hours} h {minutes} min", hours=hours, minutes=rest)
    if hours:
        return t("{hours} h", hours=hours)
    return t("{minutes} min", minutes=rest)


def _pair(r: Reason, w: _Words) -> str | None:
    t = w.t
    match r.get("code"):
        case "teaches_wanted_skills":
            skills = w.skill_list(r.get("skills") or ()) or t("skills")
            if w.reads(r, "mentor"):
                mentee = w.who(r, "mentee", t("the mentee"))
                return t("You teach {skills}, which {mentee} wants", skills=skills, mentee=mentee)
            mentor = w.who(r, "mentor", t("The mentor"))
            if w.reads(r, "mentee"):
                return t("{mentor} teaches {skills}, which you want", mentor=mentor, skills=skills)
            return t(
                "{mentor} teaches {skills}, which {mentee} wants",
                mentor=mentor,
                mentee=w.who(r, "mentee", t("the mentee")),
                skills=skills,
            )
        case "learns_back":
            topics = w.skill_list(r.get("topics") or ()) or t("experience")
            if w.reads(r, "mentee"):
                mentor = w.who(r, "mentor", t("the mentor"))
                return t(
                    "You offer {topics} in return, which {mentor} wants to learn",
                    topics=topics,
                    mentor=mentor,
                )
            mentee = w.who(r, "mentee", t("The mentee"))
            if w.reads(r, "mentor"):
                return t(
                    "{mentee} offers {topics} in return, which you want to learn",
                    mentee=mentee,
                    topics=topics,
                )
            return t(
                "{mentee} offers {topics} in return, which {mentor} wants to learn",
                mentee=mentee,
                mentor=w.who(r, "mentor", t("the mentor")),
                topics=topics,
            )
        case "shared_hours":
            return t(
                "{duration} of shared working time",
                duration=duration(int(r.get("minutes") or 0), t),
            )
        case "meets_remotely":
            return t("both are happy to meet remotely")
        case "same_location":
            return t(
                "both can meet in person in {location}", location=_humane(str(r.get("location")))
            )
        case "cross_department":
            return t(
                "a bridge between departments: {mentor_department} and {mentee_department}",
                mentor_department=_humane(str(r.get("mentor_department"))),
                mentee_department=_humane(str(r.get("mentee_department"))),
            )
        case "career_stage_gap":
            return t(
                "reverse mentoring across career stages: {mentor_stage} to {mentee_stage}",
                mentor_stage=w.stage(r.get("mentor_stage")),
                mentee_stage=w.stage(r.get("mentee_stage")),
            )
        case "reporting_line_unknown":
            return t(
                "to check: a reporting line is unknown, so the management chain could "
                "not be verified"
            )
        case "department_unknown":
            return t(
                "to check: a department is unknown, so the cross-department rule could "
                "not be verified"
            )
        case "pinned":
            return t("pinned by a program admin")
        case "admin_swap":
            return t("swapped by a program admin")
        case "pin_breaks_rule":  # runs stored before pins were checked
            rules = [_rule(str(x), t) for x in r.get("rules") or ("other",)]
            return t("this pin breaks a rule: {rules}", rules=w.join(rules))
    return None


def _rule(rule: str, t: Translator) -> str:
    match rule:
        case "management_chain":
            return t("same management chain")
        case "language":
            return t("no shared language")
        case "career_stage":
            return t("career stage order")
        case "same_department":
            return t("same department")
        case "admin_block":
            return t("blocked by an admin")
        case "past_pair":
            return t("paired before")
        case "already_paired":
            return t("the mentee already has a partner or a proposal waiting")
        case "no_room":
            return t("the mentor has no room left")
        case "not_enrolled":
            return t("not an active mentor or mentee of the program")
        case "pinned_twice":
            return t("the mentee is already pinned to another mentor")
    return t("another rule")


def rule_words(rules: Iterable[Any], t: Translator) -> str:
    """Hard rules (``bot.matching.pins`` codes) as one list in the reader's words."""
    return _format_list(tuple(_rule(str(r), t) for r in rules), "standard", t.locale)


def _unmatched(r: Reason, w: _Words) -> str | None:
    t = w.t
    match r.get("code"):
        case "no_mentors_in_program":
            return t("no mentor is available in the program yet")
        case "no_mentor_speaks":
            return t(
                "no mentor speaks {languages}", languages=w.languages(r.get("languages") or ())
            )
        case "no_mentor_offers":
            skills = w.skill_list(r.get("skills") or (), "or")
            languages = r.get("languages") or ()
            if not languages:
                return t("no mentor offers {skills}", skills=skills)
            return t(
                "no mentor offers {skills} in {languages}",
                skills=skills,
                languages=w.languages(languages),
            )
        case "no_eligible_mentor":
            excluded: Mapping[str, Any] = r.get("excluded") or {}
            if not excluded:
                return t("no mentor fits the program's rules")
            details = [
                t("{rule}: {count}", rule=_rule(str(k), t), count=int(v))
                for k, v in excluded.items()
            ]
            return t(
                "every mentor who speaks their language is ruled out ({details})",
                details=w.join(details),
            )
        case "mentors_at_capacity":
            return t.tn(
                "the only mentor who fits is taken by another pair",
                "the mentors who fit ({count}) are all taken by other pairs",
                int(r.get("eligible_mentors") or 0),
            )
    return None


def _hint(r: Reason, w: _Words) -> str | None:
    t = w.t
    match r.get("code"):
        case "recruit_mentors_for":
            return t(
                "recruit mentors for {skill} (unmatched mentees who want it: {wanted}; "
                "mentors who offer it: {offered})",
                skill=w.skill_list([r.get("skill")]),
                wanted=int(r.get("wanted_by") or 0),
                offered=int(r.get("offered_by") or 0),
            )
        case "recruit_mentors_speaking":
            return t(
                "recruit mentors who speak {language} (unmatched mentees who need it: {count})",
                language=w.languages([r.get("language")]),
                count=int(r.get("unmatched") or 0),
            )
    return None


def _warning(r: Reason, w: _Words) -> str | None:
    t = w.t
    match r.get("code"):
        case "management_cycle":
            people = [w.person(p) for p in r.get("people") or ()]
            return t(
                "the HR data has a management cycle ({people}): they are treated as one "
                "chain and never paired together",
                people=w.join(people),
            )
        case "pin_dropped":
            return t(
                "the pin of {mentor} with {mentee} no longer applies and was removed: {rules}",
                mentor=w.person(r.get("mentor")),
                mentee=w.person(r.get("mentee")),
                rules=rule_words(r.get("rules") or ("other",), t),
            )
        case "pin_ignored":  # runs stored before pins were checked
            return t(
                "the pin of {mentor} with {mentee} was ignored: one of them is not an "
                "active mentor or mentee of the program, or the mentee is pinned twice",
                mentor=w.person(r.get("mentor")),
                mentee=w.person(r.get("mentee")),
            )
    return None


_KINDS: tuple[Callable[[Reason, _Words], str | None], ...] = (_pair, _unmatched, _hint, _warning)


def describe(
    reason: Reason,
    t: Translator,
    *,
    names: Mapping[str, str],
    skill_labels: Mapping[str, str],
    stage_labels: Mapping[str, str] | None = None,
    mentor: str | None = None,
    mentee: str | None = None,
    reader: str | None = None,
) -> str:
    """One reason in the reader's words (``skill_labels`` already in their language);
    ``reader``, one of the pair, reads "you" where the reason names them."""
    words = _Words(t, names, skill_labels, stage_labels or {}, mentor, mentee, reader)
    for kind in _KINDS:
        text = kind(reason, words)
        if text is not None:
            return text
    return t("another reason")  # a code newer than this file: never a raw key


def describe_all(
    reasons: Iterable[Reason],
    t: Translator,
    *,
    names: Mapping[str, str],
    skill_labels: Mapping[str, str],
    stage_labels: Mapping[str, str] | None = None,
    mentor: str | None = None,
    mentee: str | None = None,
    reader: str | None = None,
) -> list[str]:
    return [
        describe(
            r,
            t,
            names=names,
            skill_labels=skill_labels,
            stage_labels=stage_labels,
            mentor=mentor,
            mentee=mentee,
            reader=reader,
        )
        for r in reasons
    ]
