"""Enrollment: join, consent to the charter and privacy notice, approvals, invitations."""
