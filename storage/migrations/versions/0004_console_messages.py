"""console messages: the local web console's persisted conversations

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("author IN ('bot', 'person')", name=op.f("ck_console_messages_author")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_console_messages_message_id")),
    )
    with op.batch_alter_table("console_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_console_messages_person_updated", ["person_id", "updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("console_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_console_messages_person_updated")
    op.drop_table("console_messages")
