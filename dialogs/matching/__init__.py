"""Matching: admin match, proposals and their answers, rounds, jobs, cards, report, reasons."""
