"""Proposal answers and their timing: when a proposal was sent, reminded and answered, and
the private reason of a decline (never shown to the other side).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("declined_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("decline_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trigger", sa.String(length=16), nullable=False, server_default="admin")
        )
        batch_op.add_column(sa.Column("sent_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
        batch_op.drop_column("trigger")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("decline_reason")
        batch_op.drop_column("declined_by")
        batch_op.drop_column("answered_at")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("sent_at")
