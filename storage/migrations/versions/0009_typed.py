"""due actions may wait: a message to the program team that nobody can read yet is kept,
waiting for an admin, instead of failing

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("due_actions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_due_actions_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('pending', 'running', 'done', 'parked', 'waiting')"
        )


def downgrade() -> None:
    op.execute("UPDATE due_actions SET status = 'pending' WHERE status = 'waiting'")
    with op.batch_alter_table("due_actions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_due_actions_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('pending', 'running', 'done', 'parked')"
        )
