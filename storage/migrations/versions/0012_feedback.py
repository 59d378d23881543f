"""feedback: requests asked of each person, answers extended (chips, comment, pulse, NPS,
closing review, testimonial consent), goal checks, the tips catalogue, recognitions, stored
files, and a retention period per program

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import JSONType, PersonId, UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('session', 'midpoint', 'closing')"
NEW_KINDS = "kind IN ('session', 'midpoint', 'closing', 'pulse')"


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", PersonId, nullable=True),
        sa.Column("purpose", PersonId, nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("slack_team_id", PersonId, nullable=True),
        sa.Column("slack_file_id", PersonId, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
    )
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_files_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "tips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skill_key", sa.String(length=64), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", PersonId, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips")),
    )
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tips_skill_key"), ["skill_key"], unique=False)

    op.create_table(
        "recognitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_id", PersonId, nullable=True),
        sa.Column("to_id", PersonId, nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("posted", JSONType, nullable=False),
        sa.Column("consent_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('thanks', 'certificate', 'shout_out', 'manager_note')",
            name=op.f("ck_recognitions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_files.id"],
            name=op.f("fk_recognitions_file_id_stored_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["pairings.id"],
            name=op.f("fk_recognitions_pairing_id_pairings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognitions")),
    )
    with op.batch_alter_table("recognitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recognitions_from_id"), ["from_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recognitions_pairing_id"), ["pairing_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recognitions_to_id"), ["to_id"], unique=False)

    op.create_table(
        "feedback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=True),
        sa.Column("person_id", PersonId, nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('session', 'pulse', 'midpoint', 'closing')",
            name=op.f("ck_feedback_requests_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'expired', 'cancelled')",
            name=op.f("ck_feedback_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["check_ins.id"],
            name=op.f("fk_feedback_requests_check_in_id_check_ins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["pairings.id"],
            name=op.f("fk_feedback_requests_pairing_id_pairings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_requests")),
        sa.UniqueConstraint("key", name=op.f("uq_feedback_requests_key")),
    )
    with op.batch_alter_table("feedback_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_requests_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_requests_pairing_id"), ["pairing_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_requests_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "goal_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", PersonId, nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "stage IN ('midpoint', 'closing', 'update')", name=op.f("ck_goal_checks_stage")
        ),
        sa.CheckConstraint(
            "status IN ('on_track', 'stuck', 'done')", name=op.f("ck_goal_checks_status")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_goal_checks_goal_id_goals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_checks")),
    )
    with op.batch_alter_table("goal_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_checks_goal_id"), ["goal_id"], unique=False)

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("skills", JSONType, nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("pulse", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("retrospective", JSONType, nullable=False, server_default="{}")
        )
        batch_op.add_column(sa.Column("nps", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("changed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("testimonial", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("quote_consent_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("quote_withdrawn_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_feedback_request_id"), ["request_id"])
        batch_op.drop_constraint(op.f("ck_feedback_kind"), type_="check")
        batch_op.create_check_constraint("kind", NEW_KINDS)
        batch_op.create_check_constraint("nps", "nps IS NULL OR nps BETWEEN 0 AND 10")
        batch_op.create_check_constraint(
            "pulse", "pulse IS NULL OR pulse IN ('fine', 'concern', 'talk')"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_request_id_feedback_requests"),
            "feedback_requests",
            ["request_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retention_months", sa.Integer(), server_default="12", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("retention_months")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_feedback_request_id_feedback_requests"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_feedback_request_id"), type_="unique")
        batch_op.drop_constraint(op.f("ck_feedback_pulse"), type_="check")
        batch_op.drop_constraint(op.f("ck_feedback_nps"), type_="check")
        batch_op.drop_constraint(op.f("ck_feedback_kind"), type_="check")
        batch_op.create_check_constraint("kind", OLD_KINDS)
        batch_op.drop_column("updated_at")
        batch_op.drop_column("quote_withdrawn_at")
        batch_op.drop_column("quote_consent_at")
        batch_op.drop_column("testimonial")
        batch_op.drop_column("changed")
        batch_op.drop_column("nps")
        batch_op.drop_column("retrospective")
        batch_op.drop_column("pulse")
        batch_op.drop_column("comment")
        batch_op.drop_column("skills")
        batch_op.drop_column("role")
        batch_op.drop_column("request_id")

    with op.batch_alter_table("goal_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_checks_goal_id"))

    op.drop_table("goal_checks")
    with op.batch_alter_table("feedback_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_requests_person_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_requests_pairing_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_requests_expires_at"))

    op.drop_table("feedback_requests")
    with op.batch_alter_table("recognitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognitions_to_id"))
        batch_op.drop_index(batch_op.f("ix_recognitions_pairing_id"))
        batch_op.drop_index(batch_op.f("ix_recognitions_from_id"))

    op.drop_table("recognitions")
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tips_skill_key"))

    op.drop_table("tips")
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_owner_id"))

    op.drop_table("stored_files")
