"""Every feature of the conversation. Add a module's Feature here to make it reachable."""

from dialogs.basics.feature import BASICS
from dialogs.core.feature import Feature
from dialogs.enrollment.feature import ENROLLMENT
from dialogs.feedback.closing import CLOSING
from dialogs.feedback.goals import GOALS
from dialogs.feedback.pending import PENDING as FEEDBACK_PENDING
from dialogs.feedback.pulse import PULSE
from dialogs.feedback.survey import SURVEY as FEEDBACK_SURVEY
from dialogs.feedback.tips import TIPS
from dialogs.matching.admin import MATCHING
from dialogs.matching.pairing import PAIRING
from dialogs.notify.notifier import Notifier
from dialogs.participation.feature import PARTICIPATION
from dialogs.personal_data.feature import PERSONAL_DATA
from dialogs.programs.announce import ANNOUNCE
from dialogs.programs.feature import PROGRAMS
from dialogs.programs.stages import CAREER_STAGES
from dialogs.recognition.feature import RECOGNITION
from dialogs.reports.feature import REPORTS
from dialogs.retention.feature import RETENTION
from dialogs.sessions.admin_sessions import ADMIN_SESSIONS
from dialogs.sessions.nudges import NUDGES
from dialogs.sessions.privacy import SESSIONS_PRIVACY
from dialogs.sessions.scheduling import SESSIONS_SCHEDULING
from dialogs.sessions.series import SERIES
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.routines import Routine

FEATURES: tuple[Feature, ...] = (
    BASICS,
    PARTICIPATION,
    ENROLLMENT,
    PROGRAMS,
    ANNOUNCE,
    MATCHING,
    PAIRING,
    CAREER_STAGES,
    SESSIONS_SCHEDULING,
    SESSIONS_PRIVACY,
    NUDGES,
    ADMIN_SESSIONS,
    SERIES,
    RETENTION,
    PULSE,
    CLOSING,
    FEEDBACK_SURVEY,
    FEEDBACK_PENDING,
    GOALS,
    TIPS,
    REPORTS,
    PERSONAL_DATA,
    RECOGNITION,
)


def register_due(
    handlers: DueHandlers,
    database: Database,
    notifier: Notifier,
    features: tuple[Feature, ...] = FEATURES,
) -> list[Routine]:
    """Register every feature's due-action handlers; the cron routines they add."""
    routines: list[Routine] = []
    for feature in features:
        routines.extend(feature.register(handlers, database, notifier))
    return routines
