"""robots_txt: each host's robots.txt, reused across runs for up to a day

Without it every crawl fetched robots.txt again and waited the per-host delay before the feed
itself, so a crawl of unchanged feeds (all 304) took over two seconds however fast the feeds were.

Revision ID: 0008_robots_cache
Revises: 0007_delivery_parts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_robots_cache"
down_revision = "0007_delivery_parts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "robots_txt",
        sa.Column("host", sa.String(), primary_key=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("robots_txt")
