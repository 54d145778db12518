"""The cost of encryption, and where it comes from.

One case-like table is built in each variant (inserts in transactions of 100, the vault's
pragmas: WAL, synchronous=FULL, temp_store=MEMORY, foreign_keys), then each kind of query the
case list runs is timed on a FRESH connection, so its page cache starts empty and every page
it touches is read from the file (the OS cache is warm) and, when keyed, decrypted and
HMAC-checked once. That is what a pooled connection pays the first time, and every time on a
vault larger than its page cache; on a warm page cache the key costs nothing (no decryption).

Variants (the ratio is to the same SQLite build as the vault's, sqlcipher3's, with no key):
  vault                     SQLCipher exactly as store/engine.py opens it (4 KiB pages,
                            HMAC-SHA512, cipher_memory_security as the build sets it)
  sqlite3 module            Python's own SQLite (a different build and version)
  page 8/16 KiB             cipher_page_size (needs a sqlcipher_export migration for old vaults)
  memory security ON        SQLCipher wipes and locks every buffer it frees (safer, slower)
  HMAC-SHA256               pages authenticated with HMAC-SHA256 instead of SHA-512 (CPUs with
                            SHA extensions hash SHA-256 in hardware; a vault format change)
  8 MB cache                SQLite's default cache instead of the vault's CACHE_KIB
  no HMAC                   pages are not authenticated: NEVER for the vault (shown for scale)

    .venv/bin/python bench/bench_sqlcipher_vs_sqlite.py [--rows 20000] [--rounds 3]

Compare ratios within one run (variants run interleaved, each figure is the median of the
rounds): a busy machine slows every variant alike.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlcipher3

from btam_desktop.store.engine import CACHE_KIB, KeyHolder, connect_raw

VAULT_PRAGMAS = (
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
    "CREATE INDEX ix_case_status ON case_file (status)",
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
STATUSES = ("intake", "screening", "assessment", "closed")

# Each query kind the case list and search run; each is timed on fresh connections.
QUERIES: dict[str, tuple[str, tuple[Any, ...]]] = {
    "list page": (
        "SELECT id, number, title, site, status, opened_at FROM case_file "
        "ORDER BY opened_at DESC, id DESC LIMIT 100 OFFSET 1000",
        (),
    ),
    "sort by title": (
        "SELECT id, number, title, site, status, opened_at FROM case_file "
        "ORDER BY title, id LIMIT 100",
        (),
    ),
    "filter": (
        "SELECT id, number, title, site, status, opened_at FROM case_file "
        "WHERE status = ? AND site = ? ORDER BY opened_at DESC LIMIT 100",
        ("screening", "site 7"),
    ),
    "search (LIKE)": (
        "SELECT id, number, title, site, status, opened_at FROM case_file "
        "WHERE title LIKE ? OR narrative LIKE ?",
        ("%weapon bus%", "%weapon bus%"),
    ),
}
COLD_REPEATS = 5
WARM = " (warm)"


@dataclass(frozen=True)
class Variant:
    key: bool = True
    page_size: int = 4096
    memory_security: bool | None = None  # None: as the build sets it
    hmac: bool = True
    hmac_algorithm: str | None = None  # None: the build's default, HMAC_SHA512
    cache_kib: int = CACHE_KIB
    stdlib: bool = False
    vault_code: bool = False  # open through store/engine.py's connect_raw


VARIANTS: dict[str, Variant] = {
    "same build, no key": Variant(key=False),
    "vault": Variant(vault_code=True),
    "sqlite3 module": Variant(key=False, stdlib=True),
    "page 8 KiB": Variant(page_size=8192),
    "page 16 KiB": Variant(page_size=16384),
    "no key, page 8 KiB": Variant(key=False, page_size=8192),
    "memory security ON": Variant(memory_security=True),
    "HMAC-SHA256": Variant(hmac_algorithm="HMAC_SHA256"),
    "8 MB cache": Variant(cache_kib=8000),
    "no HMAC (never)": Variant(hmac=False),
}
BASELINE = "same build, no key"


def opener(variant: Variant, path: Path) -> Callable[[], Any]:
    """A function that opens ``path`` as ``variant``, the same key every time."""
    key = KeyHolder(os.urandom(32))

    def open_connection() -> Any:
        if variant.vault_code:
            return connect_raw(path, key)
        if variant.stdlib:
            conn: Any = sqlite3.connect(str(path), isolation_level=None)
        else:
            conn = sqlcipher3.connect(str(path), isolation_level=None)
        if variant.key:
            conn.execute(key.pragma())
            conn.execute(f"PRAGMA cipher_page_size = {variant.page_size}")
            if variant.hmac_algorithm:
                conn.execute(f"PRAGMA cipher_hmac_algorithm = {variant.hmac_algorithm}")
            if not variant.hmac:
                conn.execute("PRAGMA cipher_use_hmac = OFF")
            if variant.memory_security is not None:
                conn.execute(f"PRAGMA cipher_memory_security = {int(variant.memory_security)}")
        else:
            conn.execute(f"PRAGMA page_size = {variant.page_size}")
        for pragma in VAULT_PRAGMAS:
            conn.execute(pragma)
        conn.execute(f"PRAGMA cache_size = -{variant.cache_kib}")
        return conn

    return open_connection


def fill(conn: Any, rows: int, rng: random.Random) -> float:
    for statement in SCHEMA:
        conn.execute(statement)
    start = time.perf_counter()
    for first in range(0, rows, 100):
        conn.execute("BEGIN IMMEDIATE")
        for n in range(first, min(first + 100, rows)):
            conn.execute(
                "INSERT INTO case_file (number, title, site, status, opened_at, narrative) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    f"2026-{n:06d}",
                    " ".join(rng.choices(WORDS, k=5)),
                    f"site {n % 40}",
                    rng.choice(STATUSES),
                    f"20{20 + n % 7}-{1 + n % 12:02d}-{1 + n % 28:02d}T10:{n % 60:02d}:00",
                    " ".join(rng.choices(WORDS, k=80)),
                ),
            )
        conn.execute("COMMIT")
    return time.perf_counter() - start


def run(variant: Variant, rows: int, seed: int) -> dict[str, float]:
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        open_connection = opener(variant, path)
        conn = open_connection()
        try:
            times["insert"] = fill(conn, rows, random.Random(seed))
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        for kind, (sql, params) in QUERIES.items():
            spent = 0.0
            for _ in range(COLD_REPEATS):
                conn = open_connection()  # opening (and keying) is not timed
                try:
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    start = time.perf_counter()
                    conn.execute(sql, params).fetchall()
                    spent += time.perf_counter() - start
                finally:
                    conn.close()
            times[kind] = spent / COLD_REPEATS
            conn = open_connection()  # the same query again on a warm page cache
            try:
                conn.execute(sql, params).fetchall()
                start = time.perf_counter()
                for _ in range(COLD_REPEATS):
                    conn.execute(sql, params).fetchall()
                times[kind + WARM] = (time.perf_counter() - start) / COLD_REPEATS
            finally:
                conn.close()
    return times


def describe_build() -> None:
    conn = sqlcipher3.connect(":memory:")
    conn.execute(KeyHolder(os.urandom(32)).pragma())
    facts = {
        name: conn.execute(f"PRAGMA {name}").fetchone()[0]
        for name in (
            "cipher_version",
            "cipher_provider",
            "cipher_provider_version",
            "cipher_memory_security",
            "cipher_hmac_algorithm",
            "cipher_page_size",
        )
    }
    options = [row[0] for row in conn.execute("PRAGMA compile_options")]
    conn.close()
    print(
        f"SQLCipher build: SQLite {sqlcipher3.sqlite_version}; sqlite3 module: "
        f"SQLite {sqlite3.sqlite_version}"
    )
    for name, value in facts.items():
        print(f"  {name} = {value}")
    wanted = ("DEFAULT_CACHE", "MMAP", "TEMP_STORE", "MALLOC", "LOOKASIDE", "SECURE_DELETE")
    print("  compile options: " + ", ".join(o for o in options if o.startswith(wanted)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="variant names to run (the baseline always)")
    args = parser.parse_args()

    describe_build()
    variants = {name: v for name, v in VARIANTS.items() if not args.only or name in args.only}
    variants.setdefault(BASELINE, VARIANTS[BASELINE])
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    for variant in variants.values():  # a round not counted: first-use costs in the process
        run(variant, min(args.rows, 2000), args.seed)
    for round_number in range(args.rounds):
        for name, variant in variants.items():
            samples[name].append(run(variant, args.rows, args.seed))
        print(f"round {round_number + 1} of {args.rounds} done", flush=True)
    medians = {
        name: {kind: statistics.median(r[kind] for r in runs) for kind in runs[0]}
        for name, runs in samples.items()
    }
    base = medians[BASELINE]
    cold = [k for k in base if not k.endswith(WARM)]
    warm = [k for k in base if k.endswith(WARM)]
    for title, kinds in (
        (f"fresh connection (cold page cache), mean of {COLD_REPEATS}", cold),
        ("the same connection again (warm page cache)", warm),
    ):
        print(
            f"\n{args.rows} rows; milliseconds (median of {args.rounds} rounds) and the ratio to "
            f"'{BASELINE}'; {title}"
        )
        print(
            f"{'variant':<22}"
            + "".join(f"{k.removesuffix(WARM):>18}" for k in kinds)
            + f"{'geo mean':>10}"
        )
        for name, times in medians.items():
            ratios = [times[k] / base[k] for k in kinds]
            geo = statistics.geometric_mean(ratios)
            cells = "".join(
                f"{times[k] * 1000:>9.1f} {r:>6.2f}x " for k, r in zip(kinds, ratios, strict=True)
            )
            print(f"{name:<22}{cells}{geo:>9.2f}x")


if __name__ == "__main__":
    main()
