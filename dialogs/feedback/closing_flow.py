"""The closing review as an explicit state machine: three short forms.

recommend  --submit--> skills        (0-10 "would you recommend", what changed, each goal's
           (no skill) -> testimonial  ending; a missing or malformed score keeps the step)
skills     --submit--> testimonial   (per skill: now 1-5, and looking back, before 1-5,
                                      beside the level given at enrollment)
testimonial --submit--> done         (optional words; consent to quote them is a box of its
                                      own; everything is stored here, in one answer row)

Nothing is stored before the last step: a review left half-way holds no half answer. The
last step checks the request again (expired meanwhile: refused, nothing stored).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.feedback.closing import GOAL_ENDINGS, LEVELS, NPS_SCALE, level, nps
from bot.domain.feedback.requests import RequestState, answerable
from dialogs.core.content import Paragraph
from dialogs.core.flow import Flow, FlowContext, Step, Transition, list_value, text_value
from dialogs.core.i18n import N_, Translator
from dialogs.core.ui import (
    ActionRef,
    CheckboxesField,
    Field,
    FieldValue,
    Form,
    Message,
    Option,
    SelectField,
    TextField,
)
from dialogs.feedback.closing_cards import saved_message
from dialogs.participation.flows import say
from storage.feedback.closing import record_goal_endings
from storage.feedback.requests import answer_row, locked_request
from storage.models import FeedbackRequest

CLOSING_FLOW_NAME = "closing_review"
MAX_WORDS = 1500  # what changed; a testimonial
CONSENT = "quote"

GOAL_LABELS = {
    "done": N_("Reached"),
    "on_track": N_("Partly: still on it"),
    "stuck": N_("Not reached"),
}


def _title(t: Translator) -> str:
    return t("Closing review")


def _previous(data: Mapping[str, Any]) -> Mapping[str, Any]:
    found = data.get("previous")
    return found if isinstance(found, Mapping) else {}


def _initial(value: object) -> tuple[str, ...]:
    return (str(value),) if value is not None and value != "" else ()


def recommend_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    before = _previous(data)
    scale = tuple(
        Option(str(n), {0: t("0: not at all"), 10: t("10: without a doubt")}.get(n, str(n)))
        for n in reversed(NPS_SCALE)
    )
    changed_label = (
        t("What changed for you, as a mentor?")
        if data.get("role") == "mentor"
        else t("What changed for you?")
    )
    changed_hint = (
        t("Your own growth counts: what you learned from your mentee, how you lead, speak, see.")
        if data.get("role") == "mentor"
        else t("In your work, your habits, how you see digital tools.")
    )
    fields: list[Field] = [
        SelectField(
            "nps", t("Would you recommend the program to a colleague?"), scale,
            initial=_initial(data.get("nps", before.get("nps"))),
        ),
        TextField(
            "changed", changed_label, required=False, multiline=True, max_length=MAX_WORDS,
            initial=str(data.get("changed", before.get("changed")) or ""), hint=changed_hint,
        ),
    ]  # fmt: skip
    endings = {**before.get("goals", {}), **data.get("goal_endings", {})}
    options = tuple(Option(s, t(GOAL_LABELS[s])) for s in GOAL_ENDINGS)
    for n, goal in enumerate(data.get("goals", ()), start=1):
        fields.append(
            SelectField(
                f"goal_{goal['id']}", t("Goal {n}: how did it end?", n=n), options,
                required=False, initial=_initial(endings.get(str(goal["id"]))),
                hint=str(goal["text"])[:150],
            )
        )  # fmt: skip
    return Form(
        title=_title(t),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=(Paragraph.of(t("Your answers are private: your partner never sees them.")),),
    )


async def submit_recommend(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    score = nps(text_value(values, "nps"))
    if score is None:
        return Transition(errors={"nps": ctx.t("Choose a score from 0 to 10.")})
    endings: dict[str, str] = {}
    for goal in data.get("goals", ()):
        chosen = text_value(values, f"goal_{goal['id']}")
        if chosen and chosen not in GOAL_ENDINGS:
            return Transition(errors={f"goal_{goal['id']}": ctx.t("Choose one of the answers.")})
        if chosen:
            endings[str(goal["id"])] = chosen
    answers = {
        "nps": score,
        "changed": text_value(values, "changed")[:MAX_WORDS],
        "goal_endings": endings,
    }
    return Transition("skills" if data.get("skills") else "testimonial", answers)


def _levels(t: Translator) -> tuple[Option, ...]:
    names = {1: t("1: beginner"), 5: t("5: expert")}
    return tuple(Option(str(n), names.get(n, str(n))) for n in LEVELS)


def skills_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    before = _previous(data)
    now_given = {**before.get("levels", {}), **data.get("levels", {})}
    then_given = {**before.get("retrospective", {}), **data.get("retrospective", {})}
    fields: list[Field] = []
    for n, skill in enumerate(data.get("skills", ())):
        name = t.labels({skill["key"]: skill.get("labels", {})})[skill["key"]]
        baseline = skill.get("baseline")
        hint = (
            t("At enrollment you said {level} out of 5.", level=baseline)
            if baseline
            else t("You gave no level at enrollment.")
        )
        fields.append(
            SelectField(
                f"now_{n}", t("{skill}: your level now", skill=name)[:150], _levels(t),
                required=False, initial=_initial(now_given.get(skill["key"])), hint=hint,
            )
        )  # fmt: skip
        fields.append(
            SelectField(
                f"before_{n}", t("{skill}: looking back, before", skill=name)[:150], _levels(t),
                required=False, initial=_initial(then_given.get(skill["key"])),
                hint=t("Knowing what you know now, where were you before the program?"),
            )
        )  # fmt: skip
    return Form(
        title=_title(t),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=(Paragraph.of(t("From 1 (beginner) to 5 (expert). Skip a skill if you prefer.")),),
    )


async def submit_skills(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    now_levels: dict[str, int] = {}
    then_levels: dict[str, int] = {}
    errors: dict[str, str] = {}
    for n, skill in enumerate(data.get("skills", ())):
        for field_name, into in ((f"now_{n}", now_levels), (f"before_{n}", then_levels)):
            raw = text_value(values, field_name)
            if not raw:
                continue
            chosen = level(raw)
            if chosen is None:
                errors[field_name] = ctx.t("Choose a level from 1 to 5.")
            else:
                into[skill["key"]] = chosen
    if errors:
        return Transition(errors=errors)
    return Transition("testimonial", {"levels": now_levels, "retrospective": then_levels})


def testimonial_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    before = _previous(data)
    consent = Option(
        CONSENT, t("The program team may quote my testimonial, with my name, in its reports")
    )
    return Form(
        title=_title(t),
        ref=ref,
        fields=(
            TextField(
                "testimonial",
                t("A few words for future participants"),
                required=False,
                multiline=True,
                max_length=MAX_WORDS,
                initial=str(before.get("testimonial") or ""),
            ),
            CheckboxesField(
                "consent",
                t("Quoting it"),
                (consent,),
                required=False,
                initial=(CONSENT,) if before.get("quoted") else (),
                hint=t("Only if you tick the box. You can withdraw this later."),
            ),
        ),
        submit_label=t("Send my review"),
    )


async def submit_testimonial(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    words = text_value(values, "testimonial")[:MAX_WORDS]
    consented = CONSENT in list_value(values, "consent")
    if consented and not words:
        return Transition(
            errors={"consent": t("Write a testimonial to be quoted, or leave the box unticked.")}
        )
    request = await locked_request(ctx.session, int(data.get("request_id", 0)))
    refusal = refused(ctx, request)
    if refusal is not None or request is None:
        return Transition(message=refusal)
    now = ctx.now()
    feedback = await answer_row(ctx.session, request, now)
    changed = feedback.updated_at is not None
    feedback.nps = int(data["nps"])
    feedback.changed = str(data.get("changed") or "") or None
    feedback.skill_levels = dict(data.get("levels", {}))
    feedback.retrospective = dict(data.get("retrospective", {}))
    feedback.testimonial = words or None
    if consented:
        feedback.quote_consent_at, feedback.quote_withdrawn_at = now, None
    elif feedback.quote_consent_at is not None and feedback.quote_withdrawn_at is None:
        feedback.quote_withdrawn_at = now  # unticking the box later is a withdrawal
    endings = {int(k): v for k, v in dict(data.get("goal_endings", {})).items()}
    await record_goal_endings(ctx.session, request.pairing_id, ctx.person.id, endings, now)
    message = saved_message(
        t, request.id, changed=changed, open_until=request.expires_at, testimonial=bool(words),
        quoted=consented,
    )  # fmt: skip
    return Transition(message=message)


def refused(ctx: FlowContext, request: FeedbackRequest | None) -> Message | None:
    """Why this person may not answer this request now (None: they may)."""
    t = ctx.t
    if request is None or request.kind != "closing":
        return say(Paragraph.of(t("This review is not for you.")))
    state = RequestState(request.person_id, request.status, request.expires_at, request.reminded_at)
    match answerable(state, ctx.person.id, ctx.now()):
        case "not_yours":
            return say(Paragraph.of(t("This review is not for you.")))
        case "expired" | "cancelled":
            return say(
                Paragraph.of(
                    t(
                        "This review has closed: answers are no longer taken. Thank you all "
                        "the same."
                    )
                )
            )
    return None


CLOSING_FLOW = Flow(
    name=CLOSING_FLOW_NAME,
    first_step="recommend",
    steps={
        "recommend": Step("recommend", recommend_form, submit_recommend),
        "skills": Step("skills", skills_form, submit_skills),
        "testimonial": Step("testimonial", testimonial_form, submit_testimonial),
    },
    example={
        "request_id": 1,
        "role": "mentor",
        "skills": [
            {
                "key": f"skill_{n}",
                "labels": {"fr": "Compétence " * 12 + str(n), "en": "Skill " * 20 + str(n)},
                "baseline": n % 5 + 1 if n else None,
            }
            for n in range(5)
        ],
        "goals": [{"id": n, "text": "<!channel> *objectif* " * 40} for n in range(1, 4)],
        "previous": {
            "nps": 9,
            "changed": "x" * MAX_WORDS,
            "testimonial": "y" * MAX_WORDS,
            "quoted": True,
            "goals": {"1": "done"},
            "levels": {"skill_1": 4},
        },
    },
)
