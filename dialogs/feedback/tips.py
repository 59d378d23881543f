""" "Try it this week" tips: sending one after a held session, "not for me", and the
catalogue for admins (``admin tips``).

routine goals.tips (daily) ──► goals.tip per session held in the last days, due two days
    after it (the key: once per session) ──► one tip to the mentee, from a skill they want
*Not for me* ──► no more tips for this pairing
admin tips [list] [skill] ──► the catalogue per skill (a skill's tips with *Deactivate*)
admin tips add            ──► form: skill, French, English ──► added (or errors by field)
admin tips deactivate N   ──► the tip is no longer sent (kept: past messages name it)

Listing is every admin's; the catalogue is shared by every program, so adding and
deactivating are the deployment admins' (as for the skills taxonomy).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import structlog

from bot.domain.feedback.tips import (
    MAX_TIP_CHARS,
    TIP_AFTER_SESSION,
    TIP_DUE,
    TIP_LOOKBACK,
    TIPS_ROUTINE,
    TIPS_TRIGGER,
    TipDue,
    TipSuggestion,
    choose_tip,
    tip_problem,
)
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Feature, Recurring, Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import (
    ActionRef,
    Actions,
    Button,
    Facts,
    FieldValue,
    Form,
    Header,
    Message,
    Option,
    Section,
    SelectField,
    TextField,
)
from dialogs.feedback.goals_cards import TIP_OFF_ACTION
from dialogs.participation.flows import say
from storage.audit import record_audit
from storage.dialog_states import open_flow
from storage.enqueue import enqueue_due
from storage.feedback.tips import (
    active_candidates,
    active_counts,
    add_tip,
    deactivate_tip,
    held_before,
    recently_held,
    tips_of,
    wanted_skills,
)
from storage.matching.runs import active_pairings_of
from storage.models import CheckIn, Pairing, Skill, Tip
from storage.programs.programs import all_skills, skill_by_key

log = structlog.get_logger("tandem.tips")

TIP_ADD_ACTION = "tips:add"  # opens (or reopens) the add form
TIP_DEACTIVATE_ACTION = "tips:deactivate"  # value: the tip's id
TIP_ADD_FLOW_NAME = "tip_add"
SHOWN_PER_SKILL = 20


def _say(text: str, typed: str | None = None) -> Message:
    parts = (Text(text), *((Text(" "), UserText(typed)) if typed is not None else ()))
    return say(Paragraph(parts))


# -- sending ---------------------------------------------------------------------------------


async def tips_round(due: DueContext) -> None:
    """Daily: each session held lately gets its tip queued two days after it (once)."""
    now = due.notifier.clock.now()
    async with due.database.unit_of_work(immediate=True) as session:
        held = await recently_held(session, now - TIP_LOOKBACK)
        for check_in in held:
            ended = check_in.scheduled_at + timedelta(minutes=check_in.duration_minutes)
            at = max(now, ended + TIP_AFTER_SESSION)
            await enqueue_due(session, TIP_DUE, TipDue(check_in.id), at)
    log.info("tips.round", sessions=len(held))


async def send_tip(due: DueContext, payload: TipDue) -> None:
    async with due.database.unit_of_work(immediate=True) as session:
        check_in = await session.get(CheckIn, payload.check_in_id)
        if check_in is None or check_in.status != "held":
            return
        pairing = await session.get(Pairing, check_in.pairing_id)
        if pairing is None or pairing.status != "active" or pairing.tips_declined_at:
            return  # ended, or "not for me" meanwhile
        wanted = await wanted_skills(session, pairing)
        candidates = await active_candidates(session, wanted)
        tip_id = choose_tip(candidates, wanted, await held_before(session, check_in))
        tip = await session.get(Tip, tip_id) if tip_id is not None else None
        if tip is None:
            return  # nothing in the catalogue for these skills
        skill = await skill_by_key(session, tip.skill_key)
        names = (skill.name("fr"), skill.name("en")) if skill else (tip.skill_key,) * 2
        card = TipSuggestion(pairing.id, tip.id, *names, tip.text_fr, tip.text_en)
        await due.notifier.notify(session, pairing.mentee_id, card, key=f"{due.key}:deliver")


async def tips_off(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    pairings = await active_pairings_of(ctx.session, ctx.person.id)
    chosen = [p for p in pairings if str(p.id) == turn.inbound.value]
    if not chosen:
        return turn.reply(_say(t("This suggestion is not for you.")))
    pairing = chosen[0]
    if pairing.tips_declined_at is None:
        pairing.tips_declined_at = ctx.now()
        record_audit(
            ctx.session,
            "tips.declined",
            actor_id=ctx.person.id,
            subject_id=ctx.person.id,
            program_id=pairing.program_id,
            details={"pairing_id": pairing.id},
        )
    return turn.reply(
        _say(t("Understood: no more suggestions for this pairing.")), close_source=True
    )


# -- the catalogue, for admins ---------------------------------------------------------------


def catalogue(t: Translator, skills: list[Skill], counts: Mapping[str, int]) -> Message:
    title = t("Try-it-this-week tips")
    facts = tuple(
        (
            s.key,
            Paragraph(
                (
                    UserText(s.name(t.locale)),
                    Text(" · " + t.tn("{count} tip", "{count} tips", counts.get(s.key, 0))),
                )
            ),
        )
        for s in skills
        if s.retired_at is None or counts.get(s.key)
    )
    hint = Paragraph.of(t("A skill's tips: admin tips list <skill key>"))
    add = Button(t("Add a tip"), TIP_ADD_ACTION, opens_form=True, style="primary")
    return Message(
        (Header(title), Facts(facts), Section((hint,)), Actions((add,))),
        summary=title,
        visibility="private",
    )


def skill_tips(t: Translator, skill: Skill, tips: list[Tip]) -> Message:
    title = t("Tips: {skill}", skill=skill.name(t.locale))[:150]
    blocks: list[Header | Section | Actions] = [Header(title)]
    if not tips:
        blocks.append(Section((Paragraph.of(t("No tip for this skill yet.")),)))
    for tip in tips[:SHOWN_PER_SKILL]:
        state = "" if tip.active else " · " + t("deactivated")
        blocks.append(
            Section(
                (
                    Paragraph((Text(f"#{tip.id}{state}", strong=True),)),
                    Paragraph((Text("FR "), UserText(tip.text_fr))),
                    Paragraph((Text("EN "), UserText(tip.text_en))),
                )
            )
        )
        if tip.active:
            off = Button(t("Deactivate"), TIP_DEACTIVATE_ACTION, value=str(tip.id))
            blocks.append(Actions((off,)))
    if len(tips) > SHOWN_PER_SKILL:
        more = t.tn("And {count} more tip.", "And {count} more tips.", len(tips) - SHOWN_PER_SKILL)
        blocks.append(Section((Paragraph.of(more),)))
    add = Button(t("Add a tip"), TIP_ADD_ACTION, value=skill.key, opens_form=True)
    blocks.append(Actions((add,)))
    return Message(tuple(blocks), summary=title, visibility="private")


def _may_edit(turn: Turn) -> Message | None:
    """The catalogue is every program's: only deployment admins change it."""
    ctx = turn.ctx
    if ctx.admin_of is None:
        return None
    record_audit(
        ctx.session,
        "admin.refused",
        actor_id=ctx.person.id,
        details={"command": "tips", "reason": "not_deployment_admin"},
    )
    return _say(
        ctx.t(
            "The tips are shared by every program: ask a deployment admin "
            "(TANDEM_ADMINS) to change them."
        )
    )


