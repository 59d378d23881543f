"""Matching: a program's population, match runs and proposals, the rules checked at start."""
