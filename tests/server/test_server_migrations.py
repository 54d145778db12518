"""The Alembic migrations build the models' schema on PostgreSQL too, plus the server's own
additions (sealed columns as text, key slots, blind index, list indexes) and nothing else."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from btam_desktop.domain import models
from btam_desktop.store import migrate
from btam_desktop.store.server.sealing import SEALED_COLUMNS
from tests.server.throwaway_postgres import ThrowawayPostgres

SERVER_TABLES = {"server_keys", "blind_index"}


def test_migrations_on_postgresql_match_the_models_but_for_the_servers_additions(
    postgres: ThrowawayPostgres, server_db: str
) -> None:
    engine = create_engine(postgres.url(server_db).replace("://", "+psycopg://", 1))
    sealed = {(str(cls.__tablename__), c) for cls, cols in SEALED_COLUMNS.items() for c in cols}
    try:
        with engine.begin() as conn:
            command.upgrade(migrate._config(conn), "head")
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, models.ALL_TABLES)
    finally:
        engine.dispose()
    unexpected, additions = [], set()
    for diff in differences:
        entry = diff[0] if isinstance(diff, list) else diff
        kind = entry[0]
        if kind in ("add_table", "remove_table") and entry[1].name in SERVER_TABLES:
            additions.add(entry[1].name)
        elif kind in ("add_index", "remove_index") and (entry[1].name or "").startswith(
            ("ix_case_list_", "ix_blind_index_")
        ):
            additions.add("list and search indexes")
        elif kind == "modify_type" and (entry[2], entry[3]) in sealed:
            additions.add("sealed columns as text")  # longer than the plain text's limit
        else:
            unexpected.append(diff)
    assert unexpected == []
    assert additions == SERVER_TABLES | {"list and search indexes", "sealed columns as text"}
