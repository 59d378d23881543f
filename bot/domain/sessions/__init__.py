"""The rules of a pair's sessions, with no chat types in them (dialogs/sessions speaks).

- ``settings``: a program's sessions, reminders and nudges settings, with their defaults.
- ``slots``: which times to offer a pair for a session (both availabilities, time zones).
- ``series``: a pair's sessions as a clock rule (wall time + zone), cadence, clock changes.
- ``reminders``: when each reminder goes, around quiet hours, merged when they would meet.
- ``nudges``: the nudge policy (``NudgePolicy``): who is nudged, when, and when the
  program team is alerted instead.
"""
