"""Feedback requests and answers, goal checks, tips, recognitions and stored files."""
