"""Recognition of mentors: thanks, certificates, and (with consent) a shout-out and a
note to the manager."""
