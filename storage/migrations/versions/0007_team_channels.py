"""team channels: the Teams channels the bot is in, with where to post in each (so that any
replica or a restarted process can announce a program there)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_channels",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=255), nullable=False),
        sa.Column("team_name", sa.String(length=255), nullable=True),
        sa.Column("channel_id", sa.String(length=255), nullable=False),
        sa.Column("channel_name", sa.String(length=255), nullable=True),
        sa.Column(
            "conversation_ref",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_channels")),
        sa.UniqueConstraint(
            "platform",
            "tenant_id",
            "channel_id",
            name=op.f("uq_team_channels_platform_tenant_id_channel_id"),
        ),
    )
    with op.batch_alter_table("team_channels", schema=None) as batch_op:
        batch_op.create_index(
            "ix_team_channels_team", ["platform", "tenant_id", "team_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("team_channels", schema=None) as batch_op:
        batch_op.drop_index("ix_team_channels_team")
    op.drop_table("team_channels")
