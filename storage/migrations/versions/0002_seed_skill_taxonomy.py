"""Seed the bilingual skills taxonomy from the program's needs (DESIGN.md, step 1).

The rows are data, editable by admins later; the list is frozen here so that this
revision always inserts the same thing.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# key, category, French name, English name
SKILLS: list[tuple[str, str, str, str]] = [
    ("social_media", "digital", "Réseaux sociaux", "Social media"),
    ("seo", "digital", "Référencement naturel (SEO)", "Search engine optimisation (SEO)"),
    ("web_analytics", "digital", "Web analytics", "Web analytics"),
    ("social_ads", "digital", "Publicité sur les réseaux sociaux", "Social media advertising"),
    ("e_reputation", "digital", "E-réputation", "Online reputation"),
    ("marketing_automation", "digital", "Marketing automation", "Marketing automation"),
    ("collaboration_tools", "digital", "Outils collaboratifs", "Collaboration tools"),
    ("remote_work", "digital", "Travail à distance", "Remote work"),
    (
        "data_analysis",
        "digital",
        "Analyse et visualisation de données",
        "Data analysis and visualisation",
    ),
    ("generative_ai", "digital", "Outils d'IA générative", "Generative AI tools"),
    (
        "design_thinking",
        "digital",
        "Design thinking et prototypage",
        "Design thinking and prototyping",
    ),
    ("digital_culture", "digital", "Culture numérique", "Digital culture"),
    (
        "younger_generations",
        "culture",
        "Comprendre les jeunes générations",
        "Understanding younger generations",
    ),
    ("sustainability", "culture", "Attentes en matière de RSE", "Sustainability expectations"),
    # What leaders offer back: learning runs both ways.
    ("leadership", "offer_back", "Leadership", "Leadership"),
    ("strategy", "offer_back", "Stratégie", "Strategy"),
    ("network", "offer_back", "Réseau", "Network"),
    ("career_advice", "offer_back", "Conseils de carrière", "Career advice"),
]

skills = sa.table(
    "skills",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("category", sa.String),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
translations = sa.table(
    "skill_translations",
    sa.column("skill_id", sa.Integer),
    sa.column("locale", sa.String),
    sa.column("name", sa.String),
)


def upgrade() -> None:
    now = datetime.now(UTC)
    bind = op.get_bind()
    for key, category, name_fr, name_en in SKILLS:
        skill_id = bind.execute(
            sa.insert(skills)
            .values(key=key, category=category, created_at=now, updated_at=now)
            .returning(skills.c.id)
        ).scalar_one()
        op.bulk_insert(
            translations,
            [
                {"skill_id": skill_id, "locale": "fr", "name": name_fr},
                {"skill_id": skill_id, "locale": "en", "name": name_en},
            ],
        )


def downgrade() -> None:
    keys = [key for key, *_ in SKILLS]
    bind = op.get_bind()
    ids = sa.select(skills.c.id).where(skills.c.key.in_(keys))
    bind.execute(sa.delete(translations).where(translations.c.skill_id.in_(ids)))
    bind.execute(sa.delete(skills).where(skills.c.key.in_(keys)))
