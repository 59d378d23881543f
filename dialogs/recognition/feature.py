"""The recognition feature: thanks from mentees, certificates, and (with consent) a public
shout-out and a note to the manager; ``admin recognition`` for the program team."""

from __future__ import annotations

from dialogs.core.feature import Feature
from dialogs.recognition.admin import recognition_command
from dialogs.recognition.cards import CONSENT_ACTION, THANK_ACTION
from dialogs.recognition.closing import DUE, answer_consent
from dialogs.recognition.thanks import THANKS_FLOW, thank

RECOGNITION = Feature(
    name="recognition",
    flows=(THANKS_FLOW,),
    commands={"thanks": thank, "admin recognition": recognition_command},
    actions={THANK_ACTION: thank, CONSENT_ACTION: answer_consent},
    due=DUE,
)
