"""Server-wide values, starting with the feed epoch that every cursor carries (see `server.epoch`).

Revision ID: 0002_feed_epoch
Revises: 0001_initial
Create Date: 2026-11-30
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002_feed_epoch"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `server_meta` with a first epoch."""
    table = op.create_table(
        "server_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_server_meta"),
    )
    op.bulk_insert(table, [{"key": "epoch", "value": secrets.token_hex(8)}])


def downgrade() -> None:
    """Drop `server_meta`."""
    op.drop_table("server_meta")
