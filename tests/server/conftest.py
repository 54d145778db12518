"""A throwaway PostgreSQL for the whole test session (one per test worker)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.throwaway_postgres import ThrowawayPostgres


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres.start(tmp_path_factory.mktemp("postgres"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_db(postgres: ThrowawayPostgres) -> str:
    """A new empty database on the throwaway server; returns its name."""
    return postgres.fresh_database()
