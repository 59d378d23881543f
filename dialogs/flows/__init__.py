"""Flows are explicit state machines; features (dialogs/features/) say which ones exist."""
