"""deliveries.parts_sent: how many messages of a multi-part delivery went out

A Slack digest is a head message plus thread replies; after a failure half-way, the next
`briefing digest send` resumes at ``parts_sent`` in the same thread instead of posting again.

Revision ID: 0007_delivery_parts
Revises: 0006_archive_fts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_delivery_parts"
down_revision = "0006_archive_fts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("parts_sent")
