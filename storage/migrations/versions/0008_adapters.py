"""form options: the long option lists of the forms on screen (Slack's searchable selects),
so that the options request finds them at any replica

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_options",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("form_key", sa.String(length=255), nullable=False),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_options")),
        sa.UniqueConstraint("form_key", name=op.f("uq_form_options_form_key")),
    )
    with op.batch_alter_table("form_options", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_form_options_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("form_options", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_options_expires_at"))
    op.drop_table("form_options")
