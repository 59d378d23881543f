"""What people answer after sessions and at the close, and what the program gives back.

- ``FeedbackRequest``: one question asked of one person (a session's survey, the monthly
  pulse, the mid-point and closing reviews): when asked, reminded, expired, answered. Its
  ``key`` is the idempotency of the asking (``session:<check-in>:<person>``, ``pulse:
  <pairing>:<person>:<YYYY-MM>``, ``midpoint:<pairing>:<person>``, ``closing:<pairing>:
  <person>``); answering twice changes the one ``Feedback`` row of the request.
- ``GoalCheck``: a goal's status as someone saw it at a mid-point, the close, or any time.
- ``Tip``: the bilingual "try it this week" catalogue, per skill, editable by admins.
- ``Recognition``: a thank-you, a certificate, a shout-out or a note to a manager, and where
  it was posted (so that ``forget me`` can delete it from its channel).
- ``StoredFile``: a file the bot made (a chart, a certificate, a person's export), served
  from ``GET /files/{token}`` and uploaded to Slack; removed when its owner is forgotten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Timestamped
from storage.types import JSONType, PersonId, UTCDateTime, utcnow


class FeedbackRequest(Base):
    __tablename__ = "feedback_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('session', 'pulse', 'midpoint', 'closing')", name="kind"),
        CheckConstraint("status IN ('open', 'answered', 'expired', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    pairing_id: Mapped[int] = mapped_column(
        ForeignKey("pairings.id", ondelete="CASCADE"), index=True
    )
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id", ondelete="CASCADE"))
    person_id: Mapped[str] = mapped_column(PersonId, index=True)  # who is asked
    role: Mapped[str] = mapped_column(String(8))  # mentor | mentee: which words they get
    status: Mapped[str] = mapped_column(String(16), default="open")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # at most once
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GoalCheck(Base):
    __tablename__ = "goal_checks"
    __table_args__ = (
        CheckConstraint("stage IN ('midpoint', 'closing', 'update')", name="stage"),
        CheckConstraint("status IN ('on_track', 'stuck', 'done')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(PersonId)  # who checked it (either of the pair)
    stage: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tip(Timestamped, Base):
    __tablename__ = "tips"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    skill_key: Mapped[str] = mapped_column(String(64), index=True)
    text_fr: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(PersonId)  # None: the seeded catalogue


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[str | None] = mapped_column(PersonId, index=True)  # whose file, if anyone's
    purpose: Mapped[str] = mapped_column(String(32))  # chart | certificate | my_data | ...
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where it was uploaded on Slack (files_upload_v2), so that forgetting deletes it there.
    slack_team_id: Mapped[str | None] = mapped_column(String(32))
    slack_file_id: Mapped[str | None] = mapped_column(String(32))


class Recognition(Base):
    __tablename__ = "recognitions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('thanks', 'certificate', 'shout_out', 'manager_note')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairings.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    from_id: Mapped[str | None] = mapped_column(PersonId, index=True)  # who thanks (None: bot)
    to_id: Mapped[str] = mapped_column(PersonId, index=True)  # the mentor recognised
    text: Mapped[str | None] = mapped_column(Text)  # what the thanking person wrote
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    # Where a shout-out or note was posted: {"platform", "channel", "ts" | "activity_id", ...}
    posted: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the mentor's yes
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