async def tips_command(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    command = turn.command
    action = (command.action if command else None) or "list"
    args = command.args if command else ()
    if action == "list":
        if not args:
            skills = await all_skills(ctx.session)
            return turn.reply(catalogue(t, skills, await active_counts(ctx.session)))
        skill = await skill_by_key(ctx.session, args[0].strip().lower())
        if skill is None:
            return turn.reply(_say(t("I do not know this skill:"), args[0]))
        return turn.reply(skill_tips(t, skill, await tips_of(ctx.session, skill.key)))
    if (refused := _may_edit(turn)) is not None:
        return turn.reply(refused)
    if action == "add":
        return await _open_add(turn, args[0] if args else "")
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        return turn.reply(_say(t("Which tip? Type its number, e.g.: admin tips deactivate 12")))
    return turn.reply(await _deactivate(ctx, args[0].lstrip("#")))


async def _deactivate(ctx: FlowContext, value: str) -> Message:
    t = ctx.t
    tip = await ctx.session.get(Tip, int(value)) if value.isdigit() else None
    if tip is None:
        return _say(t("I do not know this tip:"), value)
    if not tip.active:
        return _say(t("This tip is deactivated already:"), f"#{tip.id}")
    deactivate_tip(ctx.session, tip, ctx.person.id)
    return _say(t("Tip deactivated: it will not be suggested any more."), f"#{tip.id}")


async def deactivate_clicked(turn: Turn) -> Outcome:
    if (refused := _may_edit(turn)) is not None:
        return turn.reply(refused)
    return turn.reply(await _deactivate(turn.ctx, turn.inbound.value), close_source=True)


async def _open_add(turn: Turn, typed_skill: str) -> Outcome:
    ctx = turn.ctx
    skills = [
        [s.key, s.name(ctx.locale)] for s in await all_skills(ctx.session) if not s.retired_at
    ]
    data = {"skills": skills, "skill": typed_skill.strip().lower()}
    return await turn.start(TIP_ADD_FLOW_NAME, opener=TIP_ADD_ACTION, data=data)


async def add_clicked(turn: Turn) -> Outcome:
    """*Add a tip* on the catalogue, or the button that opens the form when it could not
    open at once (Slack): resume the open form, else a new one."""
    if (refused := _may_edit(turn)) is not None:
        return turn.reply(refused)
    ctx = turn.ctx
    if await open_flow(ctx.session, ctx.person.id, TIP_ADD_FLOW_NAME) is not None:
        return await turn.start(TIP_ADD_FLOW_NAME, opener=TIP_ADD_ACTION)
    return await _open_add(turn, turn.inbound.value)


def add_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    options = tuple(Option(key, f"{name} ({key})") for key, name in data.get("skills", []))
    typed = str(data.get("skill", ""))
    initial = (typed,) if typed in {o.value for o in options} else ()
    hint = t("One concrete thing to try in about fifteen minutes.")
    return Form(
        title=t("Add a tip"),
        ref=ref,
        fields=(
            SelectField("skill", t("Skill"), options, initial=initial),
            TextField("fr", t("In French"), multiline=True, max_length=MAX_TIP_CHARS, hint=hint),
            TextField("en", t("In English"), multiline=True, max_length=MAX_TIP_CHARS),
        ),
        submit_label=t("Add"),
    )


def _problem_text(t: Translator, problem: str) -> str:
    return {
        "empty": t("Write the tip."),
        "short": t("Too short: say what to do, concretely."),
        "long": t.tn("At most {count} character.", "At most {count} characters.", MAX_TIP_CHARS),
    }[problem]


async def submit_add(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    key, fr, en = (text_value(values, n) for n in ("skill", "fr", "en"))
    errors = {
        name: _problem_text(t, problem)
        for name, text in (("fr", fr), ("en", en))
        if (problem := tip_problem(text)) is not None
    }
    skill = await skill_by_key(ctx.session, key) if key else None
    if skill is None or skill.retired_at is not None:
        errors["skill"] = t("Choose a skill in the list.")
    if errors or skill is None:
        return Transition(errors=errors)
    tip = add_tip(ctx.session, skill.key, fr, en, ctx.person.id)
    await ctx.session.flush()
    return Transition(message=_say(t("Tip added:"), f"#{tip.id} · {skill.name(ctx.locale)}"))


TIP_ADD_FLOW = Flow(
    name=TIP_ADD_FLOW_NAME,
    first_step="form",
    steps={"form": Step("form", add_form, submit_add)},
    example={
        "skills": [[f"skill_{n}", "Compétence " * 5 + str(n)] for n in range(40)],
        "skill": "skill_1",
    },
)


TIPS = Feature(
    name="tips",
    flows=(TIP_ADD_FLOW,),
    commands={"admin tips": tips_command},
    actions={
        TIP_OFF_ACTION: tips_off,
        TIP_ADD_ACTION: add_clicked,
        TIP_DEACTIVATE_ACTION: deactivate_clicked,
    },
    due={TIP_DUE: send_tip},
    routines=(Recurring(TIPS_ROUTINE, TIPS_TRIGGER, tips_round),),
    admin_actions=frozenset({TIP_ADD_ACTION, TIP_DEACTIVATE_ACTION}),
    admin_flows=frozenset({TIP_ADD_FLOW_NAME}),
)
