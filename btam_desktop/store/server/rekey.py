"""Re-encrypting a team server's content under a new data key (a member was removed)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from btam_desktop.store.server import blind_index
from btam_desktop.store.server.sealing import SEALED_COLUMNS, Sealer

BATCH = 500


def _count_rows(conn: Connection) -> int:
    from sqlalchemy import func

    total = 0
    for cls in SEALED_COLUMNS:
        table = SQLModel.metadata.tables[str(cls.__tablename__)]
        total += int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    return total


def reseal_all(
    conn: Connection,
    old: Sealer,
    new: Sealer,
    report: Callable[[int, int, str], None],
) -> None:
    """Open every sealed value with ``old`` and seal it with ``new``; rebuild the blind index.
    Runs in the caller's transaction, so it all happens or none of it."""
    # Completed assessments are final on the server except for this (migration 0012).
    conn.exec_driver_sql("SET LOCAL btam.resealing = 'on'")
    total = _count_rows(conn) + 1
    done = 0
    report(done, total, "Re-encrypting the team's records")
    for cls, columns in SEALED_COLUMNS.items():
        table = SQLModel.metadata.tables[str(cls.__tablename__)]
        keys = list(table.primary_key.columns)
        wanted = [*keys, *(table.c[c] for c in columns)]
        last: tuple[object, ...] | None = None
        while True:
            stmt = select(*wanted).order_by(*keys).limit(BATCH)
            if last is not None:
                from sqlalchemy import tuple_

                stmt = stmt.where(tuple_(*keys) > tuple_(*last))
            rows = conn.execute(stmt).all()
            if not rows:
                break
            changes = []
            for row in rows:
                ids = tuple(row[: len(keys)])
                row_key = "/".join(str(part) for part in ids)
                values: dict[str, object] = {
                    f"k_{k.name}": v for k, v in zip(keys, ids, strict=True)
                }
                for offset, column in enumerate(columns):
                    stored = row[len(keys) + offset]
                    plain = old.open_value(table.name, column, stored, row_key)
                    values[f"v_{column}"] = (
                        None if stored is None else new.seal_value(cls, column, row_key, plain)
                    )
                changes.append(values)
                last = ids
            conn.execute(
                update(table)
                .where(*(k == bindparam(f"k_{k.name}") for k in keys))
                .values({c: bindparam(f"v_{c}") for c in columns}),
                changes,
            )
            done += len(rows)
            report(done, total, "Re-encrypting the team's records")
    report(done, total, "Rebuilding the search index")
    rebuild(conn, new)
    report(total, total, "Done")


def rebuild(conn: Connection, sealer: Sealer) -> None:
    """Re-index every searchable record from its (opened) text."""
    from sqlmodel import Session

    from btam_desktop.store import search
    from btam_desktop.store.server.sealing import attach

    conn.execute(blind_index.blind_index.delete())
    session = Session(bind=conn)
    attach(session, sealer)
    try:
        for cls in search.INDEXERS:
            for obj in session.execute(select(cls)).scalars():
                blind_index.index_record(conn, sealer, obj)
    finally:
        session.close()
