"""Alembic environment: always run with a live, keyed connection handed in by the vault."""

from __future__ import annotations

from alembic import context

from btam_desktop.domain import models

connection = context.config.attributes["connection"]


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # The FTS5 index and its shadow tables are managed by store/search.py, not by autogenerate.
    return not (type_ == "table" and name is not None and name.startswith("search_index"))


context.configure(
    connection=connection,
    target_metadata=models.ALL_TABLES,
    render_as_batch=True,
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
