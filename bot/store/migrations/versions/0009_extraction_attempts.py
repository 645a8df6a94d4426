"""articles.extraction_attempts: failed page fetches, so transient failures are retried

A page that timed out or answered 5xx/429 used to be marked failed for good; now it stays
``pending`` and the next crawls try again, up to three attempts in all.

Revision ID: 0009_extraction_attempts
Revises: 0008_robots_cache
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_extraction_attempts"
down_revision = "0008_robots_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy on SQLite, which would drop the full-text triggers)
    op.add_column(
        "articles",
        sa.Column("extraction_attempts", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("articles", "extraction_attempts")
