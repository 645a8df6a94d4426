"""stories.headline_centroid: the mean headline-only vector of a story's articles

Headline evidence (``bot.pipeline.cluster``) compares a new article's headline with each recent
story's mean headline vector. It was recomputed from the stories' articles on every run, a cost
that grew with the size of the tables; now it is stored with the story when the story is
refreshed (NULL until then: computed once from the articles; ``b""``: none has a headline vector).

Revision ID: 0011_story_headline_centroid
Revises: 0010_fts_queue
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_story_headline_centroid"
down_revision = "0010_fts_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("headline_centroid", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("stories", "headline_centroid")
