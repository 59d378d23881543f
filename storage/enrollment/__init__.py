"""Enrollments: joining a program, taking part (pause, leave), where a person stands."""
