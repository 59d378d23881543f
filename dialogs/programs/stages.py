"""``admin stages``: the career ladder that eligibility and matching read, in order.

    admin stages [list]                      → the ladder, earliest first
    admin stages add KEY FR EN [POSITION]    → inserted (a form when arguments are missing)
    admin stages move KEY POSITION           → moved
    admin stages rename KEY fr|en NAME       → relabelled

Every program shares the ladder: program admins read it; deployment admins change it.
"""

from __future__ import annotations

from dialogs.core.content import Paragraph, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.ui import Facts, Header, Message
from dialogs.programs import stage_flows as forms
from dialogs.programs.skills import said
from dialogs.programs.stage_flows import STAGE_FLOWS
from storage.audit import record_audit
from storage.programs.career_stages import ladder

STAGE_ACTIONS = {action: f"stages:{action}" for action in STAGE_FLOWS}
ARGUMENTS = {"add": (3, 4), "move": (2, 2), "rename": (3, 3)}


async def stages_command(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    command = turn.command
    action = (command.action if command else None) or "list"
    args = command.args if command else ()
    stages = await ladder(ctx.session)
    if action == "list":
        facts = tuple(
            (f"{s.rank}. {s.key}", Paragraph((UserText(f"{s.label_fr} / {s.label_en}"),)))
            for s in stages
        )
        title = t("Career stages, earliest first")
        return turn.reply(
            Message((Header(title), Facts(facts)), summary=title, visibility="private")
        )
    if ctx.admin_of is not None:  # shared by every program: deployment admins only
        record_audit(
            ctx.session,
            "admin.refused",
            actor_id=ctx.person.id,
            details={"command": "stages", "reason": "not_deployment_admin"},
        )
        return turn.reply(
            said(
                t(
                    "Career stages are shared by every program: ask a deployment "
                    "admin (TANDEM_ADMINS) to change them."
                )
            )
        )
    low, high = ARGUMENTS[action]
    if not low <= len(args) <= high:  # missing (or stray) arguments: the form asks for each
        data = {
            "stages": [
                [s.key, s.rank, s.label_fr if ctx.locale == "fr" else s.label_en] for s in stages
            ],
            "typed": list(args),
        }
        return await turn.start(STAGE_FLOWS[action].name, opener=STAGE_ACTIONS[action], data=data)
    match action:
        case "add":
            position = args[3] if len(args) == 4 else ""
            result = await forms.add(ctx, args[0], args[1], args[2], position)
        case "move":
            result = await forms.move(ctx, args[0], args[1])
        case _:
            result = await forms.rename(ctx, args[0], args[1].lower(), args[2])
    if isinstance(result, Message):
        return turn.reply(result)
    return turn.reply(said(" ".join(result.values())))


async def reopen(turn: Turn) -> Outcome:
    """The button that opens a stages form when it could not open at once (Slack)."""
    action = next(a for a, opener in STAGE_ACTIONS.items() if opener == turn.inbound.action)
    stages = await ladder(turn.ctx.session)
    data = {"stages": [[s.key, s.rank, s.label_en] for s in stages], "typed": []}
    return await turn.start(STAGE_FLOWS[action].name, opener=STAGE_ACTIONS[action], data=data)


CAREER_STAGES = Feature(
    name="career_stages",
    flows=tuple(STAGE_FLOWS.values()),
    commands={"admin stages": stages_command},
    actions={opener: reopen for opener in STAGE_ACTIONS.values()},
    admin_actions=frozenset(STAGE_ACTIONS.values()),
    admin_flows=frozenset(flow.name for flow in STAGE_FLOWS.values()),
)
