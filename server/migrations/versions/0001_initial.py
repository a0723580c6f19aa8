"""Accounts, devices, the encrypted change feed and answered push batches.

Revision ID: 0001_initial
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the first schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("key_salt", sa.LargeBinary(32), nullable=False),
        sa.Column("key_envelope", sa.Text(), nullable=True),
        sa.Column("key_envelope_version", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_devices"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_devices_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name="uq_devices_token_hash"),
    )
    op.create_index("ix_devices_user_id", "devices", ["user_id"])
    op.create_table(
        "records",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("hlc", sa.String(96), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "record_id", name="pk_records"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_records_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_records_user_seq", "records", ["user_id", "seq"], unique=True)
    op.create_table(
        "push_batches",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "batch_id", name="pk_push_batches"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_push_batches_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_push_batches_created_at", "push_batches", ["created_at"])


def downgrade() -> None:
    """Drop everything (loses all synced data)."""
    op.drop_table("push_batches")
    op.drop_table("records")
    op.drop_table("devices")
    op.drop_table("users")
