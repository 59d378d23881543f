"""Closing the loop: measure and evaluate.

- ``survey``: the 30-second survey after a held session (rating, chips, a comment).
- ``pulse``: the monthly private pulse (junior mentors, and leaders in their own words).
- ``goals``: goals' mid-point and closing checks, skill tips, the ``goals`` command.
- ``closing``: the closing review (NPS, what changed, skills now and looking back, a
  testimonial quoted only with consent).

A person's answers are theirs: the other side of the pair never sees them; admins see them
only as the reports allow (a pulse: only admins outside the junior's management chain).
"""
