"""The cost of encryption: one workload on SQLCipher (keyed like the vault, same pragmas) and on
plain sqlite3 with the same pragmas (WAL, synchronous=FULL, temp_store=MEMORY, foreign_keys).

Workload: 20,000 inserts of case-like rows in transactions of 100, 2,000 point reads by id,
20 range scans on an indexed date, and 5 full scans with LIKE over the text.

    .venv/bin/python bench/bench_sqlcipher_vs_sqlite.py [--rows 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.store.engine import KeyHolder, connect_raw

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


def run(name: str, connect: Callable[[Path], Any], rows: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        conn = connect(path)
        try:
            times = workload(conn, rows, random.Random(seed))
        finally:
            conn.close()
    times["total"] = sum(times.values())
    print(f"{name}: done", flush=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    cipher = run("SQLCipher", sqlcipher_connection, args.rows, args.seed)
    plain = run("sqlite3", sqlite_connection, args.rows, args.seed)
    print(f"{'step':<34}{'SQLCipher':>11}{'sqlite3':>11}{'ratio':>8}")
    for step, seconds in cipher.items():
        other = plain[step]
        print(f"{step:<34}{seconds:>10.3f}s{other:>10.3f}s{seconds / other:>7.2f}x")


if __name__ == "__main__":
    main()
