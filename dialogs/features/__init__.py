"""Every feature of the conversation. Add a module's Feature here to make it reachable."""

from dialogs.features.announce import ANNOUNCE
from dialogs.features.base import Feature
from dialogs.features.basics import BASICS
from dialogs.features.career_stages import CAREER_STAGES
from dialogs.features.enrollment import ENROLLMENT
from dialogs.features.matching import MATCHING
from dialogs.features.pairing import PAIRING
from dialogs.features.participation import PARTICIPATION
from dialogs.features.programs import PROGRAMS

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
