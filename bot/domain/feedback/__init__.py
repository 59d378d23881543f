"""The program's rules for feedback, pulses, goals and the closing review: pure, no database.

Who is asked what and when, when a request expires, who may read a pulse, what a goal's
status is; ``dialogs/feedback`` puts them into words and ``storage/feedback`` keeps them.
"""
