"""sessions: check-ins carry proposed slots, the series' clock rule and the answers to
"did it happen?"; pairings their own cadence; nudges are recorded; programs keep their
sessions settings

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import JSONType, PersonId, UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('planned', 'held', 'missed', 'skipped', 'rescheduled')"
NEW_STATUSES = (
    "status IN ('proposed', 'planned', 'held', 'missed', 'skipped', 'rescheduled',"
    " 'cancelled', 'disputed')"
)


def upgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_check_ins_status"), type_="check")
        batch_op.create_check_constraint("status", NEW_STATUSES)
        batch_op.add_column(sa.Column("ordinal", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("slots", JSONType, nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("picked_by", PersonId, nullable=True))
        batch_op.add_column(sa.Column("confirmed_by", PersonId, nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("zone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("local_start", sa.Time(), nullable=True))
        batch_op.add_column(
            sa.Column("self_organised", sa.Boolean(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("answers", JSONType, nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by", PersonId, nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_check_ins_replaces_id_check_ins"), "check_ins", ["replaces_id"], ["id"]
        )
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cadence", sa.String(length=16), nullable=True))
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_settings", JSONType, nullable=False, server_default="{}")
        )
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("person_id", PersonId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("snoozed_until", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "answer IS NULL OR answer IN ('snoozed', 'fine', 'acted')",
            name=op.f("ck_nudges_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["pairings.id"],
            name=op.f("fk_nudges_pairing_id_pairings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    op.create_index(op.f("ix_nudges_pairing_id"), "nudges", ["pairing_id"], unique=False)
    op.create_index(op.f("ix_nudges_person_id"), "nudges", ["person_id"], unique=False)
    op.create_index(op.f("ix_nudges_sent_at"), "nudges", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_table("nudges")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("session_settings")
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.drop_column("cadence")
    op.execute("UPDATE check_ins SET status = 'planned' WHERE status = 'proposed'")
    op.execute("UPDATE check_ins SET status = 'skipped' WHERE status = 'cancelled'")
    op.execute("UPDATE check_ins SET status = 'held' WHERE status = 'disputed'")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_check_ins_replaces_id_check_ins"), type_="foreignkey")
        for column in (
            "cancelled_by",
            "replaces_id",
            "answers",
            "self_organised",
            "local_start",
            "zone",
            "confirmed_at",
            "confirmed_by",
            "picked_by",
            "slots",
            "ordinal",
        ):
            batch_op.drop_column(column)
        batch_op.drop_constraint(op.f("ck_check_ins_status"), type_="check")
        batch_op.create_check_constraint("status", OLD_STATUSES)
