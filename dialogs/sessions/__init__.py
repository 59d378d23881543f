"""Sessions of a pair: scheduling, the series and its reminders, nudges, calendar feeds.

- ``scheduling``: the first session's slots card: pick, confirm, other slots, a typed time,
  "we'll organise it ourselves"; an assistant may act for a leader.
- ``lifecycle``: what follows a confirmed session: reminders, "did it happen?", the next
  session at the pair's cadence; reschedule, skip, cancel; pause, leave and forget cancel.
- ``nudges``: respectful nudges, weekly digests, at-risk alerts, ``admin sessions``.
- ``calendar``: each person's private feed and a confirmed session's calendar links.
"""
