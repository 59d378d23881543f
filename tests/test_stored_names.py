"""Names already stored in databases or sent to platforms keep their values across moves.

Queued due actions are found by their kind, flow instances by their flow and step names,
cards already sent answer through their button action ids, queued notifications by their
type. Renaming one would strand what an earlier version left behind: change these lists
only together with a migration of the stored rows.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.clock import ManualClock
from bot.domain.due import DueKind
from bot.domain.notifications import NOTIFICATION_TYPES
from bot.server import Runtime, create_app
from bot.settings import Settings
from dialogs.capabilities import FEATURES
from dialogs.core.ui import REOPEN_ACTION
from storage.db import Database
from tests.support.modules import import_everything

DUE_ACTION_KINDS = {
    "announce.post",
    "enrollment.approval_requested",
    "enrollment.decided",
    "notify.deliver",
    "notify.introduce",
    "notify.replace",
    "pairing.ended",
    "pairing.started",
    "participation.contact",
    "participation.invite",
    "participation.invite_reminder",
    "participation.partner_left",
    "participation.resume",
    "programs.texts_published",
    "proposal.expire",
    "proposal.remind",
    "proposal.send",
    "proposal.withdrawn",
    "routine.matching.round",
    "routine.sessions.first_slots_backfill",
    "sessions.ask_date",
    "sessions.offer_slots",
    "sessions.ask",
    "sessions.plan",
    "sessions.remind",
    "sessions.tell",
    "routine.sessions.nudges",
    "sessions.snooze_over",
    "sessions.tell_cancelled",
    "teams.recover",
    "retention.erase",
    "routine.retention.daily",
    "feedback.pulse_alert",
    "routine.feedback.pulse",
    "feedback.closing.ask",
    "feedback.closing.remind",
    "feedback.closing.expire",
    "routine.feedback.closing",
    "feedback.survey_ask",
    "feedback.survey_remind",
    "goals.midpoint_ask",
    "goals.midpoint_remind",
    "goals.tip",
    "routine.goals.midpoint",
    "routine.goals.tips",
    "privacy.forget_me",
    "routine.files.purge_expired",
    "routine.reports.monthly",
    "recognition.closed",
    "recognition.shout_out",
}

# The payload keys of each kind, as queued rows store them (``DueKind.dump``). A key may be
# added with a default (rows queued earlier load without it); none is renamed or removed.
DUE_ACTION_PAYLOADS = {
    "announce.post": {
        "platform",
        "tenant_id",
        "channel",
        "label",
        "program_id",
        "locale",
        "admin_id",
    },
    "enrollment.approval_requested": {"program_id", "enrollment_id"},
    "sessions.snooze_over": {"pairing_id", "until"},
    "enrollment.decided": {"enrollment_id", "approved"},
    "notify.deliver": {"person_id", "notification", "not_after"},
    "notify.introduce": {"person_ids", "notification"},
    "notify.replace": {"person_id", "purpose", "notification"},
    "pairing.ended": {"pairing_id", "partner_id", "ender_id", "by_admin"},
    "pairing.started": {"pairing_id"},
    "participation.contact": {"person_id", "program_ids", "program_name", "text"},
    "participation.invite": {"person_id", "program_id"},
    "participation.invite_reminder": {"person_id", "program_id"},
    "participation.partner_left": {"partner_id", "leaver_id", "program_name", "pairing_id"},
    "participation.resume": {"enrollment_id", "until", "day"},
    "programs.texts_published": {"program_id", "kind", "version"},
    "proposal.expire": {"proposal_id"},
    "proposal.remind": {"proposal_id"},
    "proposal.send": {"proposal_id"},
    "proposal.withdrawn": {"proposal_id", "tell", "outcome"},
    "sessions.ask_date": {"check_in_id"},
    "sessions.offer_slots": {"pairing_id"},
    "sessions.ask": {"check_in_id", "sequence"},
    "sessions.plan": {"check_in_id", "sequence"},
    "sessions.remind": {"check_in_id", "sequence", "person_id", "hours"},
    "sessions.tell": {"person_id", "notification"},
    "sessions.tell_cancelled": {"partner_id", "person_id", "reason", "count", "pairing_id", "at"},
    "retention.erase": {"program_id", "at"},
    "feedback.pulse_alert": {"request_id", "stamp"},
    "feedback.closing.ask": {"pairing_id"},
    "feedback.closing.remind": {"request_id"},
    "feedback.closing.expire": {"request_id"},
    "feedback.survey_ask": {"check_in_id"},
    "feedback.survey_remind": {"request_id"},
    "goals.midpoint_ask": {"pairing_id"},
    "goals.midpoint_remind": {"request_id"},
    "goals.tip": {"check_in_id"},
    "privacy.forget_me": {"person_id", "locale"},
    "recognition.closed": {"pairing_id"},
    "recognition.shout_out": {"recognition_id"},
}
# Keys added after rows were already queued without them: those rows still load.
ADDED_LATER = {
    "participation.resume": {"day"},
    "participation.partner_left": {"pairing_id"},
    "notify.deliver": {"not_after"},
}

FLOWS = {
    "contact": ["message"],
    "end_pairing": ["reason"],
    "enrollment": ["consent", "levels", "practical", "program", "role", "skills", "summary"],
    "invite": ["invite"],
    "kickoff_goals": ["goals"],
    "language": ["choose"],
    "leave": ["confirm"],
    "leave_reason": ["reason"],
    "pause": ["until"],
    "session_reschedule": ["when"],
    "profile": ["basics"],
    "program_admin_add": ["add"],
    "program_edit": ["rules", "settings"],
    "program_new": ["rules", "settings"],
    "program_text": ["body"],
    "proposal_decline": ["reason"],
    "session_time": ["when"],
    "skill_add": ["form"],
    "skill_rename": ["form"],
    "skill_retire": ["form"],
    "stage_add": ["add"],
    "stage_move": ["move"],
    "stage_rename": ["rename"],
    "retention_set": ["set"],
    "feedback.pulse_comment": ["comment"],
    "closing_review": ["recommend", "skills", "testimonial"],
    "feedback_comment": ["comment"],
    "goal_check": ["check"],
    "tip_add": ["form"],
    "forget_me": ["confirm"],
    "recognition_thanks": ["write"],
}

COMMANDS = {
    "admin announce",
    "admin audit",
    "admin invite",
    "admin match",
    "admin program",
    "admin sessions",
    "admin skills",
    "admin stages",
    "admin status",
    "admin texts",
    "cadence",
    "contact",
    "end",
    "goals",
    "help",
    "join",
    "language",
    "leave",
    "pause",
    "privacy",
    "profile",
    "quiet",
    "reschedule",
    "resume",
    "sessions",
    "skip",
    "admin retention",
    "testimonial",
    "feedback",
    "admin tips",
    "admin report",
    "my data",
    "forget me",
    "thanks",
    "admin recognition",
}

ACTIONS = {
    "announce:pick",
    "enrollment:approve",
    "enrollment:decline",
    "enrollment:edit",
    "enrollment:join",
    "help",
    "language:choose",
    "matching:accept",
    "matching:decline",
    "matching:end",
    "matching:goals",
    "matching:review",
    "matching:run",
    "matching:send",
    "participation:contact",
    "participation:invite",
    "participation:leave",
    "participation:leave-reason",
    "participation:pause",
    "profile:edit",
    "profile:show",
    "programs:admin-add",
    "programs:edit",
    "programs:new",
    "programs:pick",
    "programs:skills_add",
    "programs:skills_rename",
    "programs:skills_retire",
    "programs:texts_accept",
    "programs:texts_edit",
    "programs:texts_pick",
    "programs:texts_review",
    "sessions:async",
    "sessions:calendar-off",
    "sessions:calendar-on",
    "sessions:confirm",
    "sessions:none",
    "sessions:other",
    "sessions:pick",
    "sessions:admin",
    "sessions:fine",
    "sessions:snooze_day",
    "sessions:snooze_week",
    "sessions:answer",
    "sessions:cadence",
    "sessions:cancel",
    "sessions:reschedule",
    "sessions:skip",
    "recognition:consent",
    "recognition:thank",
    "stages:add",
    "stages:move",
    "stages:rename",
    "retention:set",
    "feedback:pulse",
    "feedback:pulse_comment",
    "feedback:closing",
    "feedback:closing_withdraw",
    "feedback:rate",
    "feedback:chip",
    "feedback:comment",
    "feedback:done",
    "feedback:skip",
    "feedback:open",
    "goals:midpoint",
    "goals:update",
    "goals:tips_off",
    "tips:add",
    "tips:deactivate",
    "report:admin",
    "privacy:forget-me",
}

NOTIFICATIONS = {
    "monthly_report",
    "announcement",
    "announcement_failed",
    "enrollment_approval",
    "enrollment_decided",
    "introduction",
    "invitation",
    "message_to_team",
    "pair_proposed",
    "pairing_ended",
    "pairing_introduction",
    "partner_left",
    "pause_ended",
    "person_unreachable",
    "proposal_closed",
    "round_ready",
    "session_confirmed",
    "session_picked",
    "session_self_organised",
    "session_slots",
    "session_at_risk",
    "session_digest",
    "session_nudge",
    "session_changed",
    "session_did_it_happen",
    "session_planned",
    "session_reminder",
    "sessions_cancelled",
    "texts_updated",
    "pulse_asked",
    "pulse_closed",
    "pulse_follow_up",
    "closing_review_asked",
    "closing_review_closed",
    "feedback_survey",
    "goals_midpoint",
    "goals_tip",
    "thanks_received",
    "thanks_offered",
    "certificate_ready",
    "public_thanks_asked",
    "manager_note",
    "shout_out_failed",
}


async def test_due_action_kinds_keep_their_names(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'names.db'}")
    runtime = Runtime(
        settings=settings,
        database=Database(settings.database_url),
        mode="serve",
        clock=ManualClock(datetime(2026, 12, 1, tzinfo=UTC)),
    )
    create_app(runtime, clock=False)
    try:
        kinds = set(runtime.handlers) | {r.kind for r in runtime.all_routines()}
    finally:
        await runtime.database.dispose()
    assert kinds == DUE_ACTION_KINDS


def test_due_action_payloads_keep_their_keys() -> None:
    import_everything()
    payloads = {
        name: {f.name for f in dataclasses.fields(kind.payload)}  # type: ignore[arg-type]
        for name, kind in DueKind.every.items()
    }
    assert payloads == DUE_ACTION_PAYLOADS
    for name, added in ADDED_LATER.items():
        kind = DueKind.every[name]
        earlier = {key: 1 for key in DUE_ACTION_PAYLOADS[name] - added}
        earlier["until"] = "2026-12-10T00:00:00+00:00"  # a value of the right shape
        kind.load({k: v for k, v in earlier.items() if k in DUE_ACTION_PAYLOADS[name]})


def test_flows_steps_commands_and_buttons_keep_their_names() -> None:
    flows = {f.name: sorted(f.steps) for feature in FEATURES for f in feature.flows}
    assert flows == FLOWS
    assert {name for feature in FEATURES for name in feature.commands} == COMMANDS
    assert {name for feature in FEATURES for name in feature.actions} == ACTIONS


def test_notification_types_keep_their_names() -> None:
    assert set(NOTIFICATION_TYPES) == NOTIFICATIONS


def test_the_core_reopen_button_keeps_its_name() -> None:
    assert REOPEN_ACTION == "reopen"  # sent on Slack buttons for forms that could not open
