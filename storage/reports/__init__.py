"""What a program's report is computed from, read from the tables (``facts``)."""
