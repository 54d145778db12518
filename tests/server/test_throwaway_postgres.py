from __future__ import annotations

import psycopg

from tests.server.throwaway_postgres import ThrowawayPostgres


def test_the_throwaway_server_is_a_real_postgresql(postgres: ThrowawayPostgres, server_db: str):
    with psycopg.connect(postgres.url(server_db)) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        conn.execute("CREATE TABLE probe (v text)")
        conn.execute("INSERT INTO probe VALUES ('written')")
        conn.commit()
    assert version is not None and int(version[0]) >= 140000
    assert b"written" in postgres.dump(server_db)
