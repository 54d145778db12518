"""Alembic environment: always run with a live, keyed connection handed in by the vault."""

from __future__ import annotations

from alembic import context

from btam_desktop.domain import models

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=models.ALL_TABLES,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
