"""The data model (first revision of DESIGN.md). Import from here."""

from storage.models.base import NAMING_CONVENTION, Base
from storage.models.channels import TeamChannel
from storage.models.console import ConsoleMessage
from storage.models.pairing import (
    AdminBlock,
    AdminPin,
    CheckIn,
    Feedback,
    Goal,
    MatchRun,
    Nudge,
    Pairing,
    Proposal,
)
from storage.models.people import (
    CareerStage,
    Organisation,
    Person,
    PlatformIdentity,
    Skill,
    SkillTranslation,
)
from storage.models.programs import (
    DEFAULT_MATCHING_WEIGHTS,
    AvailabilityWindow,
    Consent,
    Enrollment,
    Program,
    ProgramAdmin,
    ProgramText,
)
from storage.models.runtime import (
    AuditEvent,
    DeploymentValue,
    DialogState,
    DueAction,
    FormOption,
    InboundEvent,
    MessageRef,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)

__all__ = [
    "DEFAULT_MATCHING_WEIGHTS",
    "NAMING_CONVENTION",
    "AdminBlock",
    "AdminPin",
    "AuditEvent",
    "AvailabilityWindow",
    "Base",
    "CareerStage",
    "CheckIn",
    "Consent",
    "ConsoleMessage",
    "DeploymentValue",
    "DialogState",
    "DueAction",
    "Enrollment",
    "Feedback",
    "FormOption",
    "Goal",
    "InboundEvent",
    "MatchRun",
    "MessageRef",
    "Nudge",
    "Organisation",
    "Pairing",
    "Person",
    "PlatformIdentity",
    "Program",
    "ProgramAdmin",
    "ProgramText",
    "Proposal",
    "Skill",
    "SkillTranslation",
    "TeamChannel",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
]
