"""The cost of encryption: one workload on SQLCipher keyed like the vault, on the same SQLCipher
build without a key (the fair baseline: the wheel's SQLite is not the ``sqlite3`` module's), on
plain ``sqlite3``, and on variants that show where the cost comes from (cache size, the HMAC),
all with the vault's pragmas (WAL, synchronous=FULL, temp_store=MEMORY, foreign_keys).

Workload: 20,000 inserts of case-like rows in transactions of 100, 2,000 point reads by id,
20 range scans on an indexed date, and 5 full scans with LIKE over the text. The variants run
interleaved, --rounds times, and each figure is the median (a busy machine skews them alike).

    .venv/bin/python bench/bench_sqlcipher_vs_sqlite.py [--rows 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlcipher3

from btam_desktop.store.engine import CACHE_KIB, KeyHolder, connect_raw

PRAGMAS = (
    "PRAGMA temp_store = MEMORY",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
)
SCHEMA = (
    "CREATE TABLE case_file (id INTEGER PRIMARY KEY, number TEXT UNIQUE, title TEXT, "
    "site TEXT, status TEXT, opened_at TEXT, narrative TEXT)",
    "CREATE INDEX ix_case_opened ON case_file (opened_at)",
    "CREATE INDEX ix_case_site ON case_file (site)",
)
WORDS = [
    "student",
    "said",
    "threat",
    "hallway",
    "counselor",
    "parent",
    "teacher",
    "weapon",
    "bus",
    "lunch",
    "online",
    "post",
    "friend",
    "angry",
    "grades",
    "suspended",
    "worried",
    "report",
    "followed",
]


def sqlcipher_connection(path: Path) -> Any:
    return connect_raw(path, KeyHolder(os.urandom(32)))  # the vault's own connection code


def sqlite_connection(path: Path) -> Any:
    conn = sqlite3.connect(str(path), isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def unkeyed_sqlcipher_connection(path: Path) -> Any:
    """The same SQLite build as the vault's (sqlcipher3's), with no key: no encryption."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def with_pragmas(connect: Callable[[Path], Any], *pragmas: str) -> Callable[[Path], Any]:
    def connect_with(path: Path) -> Any:
        conn = connect(path)
        for pragma in pragmas:
            conn.execute(pragma)
        return conn

    return connect_with


def keyed_without_hmac(path: Path) -> Any:
    """Encryption without the per-page HMAC (never for the vault: pages could be altered)."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(KeyHolder(os.urandom(32)).pragma())
    conn.execute("PRAGMA cipher_use_hmac = OFF")
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


VAULT_CACHE = f"PRAGMA cache_size = -{CACHE_KIB}"
DEFAULT_CACHE = "PRAGMA cache_size = -8000"  # SQLite's default, 8 MB

VARIANTS: dict[str, Callable[[Path], Any]] = {
    "vault (SQLCipher)": sqlcipher_connection,
    "same build, no key": with_pragmas(unkeyed_sqlcipher_connection, VAULT_CACHE),
    "sqlite3 module": with_pragmas(sqlite_connection, VAULT_CACHE),
    "vault, 8 MB cache": with_pragmas(sqlcipher_connection, DEFAULT_CACHE),
    "no key, 8 MB cache": unkeyed_sqlcipher_connection,
    "key, no HMAC": with_pragmas(keyed_without_hmac, VAULT_CACHE),
}
BASELINE = "same build, no key"


def workload(conn: Any, rows: int, rng: random.Random) -> dict[str, float]:
    for statement in SCHEMA:
        conn.execute(statement)
    times: dict[str, float] = {}

    start = time.perf_counter()
    for first in range(0, rows, 100):
        conn.execute("BEGIN IMMEDIATE")
        for n in range(first, min(first + 100, rows)):
            conn.execute(
                "INSERT INTO case_file (number, title, site, status, opened_at, narrative) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    f"2026-{n:05d}",
                    " ".join(rng.choices(WORDS, k=5)),
                    f"site {n % 40}",
                    rng.choice(("intake", "screening", "assessment", "closed")),
                    f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00",
                    " ".join(rng.choices(WORDS, k=80)),
                ),
            )
        conn.execute("COMMIT")
    times[f"{rows} inserts, {rows // 100} transactions"] = time.perf_counter() - start

    ids = [rng.randint(1, rows) for _ in range(2000)]
    start = time.perf_counter()
    for row_id in ids:
        conn.execute("SELECT * FROM case_file WHERE id = ?", (row_id,)).fetchone()
    times["2000 point reads"] = time.perf_counter() - start

    start = time.perf_counter()
    for month in range(1, 21):
        m = 1 + month % 12
        conn.execute(
            "SELECT id, title FROM case_file WHERE opened_at BETWEEN ? AND ? ORDER BY opened_at",
            (f"2026-{m:02d}-01", f"2026-{m:02d}-15"),
        ).fetchall()
    times["20 indexed range scans"] = time.perf_counter() - start

    start = time.perf_counter()
    for word in WORDS[:5]:
        conn.execute(
            "SELECT count(*) FROM case_file WHERE narrative LIKE ?", (f"%{word} {word}%",)
        ).fetchone()
    times["5 full scans (LIKE)"] = time.perf_counter() - start
    return times


def run(connect: Callable[[Path], Any], rows: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        conn = connect(path)
        try:
            times = workload(conn, rows, random.Random(seed))
        finally:
            conn.close()
    times["total"] = sum(times.values())
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    samples: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    for round_number in range(args.rounds):
        for name, connect in VARIANTS.items():
            samples[name].append(run(connect, args.rows, args.seed))
        print(f"round {round_number + 1} of {args.rounds} done", flush=True)
    medians = {
        name: {step: statistics.median(r[step] for r in runs) for step in runs[0]}
        for name, runs in samples.items()
    }
    steps = list(medians[BASELINE])
    print(f"\nseconds (median of {args.rounds}), and the ratio to '{BASELINE}'")
    print(f"{'variant':<24}" + "".join(f"{step[:18]:>22}" for step in steps))
    for name, times in medians.items():
        cells = "".join(
            f"{times[step]:>12.3f}s {times[step] / medians[BASELINE][step]:>6.2f}x"
            for step in steps
        )
        print(f"{name:<24}{cells}")


if __name__ == "__main__":
    main()
