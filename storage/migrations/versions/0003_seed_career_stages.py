"""Seed a default ladder of career stages (DESIGN.md: an ordered, admin-defined list).

Matching reads the order (rank 1 = earliest career stage) to pair in reverse career order;
admins may rename, add or reorder stages later. The list is frozen here so that this
revision always inserts the same thing.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# key, rank, French label, English label
CAREER_STAGES: list[tuple[str, int, str, str]] = [
    ("apprentice", 1, "Alternant·e ou stagiaire", "Apprentice or intern"),
    ("junior", 2, "Junior (moins de 2 ans)", "Junior (under 2 years)"),
    ("confirmed", 3, "Confirmé·e (2 à 5 ans)", "Confirmed (2–5 years)"),
    ("senior", 4, "Senior (plus de 5 ans)", "Senior (over 5 years)"),
    ("manager", 5, "Manager", "Manager"),
    ("director", 6, "Directeur·rice", "Director"),
    ("executive", 7, "Dirigeant·e (comité de direction)", "Executive (leadership team)"),
]

career_stages = sa.table(
    "career_stages",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("rank", sa.Integer),
    sa.column("label_fr", sa.String),
    sa.column("label_en", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(
        career_stages,
        [
            {"key": key, "rank": rank, "label_fr": label_fr, "label_en": label_en}
            for key, rank, label_fr, label_en in CAREER_STAGES
        ],
    )


def downgrade() -> None:
    keys = [key for key, *_ in CAREER_STAGES]
    bind = op.get_bind()
    # People keep their row; only the link to a stage this revision created goes.
    persons = sa.table("persons", sa.column("career_stage_id", sa.Integer))
    ids = sa.select(career_stages.c.id).where(career_stages.c.key.in_(keys))
    bind.execute(
        sa.update(persons).where(persons.c.career_stage_id.in_(ids)).values(career_stage_id=None)
    )
    bind.execute(sa.delete(career_stages).where(career_stages.c.key.in_(keys)))
