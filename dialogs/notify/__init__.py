"""Reaching people: the notifier, delivery through chat channels, the presenter registry."""
