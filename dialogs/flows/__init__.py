"""Every flow of the conversation, by name."""

from dialogs.flows.base import Flow
from dialogs.flows.language import LANGUAGE_FLOW
from dialogs.flows.profile import PROFILE_FLOW

FLOWS: dict[str, Flow] = {flow.name: flow for flow in (LANGUAGE_FLOW, PROFILE_FLOW)}
