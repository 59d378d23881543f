"""The series feature: a pair's sessions after the first one is confirmed (reminders,
"did it happen?", the next session at the cadence) and the commands around them."""

from __future__ import annotations

from dialogs.core.feature import Feature
from dialogs.sessions.cards import (
    ANSWER_ACTION,
    CADENCE_ACTION,
    CANCEL_ACTION,
    RESCHEDULE_ACTION,
    SKIP_ACTION,
)
from dialogs.sessions.commands import answer, cadence, cancel, quiet_hours, sessions, skip
from dialogs.sessions.lifecycle import DUE
from dialogs.sessions.reschedule import RESCHEDULE_FLOW, reschedule

SERIES = Feature(
    name="sessions_series",
    flows=(RESCHEDULE_FLOW,),
    commands={
        "sessions": sessions,
        "reschedule": reschedule,
        "skip": skip,
        "cadence": cadence,
        "quiet": quiet_hours,
    },
    actions={
        RESCHEDULE_ACTION: reschedule,
        SKIP_ACTION: skip,
        CANCEL_ACTION: cancel,
        ANSWER_ACTION: answer,
        CADENCE_ACTION: cadence,
    },
    due=DUE,
)
