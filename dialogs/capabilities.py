"""Every feature of the conversation. Add a module's Feature here to make it reachable."""

from dialogs.basics.feature import BASICS
from dialogs.core.feature import Feature
from dialogs.enrollment.feature import ENROLLMENT
from dialogs.matching.admin import MATCHING
from dialogs.matching.pairing import PAIRING
from dialogs.participation.feature import PARTICIPATION
from dialogs.programs.announce import ANNOUNCE
from dialogs.programs.feature import PROGRAMS
from dialogs.programs.stages import CAREER_STAGES

FEATURES: tuple[Feature, ...] = (
    BASICS,
    PARTICIPATION,
    ENROLLMENT,
    PROGRAMS,
    ANNOUNCE,
    MATCHING,
    PAIRING,
    CAREER_STAGES,
)
