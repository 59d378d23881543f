"""Basics: help, language, profile."""
