"""Alembic environment: runs on the connection `server.migrate` hands over (online mode only)."""

from __future__ import annotations

from alembic import context

from server.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds the table instead
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
